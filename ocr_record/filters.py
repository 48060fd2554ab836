import django_filters

from ocr_api.filters import FixedFilterSet, UtcDateTimeFilter
from ocr_api.serializers import NOT_ONE_OF
from ocr_record.models import OcrRecord
from ocr_record.selectors import sized_between


class OcrRecordFilter(FixedFilterSet):
    """The list filters of v1.0.0: `id`, `image_md5`, `image_size__lte/gte`, `created_at__lte/gte`;
    and beside them `kind`, `lang` and `tag` for the records parse_text adds.

    Date-times are ISO 8601, with or without a time zone (without one, the server's TIME_ZONE).
    """

    created_at__lte = UtcDateTimeFilter(field_name="created_at", lookup_expr="lte")
    created_at__gte = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    kind = django_filters.ChoiceFilter(
        choices=OcrRecord.Kind.choices,
        help_text="`letter` or `text`.",
        # Django's forms fill in %(value)s.
        error_messages={
            "invalid_choice": NOT_ONE_OF.format(input="%(value)s", choices=", ".join(OcrRecord.Kind.values))
        },
    )
    lang = django_filters.CharFilter(help_text="The language(s) read, e.g. `eng` or `chi_sim`.")
    tag = django_filters.CharFilter(
        field_name="tags__name", distinct=True, help_text="Records carrying this tag (parse_text's `tag`)."
    )

    class Meta:
        model = OcrRecord
        fields = {
            "id": ["exact"],
            "image_md5": ["exact"],
            "image_size": ["lte", "gte"],
        }

    def filter_queryset(self, queryset):
        # The size bounds are applied in one place, where the database can be told how (selectors).
        data = self.form.cleaned_data
        bounds = {name: data.pop(name, None) for name in ("image_size__gte", "image_size__lte")}
        try:
            queryset = super().filter_queryset(queryset)
        finally:
            data.update(bounds)
        return queryset.filter(sized_between(bounds["image_size__gte"], bounds["image_size__lte"]))
