"""The API's JSON parser: DRF's, refusing what Python's json module cannot parse safely."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """A body nested deeper than Python's recursion limit (`[[[[...]]]]`, a few hundred kilobytes)
    makes json raise RecursionError, which DRF's parser lets through as a 500: it is a 400 here."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
