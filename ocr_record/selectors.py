"""Which records a caller may read."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from api_access.policy import visible_to
from ocr_record.models import OcrRecord, OcrRecordRequest


def ocr_record_list_visible_to(user) -> QuerySet[OcrRecord]:
    """The records `user` may read (api_access/policy.py); its own are those it asked for."""
    asked_for = Exists(OcrRecordRequest.objects.filter(record=OuterRef("pk"), user_id=user.pk))
    return visible_to(user, OcrRecord.objects.all(), own=Q(asked_for))
