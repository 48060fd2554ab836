"""Draws the example files the README and the docs use, so that their commands run as copied from
the clone's root. Run from there: `.venv/bin/python examples/draw.py` (the files are committed; run
it only to change them). Nothing here is a real customer's document: the receipt and the invoice
are made up, drawn with DejaVu (Debian's fonts-dejavu-core); the receipt turned a degree, softened and saved
as JPEG, as a scanner gives a receipt back."""

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.invoices import INVOICES, born_digital_pdf, scanned_pdf, template  # noqa: E402

FONTS = Path("/usr/share/fonts/truetype/dejavu")

RECEIPT = [
    ("center", "KEDAI RUNCIT MAJU JAYA SDN BHD", True),
    ("center", "(CO. REG. NO. 1234567-A)", False),
    ("center", "NO. 12, JALAN BUNGA RAYA 3,", False),
    ("center", "TAMAN MELATI, 53100 KUALA LUMPUR.", False),
    ("center", "TEL: 03-4142 8899", False),
    ("center", "TAX INVOICE", True),
    ("left", "INVOICE NO: CS00012345", False),
    ("left", "DATE: 09/01/2019 14:32", False),
    ("rule", "", False),
    ("columns", "ITEM|QTY|AMOUNT", True),
    ("columns", "MILO 1KG|1|17.90", False),
    ("columns", "ROTI GARDENIA|2|7.60", False),
    ("columns", "TELUR GRED A 10S|1|4.50", False),
    ("columns", "AIR MINERAL 1.5L|1|1.00", False),
    ("rule", "", False),
    ("columns", "TOTAL||31.00", True),
    ("columns", "CASH||50.00", False),
    ("columns", "CHANGE||19.00", False),
    ("rule", "", False),
    ("center", "THANK YOU. PLEASE COME AGAIN.", False),
]


def receipt_scan() -> bytes:
    """A shop receipt as a scanner gives it back: a narrow slip, turned a little, softened, JPEG."""
    regular = ImageFont.truetype(str(FONTS / "DejaVuSansMono.ttf"), 22)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSansMono-Bold.ttf"), 22)
    width, line_height = 620, 38
    slip = Image.new("RGB", (width, line_height * (len(RECEIPT) + 2)), (246, 244, 238))
    draw = ImageDraw.Draw(slip)
    for number, (how, text, is_bold) in enumerate(RECEIPT):
        font, y = (bold if is_bold else regular), line_height * (number + 1)
        if how == "center":
            draw.text(((width - font.getlength(text)) / 2, y), text, font=font, fill=(30, 30, 30))
        elif how == "left":
            draw.text((30, y), text, font=font, fill=(30, 30, 30))
        elif how == "rule":
            draw.text((30, y), "-" * 44, font=font, fill=(30, 30, 30))
        else:
            name, quantity, amount = text.split("|")
            draw.text((30, y), name, font=font, fill=(30, 30, 30))
            draw.text((400, y), quantity, font=font, fill=(30, 30, 30))
            draw.text((width - 30 - font.getlength(amount), y), amount, font=font, fill=(30, 30, 30))
    scan = slip.rotate(1.0, resample=Image.BICUBIC, expand=True, fillcolor="white").filter(
        ImageFilter.GaussianBlur(0.7)
    )
    buffer = io.BytesIO()
    scan.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def hello() -> bytes:
    font = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 48)
    image = Image.new("RGB", (420, 110), "white")
    ImageDraw.Draw(image).text((40, 25), "hello world", font=font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    (HERE / "receipt.jpg").write_bytes(receipt_scan())
    (HERE / "hello.png").write_bytes(hello())
    (HERE / "invoice.pdf").write_bytes(born_digital_pdf(INVOICES["de"]))
    (HERE / "scan.pdf").write_bytes(scanned_pdf(INVOICES["en"]))
    (HERE / "musterfirma.yml").write_text(template(INVOICES["de"]), encoding="utf-8")


if __name__ == "__main__":
    main()
