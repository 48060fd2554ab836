"""The list's `search`, as v1.0.0 answers it, from the databases' text indexes.

A term matches a record whose text contains it, case-insensitively, or, when the term is
hexadecimal, whose md5 starts with it; several terms must all match (DRF's SearchFilter splits
them). v1.0.0 read the whole table for each search (LIKE '%term%'); here:
- the text is looked up in SQLite's FTS5 trigram index, or on PostgreSQL through pg_trgm's index
  on UPPER(content_text) (migration 0008). A term of one or two characters has no trigram: it is
  matched by reading the table, as before.
- the md5 prefix is a range of the md5's B-tree index (md5s are stored in lower-case hex; the
  case-insensitive LIKE v1.0.0 used cannot use an index on SQLite).
"""

import string

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from rest_framework.filters import SearchFilter

HEX_DIGITS = frozenset(string.hexdigits)
# The trigram tokenizer indexes three characters at a time: shorter terms cannot be looked up.
TRIGRAM = 3


class RecordSearchFilter(SearchFilter):
    """DRF's SearchFilter (its `search` parameter, terms and schema), matched through the indexes."""

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        for term in self.get_search_terms(request):
            queryset = queryset.filter(term_matches(term))
        return queryset


def term_matches(term: str) -> Q:
    """The records whose text contains `term` (case-insensitively) or whose md5 starts with it."""
    if connection.vendor == "sqlite" and len(term) >= TRIGRAM:
        # An FTS5 string: the term between double quotes, its own double quotes doubled.
        phrase = '"' + term.replace('"', '""') + '"'
        text = Q(id__in=RawSQL("SELECT rowid FROM ocr_record_search WHERE ocr_record_search MATCH %s", [phrase]))
    else:
        text = Q(content_text__icontains=term)
    if set(term) <= HEX_DIGITS:
        prefix = term.lower()
        # Every md5 starting with `prefix` sorts from `prefix` up to (not including) `prefix` + "g":
        # hex digits all sort before "g".
        return text | Q(image_md5__gte=prefix, image_md5__lt=prefix + "g")
    return text
