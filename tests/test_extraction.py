"""The extraction core (extraction/): a card's fields out of a reading; no Django, no database.
Real receipts (tests/realdata/sroie_fields) beside made-up lines."""

import json
from pathlib import Path

import pytest

from extraction import RECEIPT, Document, Line, extract
from extraction.values import amounts_in, dates_in, same_amount, same_date

RECEIPTS = Path(__file__).resolve().parent / "realdata" / "sroie_fields"
LABELS = json.loads((RECEIPTS / "fields.json").read_text(encoding="utf-8"))
LINES = json.loads((RECEIPTS / "lines.json").read_text(encoding="utf-8"))


def squeezed(text: str | None) -> str:
    return "".join((text or "").casefold().split())


@pytest.mark.parametrize("receipt", ["000", "003", "004", "008", "034", "077", "089"])
def test_a_real_receipt_s_date_and_total_are_found(receipt):
    extraction = extract(Document.from_boxes(LINES[receipt]), RECEIPT)

    assert same_date(extraction.value("date"), LABELS[receipt]["date"])
    assert same_amount(extraction.value("total"), LABELS[receipt]["total"])


@pytest.mark.parametrize("receipt", ["004", "005", "008", "034"])
def test_a_real_receipt_s_company_and_address_are_found_as_printed(receipt):
    extraction = extract(Document.from_boxes(LINES[receipt]), RECEIPT)

    assert squeezed(extraction.value("company")) == squeezed(LABELS[receipt]["company"])
    assert squeezed(extraction.value("address")) == squeezed(LABELS[receipt]["address"])


def test_every_field_says_where_it_is_in_the_text_and_on_the_page():
    document = Document.from_boxes(LINES["004"])

    fields = {field.key: field for field in extract(document, RECEIPT).fields}

    total = fields["total"]
    assert document.text[total.index : total.index + len(total.value)] == total.value == "30.90"
    assert (total.normalized, total.page, total.color) == ("30.90", 1, "#d62728")
    line = next(box for box in LINES["004"] if box["text"] == "RM 30.90")  # "TOTAL ROUNDED"'s
    xs, ys = [x for x, _ in total.location], [y for _, y in total.location]
    assert min(line["box"][0::2]) - 1 <= min(xs) and max(xs) <= max(line["box"][0::2]) + 1
    assert min(line["box"][1::2]) - 1 <= min(ys) and max(ys) <= max(line["box"][1::2]) + 1
    # The address spans four lines: its location covers them whole.
    address = fields["address"]
    assert address.location[0][1] < address.location[2][1] - 60
    assert fields["date"].normalized == "2018-11-18"


def test_a_label_and_its_amount_in_two_columns_are_paired_by_their_row():
    document = Document(
        [
            Line("SUB TOTAL", [[10, 100], [90, 100], [90, 120], [10, 120]]),
            Line("TOTAL", [[10, 130], [60, 130], [60, 150], [10, 150]]),
            Line("CASH", [[10, 160], [60, 160], [60, 180], [10, 180]]),
            Line("9.50", [[200, 101], [240, 101], [240, 119], [200, 119]]),
            Line("10.07", [[200, 131], [240, 131], [240, 149], [200, 149]]),
            Line("20.00", [[200, 161], [240, 161], [240, 179], [200, 179]]),
        ]
    )

    total = next(field for field in extract(document, RECEIPT).fields if field.key == "total")

    assert (total.value, total.normalized) == ("10.07", "10.07")


def test_the_total_after_its_rounding_is_the_one_paid():
    document = Document.from_text("TOTAL (INCLUSIVE OF GST): 23.26\nROUNDING ADJ: -0.01\nTOTAL: 23.25\nCASH: 50.00")

    assert extract(document, RECEIPT).value("total") == "23.25"


def test_a_field_not_found_is_there_with_no_value_and_no_confidence():
    extraction = extract(Document.from_text("hello"), RECEIPT)

    fields = {field.key: field for field in extraction.fields}
    assert [field.key for field in extraction.fields] == ["company", "date", "address", "total"]
    assert (fields["date"].value, fields["date"].confidence, fields["date"].index) == (None, 0.0, None)
    assert (fields["total"].value, fields["total"].location) == (None, None)


def test_plain_text_has_indexes_but_no_locations():
    extraction = extract(Document.from_text("ABC HO TRADING\nDATE: 09/01/2019\nTOTAL 31.00"), RECEIPT)

    fields = {field.key: field for field in extraction.fields}
    assert (fields["company"].value, fields["company"].index) == ("ABC HO TRADING", 0)
    assert (fields["date"].value, fields["date"].index, fields["date"].location) == ("09/01/2019", 21, None)
    assert fields["total"].normalized == "31.00"


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("25/12/2018 8:13:39 PM", "2018-12-25"),
        ("DATE: 18-11-18", "2018-11-18"),
        ("2018-01-09", "2018-01-09"),
        ("09 JAN 2018", "2018-01-09"),
        ("Jan 9, 2018", "2018-01-09"),
        ("ORD #50 -REG #19- 18/01/2018 10:27:03", "2018-01-18"),
        ("30/05/201710:18:02AM", "2017-05-30"),  # run into its time by the OCR
        ("03/04/1819:19", "2018-04-03"),
        ("24Mar 201818:23", "2018-03-24"),
    ],
)
def test_dates_are_read_day_first_and_normalized(printed, iso):
    assert [found.normalized for found in dates_in(printed)][:1] == [iso]


@pytest.mark.parametrize("printed", ["12/1000", "31/02/2018", "02 - 12/48", "TEL 03-4162-2318", "1/2/20189"])
def test_what_only_looks_like_a_date_is_not_one(printed):
    assert dates_in(printed) == []


def test_amounts_are_read_with_thousands_and_currency():
    assert [found.normalized for found in amounts_in("TOTAL: RM 1,234.50 CASH 2000.00 QTY 3")] == [
        "1234.50",
        "2000.00",
    ]
    assert same_amount("RM41.45", "41.45") and same_date("20180325", "25/03/2018")


def test_a_receipt_s_items_have_their_name_quantity_and_amount():
    extraction = extract(Document.from_boxes(LINES["004"]), RECEIPT)

    (items,) = extraction.groups
    first = {field.key: field.value for field in items.rows[0]}
    assert items.key == "items" and len(items.rows) == 5
    assert first == {"name": "KILAT AUTO ECO WASH & SHINE ES1000 1L WA45 /2A - 12", "quantity": "1", "amount": "3.11"}


def test_a_quantity_before_its_unit_price_is_read_on_a_line_run_together():
    document = Document.from_text("DATE 01/02/2019\nSPRITE 1.5L\n9555916500133 2 X 3.50 7.00\nTOTAL 7.00")

    (row,) = extract(document, RECEIPT).groups[0].rows
    assert [(field.key, field.value) for field in row] == [
        ("name", "SPRITE 1.5L"),
        ("quantity", "2"),
        ("amount", "7.00"),
    ]


def test_an_address_read_run_together_or_printed_above_the_company_is_found():
    run_together = Document.from_text(
        "VIVOPACMARKETING SDN BHD(1070687-M)\n14JALAN MANIS4TAMAN SEGAR56100KL\nTEL:03-9133"
    )
    above = Document.from_text(
        "TAX INVOICE\nLOT PTD 101051\nJalan Permas 10/10\n81750 Masai, Johor\nEsjay Fuel Enterprise\nCO. REG. NO: 1-T"
    )

    assert extract(run_together, RECEIPT).value("address") == "14JALAN MANIS4TAMAN SEGAR56100KL"
    assert extract(above, RECEIPT).value("address") == "LOT PTD 101051 Jalan Permas 10/10 81750 Masai, Johor"


def test_a_rounding_adjustment_and_a_tax_summary_are_no_totals():
    document = Document.from_text(
        "TOTAL 6% SUPPLIES (INC. GST): 30.01\nROUND AMT 0.02\nTOTAL PAYABLE: 22.58\nACCEPTED TOTAL 50.00"
    )

    assert extract(document, RECEIPT).value("total") == "22.58"


def test_a_company_ends_with_its_first_legal_suffix_and_a_registration_line_is_no_name():
    former = Document.from_text("MYNEWS RETAIL SB(306295-X) FKA BISON STORES SB\nDATE 01/02/2019")
    unnamed = Document.from_text("GL HANDICRAFT & TAILORING\n19, JALAN KANCIL,\nCOMPANY REG NO. :75495-W")

    assert extract(former, RECEIPT).value("company") == "MYNEWS RETAIL SB"
    assert extract(unnamed, RECEIPT).value("company") == "GL HANDICRAFT & TAILORING"


def test_an_address_ends_at_its_town_and_leaves_the_mall_and_the_registration_under_it():
    mall = Document.from_text(
        "POPULAR BOOK CO. (M) SDN BHD\nNO 8, JALAN 7/118B, DESA TUN RAZAK\n56000 KUALA LUMPUR, MALAYSIA\n"
        "SUNWAY VELOCITY\nTEL : 03-9201 6281"
    )
    registration = Document.from_text(
        "NADEJE PRESTIGE SDN BHD\nLOT G1.116A, SUNWAY PYRAMID,\nBANDAR SUNWAY, 47500 PETALING JAYA.\n(1198447-X)"
    )
    branch = Document.from_text(
        "MR. D.I.Y. (M) SDN BHD\nLOT 1851-A & 1851-B, JALAN KPB 6,\n43300 SERI KEMBANGAN, SELANGOR\n(TESCO PUTRA NILAI)\n"
        "GST ID NO : 000306020352"
    )

    assert extract(mall, RECEIPT).value("address") == "NO 8, JALAN 7/118B, DESA TUN RAZAK 56000 KUALA LUMPUR, MALAYSIA"
    assert extract(registration, RECEIPT).value("address") == (
        "LOT G1.116A, SUNWAY PYRAMID, BANDAR SUNWAY, 47500 PETALING JAYA."
    )
    assert extract(branch, RECEIPT).value("address") == (
        "LOT 1851-A & 1851-B, JALAN KPB 6, 43300 SERI KEMBANGAN, SELANGOR (TESCO PUTRA NILAI)"
    )


def test_an_address_printed_at_the_foot_is_found_and_an_item_s_code_is_no_postcode():
    foot = Document.from_text(
        "THE MARCO POLO KITCH\nBUKIT INDAH\nGST REG NO: 001403346944\nTOTAL\n15.15\nTEL:07-2343 111\n"
        "NO 35,JALAN INDAH 15/2,BUKIT INDAH\n81200 JOHOR BAHRU,JOHOR"
    )
    items = Document.from_text("WATSON'S PERSONAL CARE STORES SDN BHD\nUSJ SUMMIT\n22241 WS CUT SCISSORS\n18.00 S")

    assert extract(foot, RECEIPT).value("address") == "NO 35,JALAN INDAH 15/2,BUKIT INDAH 81200 JOHOR BAHRU,JOHOR"
    assert extract(items, RECEIPT).value("address") is None


def box(left: float, top: float, right: float, bottom: float) -> list[list[float]]:
    return [[left, top], [right, top], [right, bottom], [left, bottom]]


def test_the_words_of_a_name_boxed_apart_by_the_engine_are_one_phrase_and_a_table_s_columns_stay_apart():
    # As PP-OCR boxed receipt 613's name (words printed wide apart), and receipt 152's tax summary.
    document = Document(
        [
            Line("POPULAR", box(185, 281, 505, 328)),
            Line("BOOK", box(531, 281, 717, 328)),
            Line("cO.", box(144, 335, 266, 375)),
            Line("(M)", box(319, 330, 456, 379)),
            Line("SDN BHD", box(488, 333, 812, 379)),
            Line("NET(RM)", box(195, 742, 280, 766)),
            Line("GST(RM)", box(307, 740, 392, 769)),
            Line("S", box(59, 769, 80, 794)),
            Line("6.00%", box(97, 768, 161, 793)),
        ]
    )

    phrases = document.in_phrases()

    assert [line.text for line in phrases.lines] == [
        "POPULAR BOOK",
        "cO. (M) SDN BHD",
        "NET(RM)",
        "GST(RM)",
        "S",
        "6.00%",
    ]
    assert phrases.lines[0].location == box(185, 281, 717, 328)
    assert extract(document, RECEIPT).value("company") == "POPULAR BOOK cO. (M) SDN BHD"


def test_a_name_without_a_legal_suffix_ends_at_its_co_and_a_misread_sdn_is_mended():
    mall = Document.from_text("EIGHT OUNCE COFFEE CO.THE GARDENS MALL\nF.K06, FIRST FLOOR, THE GARDENS MALL,")
    misread = Document.from_text("SUBANG HEALTHCARE SIN BHD\n(1042035-V)")

    assert extract(mall, RECEIPT).value("company") == "EIGHT OUNCE COFFEE CO."
    assert extract(misread, RECEIPT).value("company") == "SUBANG HEALTHCARE SDN BHD"


def test_a_number_alone_under_the_quantity_column_is_the_quantity_not_the_name_s_end():
    document = Document.from_text(
        "DATE: 09/01/2019\nITEM QTY AMOUNT\nMILO 1KG 1 17.90\nROTI GARDENIA 2 7.60\nTOTAL 25.50"
    )

    rows = extract(document, RECEIPT).groups[0].rows

    assert [[(field.key, field.value) for field in row] for row in rows] == [
        [("name", "MILO 1KG"), ("quantity", "1"), ("amount", "17.90")],
        [("name", "ROTI GARDENIA"), ("quantity", "2"), ("amount", "7.60")],
    ]


def test_without_a_quantity_column_a_number_ending_a_name_stays_in_it():
    document = Document.from_text("DATE: 09/01/2019\nPANADOL ACTIFAST 20 12.90\nTOTAL 12.90")

    (row,) = extract(document, RECEIPT).groups[0].rows
    assert (row[0].key, row[0].value) == ("name", "PANADOL ACTIFAST 20")
