"""The built-in invoice card: invoice2data's bundled templates first (by their keywords), every
other invoice read by its labels in five languages; born-digital PDFs from their text layer."""

import pytest

from tests.helpers import restore_built_in_cards, upload
from tests.invoices import INVOICES, born_digital_pdf

pytestmark = pytest.mark.django_db

EXTRACT_URL = "/api/extract/"


@pytest.fixture(autouse=True)
def built_in_cards():
    restore_built_in_cards()


def values(answer: dict) -> dict:
    found = {}
    for field in answer["fields"]:
        if field["value"] is not None:
            found.setdefault(field["key"], field["normalized"])
    return found


@pytest.mark.parametrize("language", ["en", "de", "fr", "nl", "zh"])
def test_an_invoice_of_no_known_issuer_is_read_by_its_labels(api_client, language):
    invoice = INVOICES[language]

    response = api_client.post(
        EXTRACT_URL, {"card": "invoice", "file": upload(born_digital_pdf(invoice), "invoice.pdf")}, format="multipart"
    )

    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["template"] is None and answer["page_sources"] == [{"number": 1, "source": "text_layer"}]
    assert values(answer) == {
        "invoice_number": invoice.number,
        "issue_date": invoice.date_iso,
        "due_date": "2026-04-14",
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "net": "1120.59",
        "tax": "212.91",
        "total": "1333.50",
        "iban": invoice.iban.replace(" ", ""),
        "bic": invoice.bic,
        "vat_ids": invoice.vat_id.replace(" ", ""),
    }
    items = answer["groups"][0]
    assert items["key"] == "line_items"
    assert [{field["key"]: field["normalized"] for field in row if field["value"]} for row in items["rows"]] == [
        {"description": name, "quantity": quantity, "amount": amount}
        for name, quantity, amount in (
            (invoice.lines[0][0], "2", "1234.50"),
            (invoice.lines[1][0], "1", "99.00"),
        )
    ]
    # Every value found stands where the answer's text says.
    for field in answer["fields"]:
        if field["value"] is not None:
            assert answer["text"][field["index"] :].startswith(field["value"])


def test_an_invoice_of_an_issuer_invoice2data_knows_is_read_by_its_bundled_template(api_client):
    # DigitalOcean's template, bundled with invoice2data (com.digitalocean.yml): its keyword is the
    # issuer's VAT number, its regexes read the text without its spaces.
    text = "Online SAS\nEU528002224\nInvoice Number: 12345\nDate Issued: March 15, 2026\nTotal: $42.00\n"

    answer = api_client.post(EXTRACT_URL, {"card": "invoice", "text": text}, format="json").json()

    assert answer["template"] == "com.digitalocean.yml"
    assert values(answer) == {
        "invoice_number": "12345",
        "issue_date": "2026-03-15",
        "seller": "Online SAS",
        "total": "42.00",
        "currency": "USD",
    }
    fields = {field["key"]: field for field in answer["fields"]}
    assert text[fields["issue_date"]["index"] :].startswith("March 15, 2026")
