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
        terms = self.get_search_terms(request)
        # On SQLite the words (terms that cannot be an md5 prefix) are looked up together, in one
        # MATCH: FTS5 intersects their trigram lists itself, much faster than one lookup per word.
        words = [term for term in terms if _indexed(term) and not set(term) <= HEX_DIGITS]
        if len(words) > 1:
            queryset = queryset.filter(_text_index_matches(*words))
            terms = [term for term in terms if term not in words]
        for term in terms:
            queryset = queryset.filter(term_matches(term))
        return queryset


def term_matches(term: str) -> Q:
    """The records whose text contains `term` (case-insensitively) or whose md5 starts with it."""
    text = _text_index_matches(term) if _indexed(term) else Q(content_text__icontains=term)
    if set(term) <= HEX_DIGITS:
        prefix = term.lower()
        # Every md5 starting with `prefix` sorts from `prefix` up to (not including) `prefix` + "g":
        # hex digits all sort before "g".
        return text | Q(image_md5__gte=prefix, image_md5__lt=prefix + "g")
    return text


def _indexed(term: str) -> bool:
    """Whether SQLite's trigram index can find the term (PostgreSQL's is used by `icontains`)."""
    return connection.vendor == "sqlite" and len(term) >= TRIGRAM


def _text_index_matches(*terms: str) -> Q:
    """The records whose text contains every term, from SQLite's FTS5 trigram index: each term an
    FTS5 string (between double quotes, its own double quotes doubled), all of them ANDed."""
    query = " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)
    return Q(id__in=RawSQL("SELECT rowid FROM ocr_record_search WHERE ocr_record_search MATCH %s", [query]))
