"""Content negotiation for views that write documents themselves."""

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer


class JsonAnswers(BaseContentNegotiation):
    """For views whose `format` parameter chooses a document (an export, hOCR), not one of DRF's
    renderers (which would answer 404 to a format it has no renderer for): answers and errors JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type
