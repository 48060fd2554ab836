"""Which records a caller may read, and how many records a size range holds."""

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from api_access.policy import visible_to
from ocr_record.models import SIZE_BUCKET_BYTES, OcrRecord, OcrRecordRequest, OcrRecordSizeCount


def ocr_record_list_visible_to(user) -> QuerySet[OcrRecord]:
    """The records `user` may read (api_access/policy.py); its own are those it asked for."""
    return visible_to(
        user,
        OcrRecord.objects.all(),
        own=lambda: Q(Exists(OcrRecordRequest.objects.filter(record=OuterRef("pk"), user_id=user.pk))),
    )


def ocr_record_count_sized(smallest: int | None, largest: int | None) -> int:
    """How many records have `smallest` <= image_size <= `largest` (None: unbounded), exactly, from
    OcrRecordSizeCount's whole buckets inside the range and a count of the records in the partial
    buckets at its edges (none when a bound falls on a bucket's edge): a few thousand rows read at
    a million records, not all those in the range (402,066 for 20-60 kB)."""
    smallest = max(smallest or 0, 0)
    if largest is not None and largest < smallest:
        return 0
    records = OcrRecord.objects.all()
    first, last = smallest // SIZE_BUCKET_BYTES, None
    if largest is not None and largest // SIZE_BUCKET_BYTES == first:
        return records.filter(image_size__gte=smallest, image_size__lte=largest).count()
    count = 0
    if smallest % SIZE_BUCKET_BYTES:  # the first bucket in part: its records from `smallest` on
        count += records.filter(image_size__gte=smallest, image_size__lt=(first + 1) * SIZE_BUCKET_BYTES).count()
        first += 1
    if largest is not None:
        last = largest // SIZE_BUCKET_BYTES
        if (largest + 1) % SIZE_BUCKET_BYTES:  # the last bucket in part: its records up to `largest`
            count += records.filter(image_size__gte=last * SIZE_BUCKET_BYTES, image_size__lte=largest).count()
            last -= 1
    return count + _records_in_buckets(first, last)


def _records_in_buckets(first: int, last: int | None) -> int:
    """The records of the whole buckets `first` to `last` (None: every one from `first` on). Written
    out: the ORM took longer to build this sum than the database takes to answer it, and every
    unfiltered list asks it."""
    sql = f"SELECT COALESCE(SUM(records), 0) FROM {OcrRecordSizeCount._meta.db_table} WHERE bucket >= %s"
    parameters = [first]
    if last is not None:
        sql += " AND bucket <= %s"
        parameters.append(last)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return int(cursor.fetchone()[0])


#: A size range holding more than this share of the records is unselective: see sized_between.
UNSELECTIVE_SHARE = 0.01


def sized_between(smallest, largest) -> Q:
    """The records with `smallest` <= image_size <= `largest` (None: unbounded).

    SQLite plans without knowing how many rows a range holds (no STAT4): it reads a size range
    through the size index and sorts it, hundreds of thousands of rows at a million records,
    where walking the list's order and skipping other sizes finds a page at once. When the size
    counts say the range holds more than 1 % of the records, the bounds are compared on
    `image_size + 0`, which no index serves, so SQLite walks the order. PostgreSQL's planner
    knows the distribution and needs no such help."""
    if smallest is None and largest is None:
        return Q()
    field = F("image_size")
    if connection.vendor == "sqlite" and _unselective(smallest, largest):
        field = F("image_size") + 0
    condition = Q()
    if smallest is not None:
        condition &= Q(GreaterThanOrEqual(field, smallest))
    if largest is not None:
        condition &= Q(LessThanOrEqual(field, largest))
    return condition


def _unselective(smallest, largest) -> bool:
    """Whether the buckets the range touches hold more than UNSELECTIVE_SHARE of the records: one
    query over the per-KiB counts (an estimate, at most two partial buckets over, is all a
    planning hint needs; the page's exact count is ocr_record_count_sized's)."""
    try:
        first, last = (None if bound is None else int(bound) // SIZE_BUCKET_BYTES for bound in (smallest, largest))
    except (ValueError, OverflowError):  # a bound no integer can be (NaN, infinity)
        return False
    touched = Q()
    if first is not None:
        touched &= Q(bucket__gte=first)
    if last is not None:
        touched &= Q(bucket__lte=last)
    counts = OcrRecordSizeCount.objects.aggregate(total=Sum("records"), touched=Sum("records", filter=touched))
    return bool(counts["total"]) and (counts["touched"] or 0) > UNSELECTIVE_SHARE * counts["total"]
