import django_filters

from ocr_record.models import OcrRecord


class OcrRecordFilter(django_filters.FilterSet):
    """The list filters of v1.0.0: `id`, `image_md5`, `image_size__lte/gte`, `created_at__lte/gte`.

    Date-times are ISO 8601, with or without a time zone (without one, the server's TIME_ZONE).
    """

    class Meta:
        model = OcrRecord
        fields = {
            "id": ["exact"],
            "image_md5": ["exact"],
            "image_size": ["lte", "gte"],
            "created_at": ["lte", "gte"],
        }
