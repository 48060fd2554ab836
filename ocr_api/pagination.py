from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` as in v1.0.0; a larger `page_size` is cut to the cap, not refused."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 500


class CountedQuerySet:
    """A queryset whose count is known already (the paginator asks for it, and would otherwise
    count every matching row): slices and orders as the queryset does."""

    def __init__(self, queryset, count: int) -> None:
        self.queryset, self.known_count = queryset, count

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def count(self) -> int:
        return self.known_count

    def __len__(self) -> int:
        return self.known_count

    def __getitem__(self, key):
        return self.queryset[key]
