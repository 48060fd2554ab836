"""Which records a caller may read, and how many records a size range holds."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from api_access.policy import visible_to
from ocr_record.models import SIZE_BUCKET_BYTES, OcrRecord, OcrRecordRequest, OcrRecordSizeCount


def ocr_record_list_visible_to(user) -> QuerySet[OcrRecord]:
    """The records `user` may read (api_access/policy.py); its own are those it asked for."""
    asked_for = Exists(OcrRecordRequest.objects.filter(record=OuterRef("pk"), user_id=user.pk))
    return visible_to(user, OcrRecord.objects.all(), own=Q(asked_for))


def ocr_record_count_sized(smallest: int | None, largest: int | None) -> int:
    """How many records have `smallest` <= image_size <= `largest` (None: unbounded), exactly, from
    OcrRecordSizeCount's whole buckets inside the range and a count of the records in the two
    partial buckets at its edges: a few thousand rows read at a million records, not all those in
    the range (402,066 for 20-60 kB)."""
    smallest = max(smallest or 0, 0)
    first = smallest // SIZE_BUCKET_BYTES
    last = None if largest is None else largest // SIZE_BUCKET_BYTES
    if last is not None and last <= first:
        return OcrRecord.objects.filter(image_size__gte=smallest, image_size__lte=largest).count()
    # The first bucket's records from `smallest` on, then the whole buckets, then the last's up to `largest`.
    count = OcrRecord.objects.filter(image_size__gte=smallest, image_size__lt=(first + 1) * SIZE_BUCKET_BYTES).count()
    whole = OcrRecordSizeCount.objects.filter(bucket__gt=first)
    if last is not None:
        whole = whole.filter(bucket__lt=last)
        count += OcrRecord.objects.filter(image_size__gte=last * SIZE_BUCKET_BYTES, image_size__lte=largest).count()
    return count + (whole.aggregate(records=Sum("records"))["records"] or 0)
