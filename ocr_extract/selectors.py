"""Reading cards: which a caller may see and use."""

from django.db.models import Q, QuerySet

from api_access.policy import visible_to
from ocr_extract.models import Card


def card_list_visible_to(user) -> QuerySet[Card]:
    """The cards `user` may see and use (api_access/policy.py): the built-in ones and its own."""
    return visible_to(user, Card.objects.all(), own=lambda: Q(built_in=True) | Q(created_by_id=user.pk))


def card_named(reference: str | int, *, user) -> Card | None:
    """The card whose id or slug is `reference`, if `user` may use it."""
    reference = str(reference).strip()
    lookup = Q(slug=reference) | Q(pk=int(reference)) if reference.isdigit() else Q(slug=reference)
    return card_list_visible_to(user).filter(lookup).first()
