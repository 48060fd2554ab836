"""Invoices made by the tests: the same invoice in English, German, French, Dutch and Chinese, as a
born-digital PDF (text drawn by reportlab), a scanned copy (that PDF rendered to pixels and put in
a PDF as an image: no text layer, as from a scanner), and a photo-like image (rendered, turned a
little, blurred, JPEG); with an invoice2data template for each and the values each must give."""

import io
from dataclasses import dataclass

import img2pdf
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


@dataclass(frozen=True)
class Invoice:
    language: str
    seller: str
    title: str
    number_label: str
    number: str
    date_label: str
    date: str
    date_iso: str
    header: tuple[str, str, str]
    lines: tuple[tuple[str, str, str], ...]
    total_label: str
    total: str
    total_value: float
    #: What the built-in invoice card reads too: net and tax, the due date, the buyer, ids.
    net_label: str = ""
    tax_label: str = ""
    due_label: str = ""
    due: str = ""
    buyer_label: str = ""
    buyer: str = "Contoso Retail AG"
    net: str = "1,120.59"
    tax: str = "212.91"
    vat_id: str = "DE 123 456 789"
    bic: str = "COBADEFFXXX"
    iban: str = "DE89 3704 0044 0532 0130 00"


INVOICES = {
    "en": Invoice(
        "en",
        "Northwind Traders Ltd",
        "INVOICE",
        "Invoice no.:",
        "INV-2026-0042",
        "Invoice date:",
        "15 March 2026",
        "2026-03-15",
        ("Description", "Qty", "Amount"),
        (("Oak desk", "2", "1,234.50"), ("Delivery", "1", "99.00")),
        "Total due:",
        "1,333.50",
        1333.50,
        net_label="Net amount:",
        tax_label="VAT 19%:",
        due_label="Due date:",
        due="14 April 2026",
        buyer_label="Bill to:",
    ),
    "de": Invoice(
        "de",
        "Musterfirma GmbH",
        "RECHNUNG",
        "Rechnungsnummer:",
        "RE-2026-0042",
        "Rechnungsdatum:",
        "15.03.2026",
        "2026-03-15",
        ("Beschreibung", "Menge", "Betrag"),
        (("Eichentisch", "2", "1.234,50"), ("Lieferung", "1", "99,00")),
        "Gesamtbetrag:",
        "1.333,50",
        1333.50,
        net_label="Nettobetrag:",
        tax_label="MwSt. 19%:",
        due_label="Fällig am:",
        due="14.04.2026",
        buyer_label="Rechnungsempfänger:",
        net="1.120,59",
        tax="212,91",
    ),
    "fr": Invoice(
        "fr",
        "Société Exemple SARL",
        "FACTURE",
        "Facture n°:",
        "FA-2026-0042",
        "Date de facture:",
        "15/03/2026",
        "2026-03-15",
        ("Désignation", "Qté", "Montant"),
        (("Bureau en chêne", "2", "1234,50"), ("Livraison", "1", "99,00")),
        "Total TTC:",
        "1333,50",
        1333.50,
        net_label="Total HT:",
        tax_label="TVA 19%:",
        due_label="Échéance:",
        due="14/04/2026",
        buyer_label="Client:",
        net="1120,59",
        tax="212,91",
        vat_id="FR 12 345678901",
    ),
    "nl": Invoice(
        "nl",
        "Voorbeeld B.V.",
        "FACTUUR",
        "Factuurnummer:",
        "F-2026-0042",
        "Factuurdatum:",
        "15-03-2026",
        "2026-03-15",
        ("Omschrijving", "Aantal", "Bedrag"),
        (("Eiken bureau", "2", "1.234,50"), ("Levering", "1", "99,00")),
        "Totaal:",
        "1.333,50",
        1333.50,
        net_label="Subtotaal:",
        tax_label="BTW 19%:",
        due_label="Vervaldatum:",
        due="14-04-2026",
        buyer_label="Klant:",
        net="1.120,59",
        tax="212,91",
        vat_id="NL123456789B01",
    ),
    "zh": Invoice(
        "zh",
        "示例科技有限公司",
        "发票",
        "发票号码:",
        "20260042",
        "开票日期:",
        "2026年03月15日",
        "2026-03-15",
        ("项目", "数量", "金额"),
        (("橡木书桌", "2", "1234.50"), ("运费", "1", "99.00")),
        "价税合计:",
        "1333.50",
        1333.50,
        net_label="金额合计:",
        tax_label="税额:",
        due_label="到期日:",
        due="2026年04月14日",
        buyer_label="购买方:",
        buyer="北京示例贸易有限公司",
        net="1120.59",
        tax="212.91",
    ),
}

_DATE_FORMATS = {"en": "%d %B %Y", "de": "%d.%m.%Y", "fr": "%d/%m/%Y", "nl": "%d-%m-%Y", "zh": "%Y年%m月%d日"}
_DECIMAL = {"en": ".", "de": ",", "fr": ",", "nl": ",", "zh": "."}
_AMOUNT = {".": r"[\d,]+\.\d{2}", ",": r"[\d.]+,\d{2}"}


def template(invoice: Invoice) -> str:
    """The invoice2data template a user of invoice2data would write for this invoice."""
    amount = _AMOUNT[_DECIMAL[invoice.language]]
    header = r"\s+".join(invoice.header)
    return f"""issuer: {invoice.seller}
keywords:
  - {invoice.seller}
  - {invoice.title}
fields:
  invoice_number: '{_escaped(invoice.number_label)}\\s*(\\S+)'
  date: '{_escaped(invoice.date_label)}\\s*(\\S+(?: \\S+ \\d{{4}})?)'
  amount: '{_escaped(invoice.total_label)}\\s*({amount})'
  lines:
    parser: lines
    start: '{header}'
    end: '{_escaped(invoice.total_label)}'
    line: '^\\s*(?P<description>\\S.*?)\\s{{2,}}(?P<qty>\\d+)\\s+(?P<price>{amount})\\s*$'
    types:
      qty: int
      price: float
options:
  currency: EUR
  date_formats:
    - '{_DATE_FORMATS[invoice.language]}'
  decimal_separator: '{_DECIMAL[invoice.language]}'
  languages:
    - {invoice.language}
"""


def _escaped(label: str) -> str:
    return label.replace(".", r"\.").replace(":", r"\s*:")


def born_digital_pdf(invoice: Invoice) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    font = "STSong-Light" if invoice.language == "zh" else "Helvetica"
    bold = "STSong-Light" if invoice.language == "zh" else "Helvetica-Bold"
    page.setFont(bold, 16)
    page.drawString(60, 780, invoice.seller)
    page.setFont(font, 11)
    page.drawString(60, 762, "Hauptstraße 1, 10115 Berlin" if invoice.language != "zh" else "北京市海淀区中关村大街1号")
    page.setFont(bold, 14)
    page.drawString(360, 780, invoice.title)
    page.setFont(font, 11)
    page.drawString(360, 760, f"{invoice.number_label} {invoice.number}")
    page.drawString(360, 744, f"{invoice.date_label} {invoice.date}")
    y = 660
    page.setFont(bold, 11)
    page.drawString(60, y, invoice.header[0])
    page.drawRightString(360, y, invoice.header[1])
    page.drawRightString(520, y, invoice.header[2])
    page.setFont(font, 11)
    for description, quantity, amount in invoice.lines:
        y -= 20
        page.drawString(60, y, description)
        page.drawRightString(360, y, quantity)
        page.drawRightString(520, y, amount)
    page.drawString(360, 728, f"{invoice.due_label} {invoice.due}")
    page.drawString(60, 720, invoice.buyer_label)
    page.drawString(60, 704, invoice.buyer)
    y -= 30
    for label, amount in ((invoice.net_label, invoice.net), (invoice.tax_label, invoice.tax)):
        page.drawString(300, y, label)
        page.drawRightString(520, y, amount)
        y -= 18
    page.setFont(bold, 12)
    page.drawString(300, y, invoice.total_label)
    page.drawRightString(520, y, invoice.total)
    page.setFont(font, 10)
    page.drawString(60, 136, f"USt-IdNr. / VAT: {invoice.vat_id}")
    page.drawString(60, 120, f"IBAN: {invoice.iban}   BIC: {invoice.bic}")
    page.save()
    return buffer.getvalue()


def rendered(invoice: Invoice, dpi: int = 200) -> Image.Image:
    document = pdfium.PdfDocument(born_digital_pdf(invoice))
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def scanned_pdf(invoice: Invoice, dpi: int = 200) -> bytes:
    """The born-digital invoice as a scanner gives it back: pixels only, in a PDF."""
    buffer = io.BytesIO()
    rendered(invoice, dpi).convert("L").save(buffer, format="PNG", dpi=(dpi, dpi))
    return img2pdf.convert(buffer.getvalue())


def photo(invoice: Invoice) -> bytes:
    """The printed invoice as a phone gives it back: turned a degree, a little soft, JPEG."""
    image = rendered(invoice, 200).rotate(1.0, resample=Image.BICUBIC, expand=True, fillcolor="white")
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()
