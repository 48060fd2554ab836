"""The write path of cards: a card of one's own made, changed or removed. Built-in cards come with
the service (by data migrations) and are not changed through the API."""

from django.db import transaction
from django.utils.text import slugify

from ocr_api.exceptions import ApplicationError
from ocr_extract.models import Card


def card_create(*, data: dict, created_by) -> Card:
    card = Card(created_by=created_by)
    return _save(card, data)


def card_update(*, card: Card, data: dict) -> Card:
    _refuse_built_in(card)
    return _save(card, data)


def card_delete(*, card: Card) -> None:
    """The card goes; tasks that named it keep the fields already read, and no card."""
    _refuse_built_in(card)
    card.delete()


def _save(card: Card, data: dict) -> Card:
    for name in ("name", "fields", "groups"):
        if name in data:
            setattr(card, name, data[name])
    if "template" in data:  # an invoice2data template, its fields and groups made from it
        card.rules, card.template, card.template_source = (
            Card.Rules.INVOICE2DATA,
            data["template"],
            data["template_source"],
        )
    elif "fields" in data:
        card.rules, card.template, card.template_source = Card.Rules.FIELDS, None, ""
        card.groups = data.get("groups", [])
    with transaction.atomic():
        card.slug = data.get("slug") or card.slug or _free_slug(card.name)
        card.save()
    return card


def _free_slug(name: str) -> str:
    """The name as a slug, numbered when another card has it already ("invoice-2")."""
    base = slugify(name)[:90] or "card"
    slug, number = base, 1
    while Card.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _refuse_built_in(card: Card) -> None:
    if card.built_in:
        raise ApplicationError(
            f"The card '{card.slug}' comes with the service and is not changed through the API; "
            "make a card of your own (POST /api/cards/).",
            code="built_in_card",
            status=403,
        )
