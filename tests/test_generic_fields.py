"""Cards of fields users define (extraction/generic.py): each field found by its labels, pattern,
type and place, in several languages; rows under a header; a pattern that cannot finish in time."""

import time

import pytest

from extraction import Document, Line, extract
from extraction.cards import Card, FieldSpec, GroupSpec
from extraction.generic import PATTERN_TIMEOUT_S

INVOICE = Card(
    "my-invoice",
    "My invoice",
    fields=(
        FieldSpec(
            "number",
            "Number",
            "id",
            "#111111",
            labels=("Invoice no.", "Rechnungsnummer", "Facture n°", "Factuurnummer", "发票号码"),
        ),
        FieldSpec(
            "date",
            "Date",
            "date",
            "#222222",
            labels=("Invoice date", "Rechnungsdatum", "Date de facture", "Factuurdatum", "开票日期"),
        ),
        FieldSpec(
            "total", "Total", "amount", "#333333", labels=("Total", "Gesamtbetrag", "Total TTC", "Totaal", "价税合计")
        ),
        FieldSpec("iban", "IBAN", "iban", "#444444"),
        FieldSpec("vat", "VAT id", "vat_id", "#555555", labels=("USt-IdNr.", "TVA", "BTW", "VAT")),
    ),
    groups=(
        GroupSpec(
            "lines",
            "Lines",
            (
                FieldSpec(
                    "description",
                    "Description",
                    "text",
                    "#666666",
                    labels=("Description", "Beschreibung", "Omschrijving"),
                ),
                FieldSpec("quantity", "Quantity", "number", "#777777", labels=("Qty", "Menge", "Aantal")),
                FieldSpec("amount", "Amount", "amount", "#888888", labels=("Amount", "Betrag", "Bedrag")),
            ),
        ),
    ),
)

GERMAN = """ACME GmbH                         Rechnungsnummer: 2026-0042
Musterstr. 1, 10115 Berlin        Rechnungsdatum: 15. März 2026
USt-IdNr. DE 123 456 789
Beschreibung                 Menge        Betrag
Widget A                         2      1.234,50
Service B                        1         99,00
Gesamtbetrag                            1.333,50 €
IBAN: DE89 3704 0044 0532 0130 00
"""


def values(extraction) -> dict:
    return {field.key: field.normalized for field in extraction.fields}


def test_a_german_invoice_s_fields_are_found_beside_their_labels_and_normalized():
    extraction = extract(Document.from_text(GERMAN), INVOICE)

    assert values(extraction) == {
        "number": "2026-0042",
        "date": "2026-03-15",
        "total": "1333.50",
        "iban": "DE89370400440532013000",
        "vat": "DE123456789",
    }
    number = next(field for field in extraction.fields if field.key == "number")
    assert extraction.text[number.index : number.index + len(number.value)] == "2026-0042"


def test_an_invoice_s_lines_are_cut_into_the_columns_of_its_header_up_to_the_total():
    rows = extract(Document.from_text(GERMAN), INVOICE).groups[0].rows

    assert [[(field.key, field.normalized) for field in row] for row in rows] == [
        [("description", "Widget A"), ("quantity", "2"), ("amount", "1234.50")],
        [("description", "Service B"), ("quantity", "1"), ("amount", "99.00")],
    ]


def test_a_value_under_its_label_is_found_in_the_label_s_column():
    def box(left, top, right, bottom):
        return [[left, top], [right, top], [right, bottom], [left, bottom]]

    document = Document(
        [
            Line("Factuurnummer", box(400, 100, 560, 120)),
            Line("Factuurdatum", box(600, 100, 740, 120)),
            Line("NL-7731", box(400, 125, 480, 145)),
            Line("3 februari 2026", box(600, 125, 760, 145)),
        ]
    )

    found = values(extract(document, INVOICE))

    assert found["number"] == "NL-7731"
    assert found["date"] == "2026-02-03"


def test_an_iban_whose_checksum_fails_is_no_iban():
    extraction = extract(Document.from_text("IBAN DE89 3704 0044 0532 0130 01"), INVOICE)

    assert values(extraction)["iban"] is None


def test_a_required_field_not_found_says_so_and_a_multiple_one_gives_every_value():
    card = Card(
        "c",
        "C",
        fields=(
            FieldSpec("po", "Order", "id", "#000000", labels=("PO",), required=True),
            FieldSpec("email", "E-mail", "email", "#000000", multiple=True),
        ),
    )

    extraction = extract(Document.from_text("billing@acme.example\nsupport@acme.example"), card)

    assert [(field.key, field.value, field.error) for field in extraction.fields] == [
        ("po", None, "required"),
        ("email", "billing@acme.example", None),
        ("email", "support@acme.example", None),
    ]


def test_a_pattern_s_first_group_is_the_value_and_its_type_normalizes_it():
    card = Card(
        "c", "C", fields=(FieldSpec("due", "Due", "date", "#000000", pattern=r"(?:due|échéance)\s*:?\s*(\S+)"),)
    )

    extraction = extract(Document.from_text("Total TTC 120,00 €\nÉchéance : 30/04/2026"), card)

    assert values(extraction) == {"due": "2026-04-30"}


def test_a_pattern_that_backtracks_without_end_costs_its_field_an_error_not_the_worker_its_time():
    card = Card(
        "c",
        "C",
        fields=(
            FieldSpec("evil", "Evil", "text", "#000000", pattern=r"^(a+)+$"),
            FieldSpec("total", "Total", "amount", "#000000", labels=("Total",)),
        ),
    )
    document = Document.from_text("a" * 50_000 + "b\nTotal 12.00")

    started = time.monotonic()
    extraction = extract(document, card)
    elapsed = time.monotonic() - started

    assert [(field.key, field.value, field.error) for field in extraction.fields] == [
        ("evil", None, "pattern_timeout"),
        ("total", "12.00", None),
    ]
    # Bounded by the limit per search (with room for a machine several times slower), where the
    # pattern alone would run for longer than the universe has.
    assert elapsed < PATTERN_TIMEOUT_S * len(document.lines) + 30


@pytest.mark.parametrize(
    "text, where, expected",
    [
        ("Total 10.00\nx\nx\nx\nx\nTotal 20.00", "top", "10.00"),
        ("Total 10.00\nx\nx\nx\nx\nTotal 20.00", "bottom", "20.00"),
    ],
)
def test_a_field_may_be_looked_for_at_the_top_or_the_bottom_of_the_page(text, where, expected):
    card = Card("c", "C", fields=(FieldSpec("total", "Total", "amount", "#000000", labels=("Total",), where=where),))

    assert values(extract(Document.from_text(text), card))["total"] == expected
