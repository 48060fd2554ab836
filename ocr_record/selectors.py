"""Which records a caller may read."""

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from ocr_record.models import OcrRecord, OcrRecordRequest


def ocr_record_list_visible_to(user) -> QuerySet[OcrRecord]:
    """Every record when the API is open or for staff; otherwise the records `user` asked for
    (a record two clients asked for is visible to both)."""
    records = OcrRecord.objects.all()
    if settings.OCR_API_AUTH == "open" or user.is_staff:
        return records
    return records.filter(Exists(OcrRecordRequest.objects.filter(record=OuterRef("pk"), user_id=user.pk)))
