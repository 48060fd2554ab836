"""/api/cards/: cards of one's own made, changed and removed, checked on the way in; built-in cards
left as they are; each client's own with OCR_API_AUTH=required; and used at once by /api/extract/."""

import pytest
from rest_framework.test import APIClient

from ocr_extract.models import Card
from tests.helpers import restore_built_in_cards

pytestmark = pytest.mark.django_db

CARDS_URL = "/api/cards/"
EXTRACT_URL = "/api/extract/"

INVOICE = {
    "name": "Rechnung",
    "fields": [
        {"key": "number", "name": "Rechnungsnummer", "type": "id", "labels": ["Rechnungsnummer", "Rechnung Nr."]},
        {"key": "date", "name": "Datum", "type": "date", "labels": ["Rechnungsdatum"]},
        {"key": "total", "name": "Gesamt", "type": "amount", "labels": ["Gesamtbetrag"], "required": True},
        {"key": "iban", "name": "IBAN", "type": "iban"},
    ],
    "groups": [
        {
            "key": "lines",
            "name": "Positionen",
            "fields": [
                {"key": "description", "name": "Beschreibung", "labels": ["Beschreibung"]},
                {"key": "amount", "name": "Betrag", "type": "amount", "labels": ["Betrag"]},
            ],
        }
    ],
}
GERMAN = (
    "ACME GmbH                 Rechnungsnummer: 2026-0042\n"
    "                          Rechnungsdatum: 15. März 2026\n"
    "Beschreibung                            Betrag\n"
    "Widget A                              1.234,50\n"
    "Gesamtbetrag                          1.234,50 €\n"
    "IBAN DE89 3704 0044 0532 0130 00\n"
)


@pytest.fixture(autouse=True)
def built_in_cards():
    restore_built_in_cards()


def test_a_card_of_one_s_own_is_made_with_a_slug_from_its_name_and_colours_for_its_fields(api_client):
    response = api_client.post(CARDS_URL, INVOICE, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slug"], body["rules"], body["built_in"]) == ("rechnung", "fields", False)
    assert [field["color"] for field in body["fields"]] == ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    assert body["fields"][0]["labels"] == ["Rechnungsnummer", "Rechnung Nr."]
    stored = Card.objects.get(pk=body["id"])
    assert stored.fields[2]["required"] is True and stored.groups[0]["key"] == "lines"
    assert api_client.post(CARDS_URL, INVOICE, format="json").json()["slug"] == "rechnung-2"


def test_a_card_of_one_s_own_reads_a_document_at_once(api_client):
    slug = api_client.post(CARDS_URL, INVOICE, format="json").json()["slug"]

    response = api_client.post(EXTRACT_URL, {"card": slug, "text": GERMAN}, format="json")

    assert response.status_code == 200, response.json()
    fields = {field["key"]: field for field in response.json()["fields"]}
    assert {key: field["normalized"] for key, field in fields.items()} == {
        "number": "2026-0042",
        "date": "2026-03-15",
        "total": "1234.50",
        "iban": "DE89370400440532013000",
    }
    assert GERMAN[fields["number"]["index"] :].startswith("2026-0042")
    rows = response.json()["groups"][0]["rows"]
    assert [[field["normalized"] for field in row] for row in rows] == [["Widget A", "1234.50"]]


@pytest.mark.parametrize(
    "field, error_at",
    [
        ({"key": "x", "name": "X", "pattern": "(unclosed"}, "pattern"),
        ({"key": "X!", "name": "X"}, "key"),
        ({"key": "x", "name": "X", "type": "colour"}, "type"),
        ({"key": "x", "name": "X", "where": "region"}, "region"),
        ({"key": "x", "name": "X", "where": "region", "region": [0.5, 0, 0.2, 1]}, "region"),
        ({"key": "x", "name": "X", "pattern": "a" * 501}, "pattern"),
        ({"key": "x", "name": "X", "labels": ["l"] * 21}, "labels"),
    ],
)
def test_a_bad_field_is_a_400_naming_it_and_nothing_is_stored(api_client, field, error_at):
    response = api_client.post(CARDS_URL, {"name": "Bad", "fields": [field]}, format="json")

    assert response.status_code == 400
    assert error_at in response.json()["fields"]["0"]
    assert not Card.objects.filter(name="Bad").exists()


def test_a_bad_regex_says_what_is_wrong_with_it(api_client):
    response = api_client.post(
        CARDS_URL, {"name": "Bad", "fields": [{"key": "x", "name": "X", "pattern": "(a"}]}, format="json"
    )

    assert response.json()["fields"]["0"]["pattern"] == [
        "The pattern of 'x' is no regular expression: missing ) at position 2."
    ]


@pytest.mark.parametrize(
    "card, error_at",
    [
        ({"name": "No fields"}, "fields"),
        ({"name": "Twice", "fields": [{"key": "x", "name": "X"}, {"key": "x", "name": "Y"}]}, "fields"),
        ({"name": "Many", "fields": [{"key": f"f{n}", "name": "F"} for n in range(51)]}, "fields"),
        (
            {
                "name": "Rows",
                "fields": [{"key": "x", "name": "X"}],
                "groups": [
                    {"key": "g", "name": "G", "fields": [{"key": "a", "name": "A"}], "row_pattern": "(?P<b>\\d+)"}
                ],
            },
            "groups",
        ),
        ({"name": "Slug", "slug": "receipt", "fields": [{"key": "x", "name": "X"}]}, "slug"),
    ],
)
def test_a_bad_card_is_a_400_naming_what_is_wrong(api_client, card, error_at):
    response = api_client.post(CARDS_URL, card, format="json")

    assert response.status_code == 400
    assert error_at in response.json()
    assert not Card.objects.filter(name=card["name"]).exists()


def test_a_card_of_one_s_own_is_changed_and_removed(api_client):
    card = api_client.post(CARDS_URL, INVOICE, format="json").json()

    renamed = api_client.patch(f"{CARDS_URL}{card['id']}/", {"name": "Invoice DE"}, format="json")
    replaced = api_client.put(
        f"{CARDS_URL}{card['id']}/",
        {"name": "Invoice DE", "fields": [{"key": "total", "name": "Total"}]},
        format="json",
    )
    removed = api_client.delete(f"{CARDS_URL}{card['id']}/")

    assert renamed.status_code == 200 and renamed.json()["name"] == "Invoice DE"
    assert renamed.json()["fields"] == card["fields"]
    assert replaced.status_code == 200 and [field["key"] for field in replaced.json()["fields"]] == ["total"]
    assert replaced.json()["groups"] == []
    assert removed.status_code == 204
    assert not Card.objects.filter(pk=card["id"]).exists()


def test_a_built_in_card_is_not_changed_or_removed_through_the_api(api_client):
    receipt = Card.objects.get(slug="receipt")

    changed = api_client.patch(f"{CARDS_URL}{receipt.pk}/", {"name": "Mine"}, format="json")
    removed = api_client.delete(f"{CARDS_URL}{receipt.pk}/")

    assert (changed.status_code, changed.json()["code"]) == (403, "built_in_card")
    assert (removed.status_code, removed.json()["code"]) == (403, "built_in_card")
    receipt.refresh_from_db()
    assert receipt.name == "Receipt"


def test_with_auth_required_a_client_sees_and_uses_the_built_in_cards_and_its_own(settings, django_user_model):
    settings.OCR_API_AUTH = "required"
    alice, bob = (django_user_model.objects.create_user(name, password="pw-long-enough") for name in ("alice", "bob"))
    staff = django_user_model.objects.create_user("staff", password="pw-long-enough", is_staff=True)
    clients = {}
    for user in (alice, bob, staff):
        clients[user.username] = APIClient()
        clients[user.username].force_authenticate(user)
    mine = clients["alice"].post(CARDS_URL, INVOICE, format="json").json()

    def slugs(client):
        return [card["slug"] for card in client.get(CARDS_URL).json()["results"]]

    assert slugs(clients["alice"]) == ["receipt", "invoice", "rechnung"]
    assert slugs(clients["bob"]) == ["receipt", "invoice"]
    assert slugs(clients["staff"]) == ["receipt", "invoice", "rechnung"]
    assert clients["bob"].get(f"{CARDS_URL}{mine['id']}/").status_code == 404
    assert clients["bob"].delete(f"{CARDS_URL}{mine['id']}/").status_code == 404
    used = clients["bob"].post(EXTRACT_URL, {"card": "rechnung", "text": GERMAN}, format="json")
    assert used.status_code == 400 and "card" in used.json()
    assert Card.objects.get(pk=mine["id"]).created_by == alice


def test_a_pattern_that_cannot_finish_costs_its_field_an_error_and_the_others_are_answered(api_client):
    card = {
        "name": "Evil",
        "fields": [
            {"key": "evil", "name": "Evil", "pattern": "^(a+)+$"},
            {"key": "total", "name": "Total", "type": "amount", "labels": ["Total"]},
        ],
    }
    api_client.post(CARDS_URL, card, format="json")

    response = api_client.post(EXTRACT_URL, {"card": "evil", "text": "a" * 30_000 + "b\nTotal 12.00"}, format="json")

    assert response.status_code == 200
    fields = {field["key"]: field for field in response.json()["fields"]}
    assert (fields["evil"]["value"], fields["evil"]["error"]) == (None, "pattern_timeout")
    assert fields["total"]["normalized"] == "12.00"
