"""The one access policy: who may call, who is calling, and what each caller may see.

- OCR_API_AUTH "open": anyone may call, and everyone sees everything (v1.0.0's behaviour).
- "required": a token or an API key is needed; staff see everything, every other client what is
  its own (the records it asked for, the tasks it submitted: each app says what "own" is).
"""

from collections.abc import Callable

from django.conf import settings
from django.db.models import Q, QuerySet


def may_call(user) -> bool:
    return settings.OCR_API_AUTH == "open" or bool(user and user.is_authenticated)


def caller(request):
    """The user a request is made for, or None when anonymous."""
    return request.user if request.user.is_authenticated else None


def sees_everything(user) -> bool:
    """Whether `user` sees every record and task (the open API, or staff), not only its own."""
    return settings.OCR_API_AUTH == "open" or user.is_staff


def visible_to(user, objects: QuerySet, *, own: Callable[[], Q]) -> QuerySet:
    """`objects` as `user` may see them: all, or those matching `own()` (built only when needed:
    a subquery's condition costs the ORM more than a whole lookup by primary key)."""
    if sees_everything(user):
        return objects
    return objects.filter(own())
