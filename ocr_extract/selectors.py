"""Reading cards."""

from django.db.models import Q, QuerySet

from ocr_extract.models import Card


def card_list() -> QuerySet[Card]:
    return Card.objects.all()


def card_named(reference: str | int) -> Card | None:
    """The card whose id or slug is `reference`."""
    reference = str(reference).strip()
    lookup = Q(slug=reference) | Q(pk=int(reference)) if reference.isdigit() else Q(slug=reference)
    return Card.objects.filter(lookup).first()
