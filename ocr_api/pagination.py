from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` as in v1.0.0; a larger `page_size` is cut to the cap, not refused."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 500
