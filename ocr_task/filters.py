import django_filters

from ocr_api.filters import FixedFilterSet, UtcDateTimeFilter
from ocr_task.models import OcrTask, Status


class OcrTaskFilter(FixedFilterSet):
    """Tasks by status and by when they were submitted (ISO 8601, as the records' filters)."""

    status = django_filters.ChoiceFilter(
        choices=Status.choices, help_text="`pending`, `running`, `succeeded` or `failed`."
    )
    created_at__lte = UtcDateTimeFilter(field_name="created_at", lookup_expr="lte")
    created_at__gte = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = OcrTask
        fields = ["status", "created_at__lte", "created_at__gte"]
