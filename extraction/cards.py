"""Cards: a kind of document and the fields read out of it."""

from dataclasses import dataclass
from typing import Literal

FieldType = Literal[
    "text", "date", "amount", "address", "number", "id", "email", "phone", "iban", "bic", "vat_id", "currency"
]
#: Where a field's value stands: beside its label, under it, either; on the page's top or bottom
#: third; in a region of it.
Where = Literal["anywhere", "right", "below", "top", "bottom", "region"]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    name: str
    type: FieldType
    #: The colour a field is highlighted in (a page's boxes, the try-it page).
    color: str
    #: The words printed before or above the value, in any language ("Invoice no.", "Rechnungsnummer").
    labels: tuple[str, ...] = ()
    #: A regular expression; its first group (or the whole match) is the value.
    pattern: str | None = None
    where: Where = "anywhere"
    #: With `where: region`: left, top, right, bottom as fractions of the page (0-1).
    region: tuple[float, float, float, float] | None = None
    required: bool = False
    #: Every value found, not the first only (each a field of the same key).
    multiple: bool = False


@dataclass(frozen=True)
class GroupSpec:
    """Fields that come in rows: a receipt's items, an invoice's lines. Its columns are found by
    their fields' labels in a header row, or each row by `row_pattern` (named groups: the keys)."""

    key: str
    name: str
    fields: tuple[FieldSpec, ...]
    row_pattern: str | None = None


@dataclass(frozen=True)
class Card:
    slug: str
    name: str
    fields: tuple[FieldSpec, ...]
    groups: tuple[GroupSpec, ...] = ()
    #: How its fields are found: "fields" (by each field's labels, pattern, type and place), the
    #: receipt's own rules ("receipt"), or an invoice2data template ("invoice2data").
    rules: str = "fields"
    #: With rules "invoice2data": the template, as invoice2data reads it.
    template: dict | None = None

    def as_json(self) -> dict:
        """The card's fields and groups as plain data (what a stored card keeps)."""
        return {
            "fields": [field_json(spec) for spec in self.fields],
            "groups": [
                {
                    "key": group.key,
                    "name": group.name,
                    "fields": [field_json(spec) for spec in group.fields],
                    "row_pattern": group.row_pattern,
                }
                for group in self.groups
            ],
        }

    @classmethod
    def from_json(
        cls, *, slug: str, name: str, fields: list[dict], groups: list[dict], rules: str = "fields", template=None
    ) -> "Card":
        return cls(
            slug=slug,
            name=name,
            fields=tuple(_field_spec(spec) for spec in fields),
            groups=tuple(
                GroupSpec(
                    group["key"],
                    group["name"],
                    tuple(_field_spec(spec) for spec in group["fields"]),
                    group.get("row_pattern"),
                )
                for group in groups
            ),
            rules=rules,
            template=template,
        )


def _field_spec(data: dict) -> FieldSpec:
    return FieldSpec(
        **{
            **data,
            "labels": tuple(data.get("labels") or ()),
            "region": tuple(data["region"]) if data.get("region") else None,
        }
    )


def rgb(color: str) -> tuple[int, int, int]:
    """A field's colour, `#rrggbb`, as its red, green and blue from 0 to 255."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def field_json(spec: FieldSpec) -> dict:
    return {
        "key": spec.key,
        "name": spec.name,
        "type": spec.type,
        "color": spec.color,
        "labels": list(spec.labels),
        "pattern": spec.pattern,
        "where": spec.where,
        "region": list(spec.region) if spec.region else None,
        "required": spec.required,
        "multiple": spec.multiple,
    }


#: The four fields of the ICDAR 2019 SROIE task 3, the receipts' card.
RECEIPT = Card(
    slug="receipt",
    name="Receipt",
    rules="receipt",
    fields=(
        FieldSpec("company", "Company", "text", "#1f77b4"),
        FieldSpec("date", "Date", "date", "#2ca02c"),
        FieldSpec("address", "Address", "address", "#9467bd"),
        FieldSpec("total", "Total", "amount", "#d62728"),
    ),
    groups=(
        GroupSpec(
            "items",
            "Items",
            (
                FieldSpec("name", "Name", "text", "#ff7f0e"),
                FieldSpec("quantity", "Quantity", "number", "#8c564b"),
                FieldSpec("amount", "Amount", "amount", "#e377c2"),
            ),
        ),
    ),
)


def _labelled(key: str, name: str, type_: FieldType, color: str, *labels: str, **options) -> FieldSpec:
    return FieldSpec(key, name, type_, color, labels=labels, **options)


#: Invoices of any issuer, in English, German, French, Dutch and Chinese: the fields of a European
#: e-invoice's core (EN 16931) that print on every invoice. invoice2data's bundled templates are
#: tried first (by their keywords); what they do not give is found by the labels below, each list
#: in order of preference (the specific "Total due" before a plain "Total").
INVOICE = Card(
    slug="invoice",
    name="Invoice",
    rules="invoice",
    fields=(
        _labelled(
            "invoice_number",
            "Invoice number",
            "id",
            "#1f77b4",
            "Invoice number",
            "Invoice no.",
            "Invoice no",
            "Invoice #",
            "Rechnungsnummer",
            "Rechnungs-Nr.",
            "Rechnung Nr.",
            "Numéro de facture",
            "N° de facture",
            "Facture n°",
            "Factuurnummer",
            "Factuur nr.",
            "发票号码",
            "发票号",
        ),
        _labelled(
            "issue_date",
            "Issue date",
            "date",
            "#2ca02c",
            "Invoice date",
            "Date of issue",
            "Issue date",
            "Rechnungsdatum",
            "Ausstellungsdatum",
            "Date de facture",
            "Date d'émission",
            "Factuurdatum",
            "开票日期",
            "Date",
            "Datum",
        ),
        _labelled(
            "due_date",
            "Due date",
            "date",
            "#d62728",
            "Due date",
            "Payment due",
            "Fälligkeitsdatum",
            "Fällig am",
            "Zahlbar bis",
            "Date d'échéance",
            "Échéance",
            "Vervaldatum",
            "Te betalen voor",
            "到期日",
        ),
        _labelled(
            "service_period",
            "Service period",
            "text",
            "#9467bd",
            "Service period",
            "Billing period",
            "Leistungszeitraum",
            "Lieferzeitraum",
            "Période de prestation",
            "Periode",
            "服务期间",
            where="right",
        ),
        FieldSpec("seller", "Seller", "text", "#8c564b", where="top"),
        _labelled(
            "buyer",
            "Buyer",
            "text",
            "#e377c2",
            "Bill to",
            "Billed to",
            "Invoice to",
            "Customer",
            "Rechnungsempfänger",
            "Kunde",
            "Facturé à",
            "Client",
            "Klant",
            "Factuur aan",
            "购买方名称",
            "购买方",
        ),
        _labelled(
            "net",
            "Net amount",
            "amount",
            "#7f7f7f",
            "Net amount",
            "Subtotal",
            "Total excl. VAT",
            "Nettobetrag",
            "Zwischensumme",
            "Netto",
            "Total HT",
            "Montant HT",
            "Totaal excl. btw",
            "Subtotaal",
            "金额合计",
        ),
        _labelled(
            "tax",
            "Tax",
            "amount",
            "#bcbd22",
            "VAT amount",
            "Tax amount",
            "VAT",
            "Tax",
            "Umsatzsteuer",
            "MwSt.",
            "MwSt",
            "USt.",
            "TVA",
            "BTW",
            "税额",
        ),
        _labelled(
            "total",
            "Total",
            "amount",
            "#17becf",
            "Total due",
            "Amount due",
            "Grand total",
            "Total amount",
            "Gesamtbetrag",
            "Rechnungsbetrag",
            "Endbetrag",
            "Total TTC",
            "Montant TTC",
            "Net à payer",
            "Te betalen",
            "Totaal",
            "价税合计",
            "合计",
            "Total",
        ),
        FieldSpec("currency", "Currency", "currency", "#aec7e8"),
        FieldSpec("iban", "IBAN", "iban", "#ffbb78"),
        _labelled("bic", "BIC", "bic", "#98df8a", "BIC/SWIFT", "BIC", "SWIFT", where="right"),
        FieldSpec("vat_ids", "VAT ids", "vat_id", "#ff9896", multiple=True),
    ),
    groups=(
        GroupSpec(
            "line_items",
            "Line items",
            (
                _labelled(
                    "description",
                    "Description",
                    "text",
                    "#c5b0d5",
                    "Description",
                    "Item",
                    "Beschreibung",
                    "Bezeichnung",
                    "Artikel",
                    "Désignation",
                    "Omschrijving",
                    "项目",
                    "货物或应税劳务名称",
                ),
                _labelled(
                    "quantity",
                    "Quantity",
                    "number",
                    "#c49c94",
                    "Qty",
                    "Quantity",
                    "Menge",
                    "Anzahl",
                    "Qté",
                    "Quantité",
                    "Aantal",
                    "数量",
                ),
                _labelled(
                    "unit_price",
                    "Unit price",
                    "amount",
                    "#f7b6d2",
                    "Unit price",
                    "Price",
                    "Einzelpreis",
                    "Preis",
                    "Prix unitaire",
                    "Prix",
                    "Prijs",
                    "单价",
                ),
                _labelled(
                    "amount",
                    "Amount",
                    "amount",
                    "#dbdb8d",
                    "Amount",
                    "Betrag",
                    "Gesamt",
                    "Montant",
                    "Bedrag",
                    "金额",
                    "Total",
                ),
            ),
        ),
    ),
)
