"""Invoices (`make bench-fields`, its invoice section): the test suite's invoice in five languages as
a born-digital PDF, its scanned copy and a photo of it (tests/invoices.py), read by a card made from
its invoice2data template, by the built-in invoice card, and by invoice2data itself on the same
files side by side (pdftotext for PDFs, its tesseract input for the photo, as its users run it);
the time per page read from its text layer and per page read by OCR; and hostile patterns, a card's
and a template's, answered within their limits.

    .venv/bin/python -m bench.invoices
"""

import io
import json
import statistics
import tempfile
import time

import yaml
from PIL import Image

from extraction import INVOICE, Card, Document, Line, extract
from extraction.cards import FieldSpec
from extraction.generic import PATTERN_TIMEOUT_S
from extraction.templates import TEMPLATE_LIMITS, card_from_template
from ocr_engine import get_engine
from ocr_engine.contained import Limits, preload
from ocr_engine.pdf import pdf_text_lines, render_pdf_page
from ocr_engine.text import read_text
from tests.invoices import INVOICES, born_digital_pdf, photo, scanned_pdf, template

KINDS = ("born-digital PDF", "scanned PDF", "photo")
#: Each reader's keys for the invoice's number, date and total.
KEYS = {
    "template card": ("invoice_number", "date", "amount"),
    "invoice card": ("invoice_number", "issue_date", "total"),
    "invoice2data": ("invoice_number", "date", "amount"),
}
PDF_LIMITS = Limits(memory_bytes=1024 * 1024 * 1024, seconds=60)
DPI = 300


def section() -> list[str]:
    # As the service does at start (ocr_extract's AppConfig): template runs forked with the bundled
    # templates loaded.
    preload("extraction.bundled")
    right = {(reader, kind): [0, 0] for reader in KEYS for kind in KINDS}
    rows_right = {(reader, kind): [0, 0] for reader in KEYS for kind in KINDS}
    text_layer_ms, ocr_page_ms, ocr_extract_ms = [], [], []
    for language, invoice in INVOICES.items():
        engine = get_engine("auto", language="chi_sim" if language == "zh" else "eng", timeout_seconds=120)
        card = _card(template(invoice))
        expected = (invoice.number, invoice.date_iso, f"{invoice.total_value:.2f}")
        documents = {}
        pdf = born_digital_pdf(invoice)
        started = time.perf_counter()
        runs = pdf_text_lines(pdf, dpi=DPI, max_pixels=40_000_000, limits=PDF_LIMITS)[0]
        documents["born-digital PDF"] = Document([Line(text, location) for text, location in runs])
        extract(documents["born-digital PDF"], card)
        text_layer_ms.append((time.perf_counter() - started) * 1000)
        for kind, image in (
            (
                "scanned PDF",
                render_pdf_page(scanned_pdf(invoice), 1, dpi=DPI, max_pixels=40_000_000, limits=PDF_LIMITS),
            ),
            ("photo", Image.open(io.BytesIO(photo(invoice)))),
        ):
            started = time.perf_counter()
            reading = read_text(engine, image)
            documents[kind] = Document(
                [
                    Line(line.text, line.location, 1, tuple((word.text, word.location) for word in line.words))
                    for line in reading.lines
                ]
            )
            read = time.perf_counter()
            extract(documents[kind], card)
            ocr_page_ms.append((time.perf_counter() - started) * 1000)
            ocr_extract_ms.append((time.perf_counter() - read) * 1000)
        for kind, document in documents.items():
            for reader, found in (
                ("template card", _values(extract(document, card))),
                ("invoice card", _values(extract(document, INVOICE))),
                ("invoice2data", _theirs(invoice, kind)),
            ):
                number, date, total = KEYS[reader]
                got = (found.get(number), found.get(date), found.get(total))
                right[reader, kind][0] += sum(a == b for a, b in zip(got, expected, strict=True))
                right[reader, kind][1] += 3
                names = found.get("rows", [])
                rows_right[reader, kind][0] += sum(name in names for name in (line[0] for line in invoice.lines))
                rows_right[reader, kind][1] += len(invoice.lines)
    lines = [
        "### Invoices (`make bench-fields`, `python -m bench.invoices`)",
        "",
        "The suite's invoice (tests/invoices.py) in English, German, French, Dutch and Chinese; per reader and kind "
        "of document, the fields right (number, date, total: 15 in all) and the line items' names found (10):",
        "",
        "| reader | " + " | ".join(KINDS) + " |",
        "|---|" + "---:|" * len(KINDS),
        *(
            f"| {reader} | "
            + " | ".join(
                f"{right[reader, kind][0]}/{right[reader, kind][1]} fields, "
                f"{rows_right[reader, kind][0]}/{rows_right[reader, kind][1]} items"
                for kind in KINDS
            )
            + " |"
            for reader in KEYS
        ),
        "",
        "invoice2data reads PDFs with pdftotext and the photo with its tesseract input, as its users run it; the "
        "template card and the invoice card read a text layer where a page has one and the service's own OCR "
        "(`auto`) otherwise; the invoice card has no template for these issuers and reads them by its labels.",
        "",
        f"A page read from its text layer, fields included: median {statistics.median(text_layer_ms):.0f} ms "
        f"(at most {max(text_layer_ms):.0f} ms). A page read by OCR: median {statistics.median(ocr_page_ms) / 1000:.2f} s, "
        f"of which the fields {statistics.median(ocr_extract_ms):.0f} ms.",
        "",
        *_hostile(),
    ]
    return lines


def _card(source: str) -> Card:
    """The card POST /api/cards/ makes of an invoice2data template."""
    made = card_from_template(source)
    return Card.from_json(
        slug="template",
        name="template",
        fields=[{**field, "color": "#000000"} for field in made.fields],
        groups=[
            {**group, "fields": [{**field, "color": "#000000"} for field in group["fields"]]} for group in made.groups
        ],
        rules="invoice2data",
        template=made.template,
    )


def _values(extraction) -> dict:
    found = {}
    for field in extraction.fields:
        if field.value is not None:
            found.setdefault(field.key, field.normalized)
    found["rows"] = [
        field.normalized
        for group in extraction.groups
        for row in group.rows
        for field in row
        if field.key in ("name", "description") and field.value
    ]
    return found


def _theirs(invoice, kind: str) -> dict:
    from invoice2data import extract_data  # noqa: PLC0415
    from invoice2data.extract.loader import ordered_load  # noqa: PLC0415

    templates = ordered_load(json.dumps([{**yaml.safe_load(template(invoice)), "template_name": invoice.language}]))
    content, suffix, module = {
        "born-digital PDF": (born_digital_pdf(invoice), ".pdf", "pdftotext"),
        "scanned PDF": (scanned_pdf(invoice), ".pdf", "pdftotext"),
        "photo": (photo(invoice), ".jpg", "tesseract"),
    }[kind]
    with tempfile.NamedTemporaryFile(suffix=suffix) as file:
        file.write(content)
        file.flush()
        try:
            output = extract_data(file.name, templates=templates, input_module=module) or {}
        except Exception:  # noqa: BLE001 (a failure is no fields, as its users see it)
            output = {}
    found = {
        key: (
            value.date().isoformat()
            if hasattr(value, "date")
            else f"{value:.2f}"
            if isinstance(value, float)
            else str(value)
        )
        for key, value in output.items()
        if key in ("invoice_number", "date", "amount")
    }
    found["rows"] = [row.get("name") or row.get("description") for row in output.get("lines", [])]
    return found


def _hostile() -> list[str]:
    """A card's pattern and a template's regex that backtrack without end, on a document made to
    make them: how long the answer took, and what the field says."""
    text = "a" * 30_000 + "b\nTotal 12.00"
    card = Card("evil", "Evil", fields=(FieldSpec("evil", "Evil", "text", "#000000", pattern=r"^(a+)+$"),))
    started = time.perf_counter()
    pattern_field = extract(Document.from_text(text), card).fields[0]
    pattern_s = time.perf_counter() - started
    invoice = INVOICES["en"]
    evil = template(invoice).replace("  amount: ", "  evil: '^(\\s*\\w+\\s*)+$'\n  amount: ")
    started = time.perf_counter()
    template_fields = extract(
        Document.from_text(f"{invoice.seller} {invoice.title}\n" + "word " * 5000 + "!"), _card(evil)
    ).fields
    template_s = time.perf_counter() - started
    return [
        "Hostile patterns, each on a document made to make it backtrack without end:",
        "",
        "| pattern | limit | answered in | the field says |",
        "|---|---:|---:|---|",
        f"| a card's `^(a+)+$` on 30,000 a's | {PATTERN_TIMEOUT_S} s a search | {pattern_s:.2f} s | "
        f"`{pattern_field.error}` |",
        f"| a template's `^(\\s*\\w+\\s*)+$` on 5,000 words | {TEMPLATE_LIMITS.seconds:g} s a document | {template_s:.2f} s | "
        f"`{template_fields[0].error}` (every field) |",
    ]


if __name__ == "__main__":
    print("\n".join(section()))
