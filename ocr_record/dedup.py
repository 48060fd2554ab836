"""The dedup: the record of a file read before, found by the file's digests in one query.

Written in SQL rather than through the ORM, and the row made a record without a RawQuerySet,
because building the ORM's query took longer than the database took to answer it, on every
upload; each lookup is one index lookup (tests/test_parse_letter.py reads the plans)."""

import functools
import hashlib
import threading
from dataclasses import dataclass

from django.core.files import File
from django.db import connection, connections
from django.db.models.sql.compiler import SQLCompiler

from ocr_record.models import OcrRecord


def file_digests(file: File) -> tuple[str, str]:
    """The md5 and SHA-256 of `file`, read once, chunk by chunk, never all in memory."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha256 = hashlib.sha256()
    for chunk in file.chunks():
        md5.update(chunk)
        sha256.update(chunk)
    return md5.hexdigest(), sha256.hexdigest()


@dataclass(frozen=True)
class StoredFile:
    """What the dedup looks a file's reading up by."""

    sha256: str
    md5: str
    size: int
    kind: str
    options: str

    @classmethod
    def of(cls, image_file: File, *, kind: str, options: str) -> "StoredFile":
        image_md5, image_sha256 = file_digests(image_file)
        return cls(image_sha256, image_md5, image_file.size, str(kind), options)


#: The dedup's lookups, written out: the ORM took longer to build each query than the database to
#: answer it, on every upload. By SHA-256 through the partial unique indexes; by md5 and size,
#: through their index, among records kept before SHA-256 was (as v1.0.0 matched files). Each is
#: one part of a UNION ALL (`_stored_reading_of`), ranked by the caller's preference; the row found
#: is made a record by `_record_from`.
#:
#: SQLite uses a partial index only when the query's WHERE holds each term of the index's WHERE as
#: written (it proves nothing: `image_sha256 <> ''` does not count for `NOT (image_sha256 = '')`),
#: so the conditions below are the indexes' own (OcrRecord.Meta.constraints); with another spelling
#: it read every letter record through the kind index, a whole-table read at a million records.
#: tests/test_parse_letter.py holds each lookup to its index.
_SHA256_SET = "NOT (image_sha256 = '')"
_SHARED, _OWNED = "owner_id IS NULL", "NOT (owner_id IS NULL)"
_BY_SHA256 = (
    "SELECT {columns}, {rank} AS dedup_rank FROM {table} WHERE image_sha256 = %s AND kind = %s AND options = %s "
    f"AND {_SHA256_SET} AND {{owner}} LIMIT 1"
)
_BY_MD5_BEFORE_SHA256 = (
    "SELECT {columns}, {rank} AS dedup_rank FROM {table} WHERE image_md5 = %s AND image_size = %s AND kind = %s "
    "AND options = %s AND image_sha256 = '' AND {owner} LIMIT 1"
)


def _owned_by(owner) -> list[tuple[str, list]]:
    """The condition on owner_id of `owner`'s records (None: the shared ones), for `_stored_reading_of`."""
    return [(_SHARED, [])] if owner is None else [(f"{_OWNED} AND owner_id = %s", [owner.pk])]


def _owned_by_others_than(owner) -> list[tuple[str, list]]:
    """The conditions of another owner's record: a shared one, or one owned by someone else (each
    condition its own index lookup)."""
    if owner is None:
        return [(_OWNED, [])]
    return [(_SHARED, []), (f"{_OWNED} AND owner_id <> %s", [owner.pk])]


def _stored_reading_of(file: StoredFile, owners: list[tuple[str, list]]) -> OcrRecord | None:
    """The first record of `file`'s reading among `owners` (each an SQL condition on owner_id
    with its parameters, the preferred first), by SHA-256, then, among the shared records, by md5
    and size among older ones: one query (one round trip, one result to build) whose every part is
    one index lookup."""
    table, columns = _record_columns(connection.vendor).sql
    parts, parameters = [], []
    for owner, owner_parameters in owners:
        lookups = [(_BY_SHA256, [file.sha256, file.kind, file.options])]
        if owner == _SHARED:  # records kept before SHA-256 was are all shared: owners came later (0007)
            lookups.append((_BY_MD5_BEFORE_SHA256, [file.md5, file.size, file.kind, file.options]))
        for query, query_parameters in lookups:
            rank = len(parts)
            lookup = query.format(columns=columns, rank=rank, table=table, owner=owner)
            parts.append(f"SELECT * FROM ({lookup}) AS lookup{rank}")
            parameters += [*query_parameters, *owner_parameters]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY dedup_rank LIMIT 1", parameters)
        row = cursor.fetchone()
    return None if row is None else _record_from(row)


def _record_from(row: tuple) -> OcrRecord:
    """The record whose columns, in the model's order, begin `row`: what `OcrRecord.objects.raw()`
    makes of it, without the work a RawQuerySet does again for every query (learning its columns,
    matching them to fields, finding their converters), which took longer than running it."""
    columns = _record_columns(connection.vendor)
    database = connections[connection.alias]  # this thread's own connection
    compiler = getattr(_this_thread, "record_compiler", None)
    if compiler is None or compiler.sql.connection is not database:
        compiler = _this_thread.record_compiler = _RecordCompiler.of(database, columns)
    (values,) = compiler.sql.apply_converters([row[: len(columns.names)]], compiler.converters)
    return OcrRecord.from_db(database.alias, columns.names, list(values))


@dataclass(frozen=True)
class _RecordColumns:
    sql: tuple[str, str]  # the table and its columns, quoted for the database
    names: list[str]  # the fields' attribute names, in the same order
    expressions: list  # the columns as the ORM's compiler knows them


@functools.cache
def _record_columns(vendor: str) -> _RecordColumns:
    """The columns of a record as the dedup selects them: the same for every query of a database."""
    fields = OcrRecord._meta.concrete_fields
    table = OcrRecord._meta.db_table
    quote = connection.ops.quote_name
    return _RecordColumns(
        sql=(quote(table), ", ".join(quote(field.column) for field in fields)),
        names=[field.attname for field in fields],
        expressions=[field.get_col(table) for field in fields],
    )


@dataclass(frozen=True)
class _RecordCompiler:
    """How the database's values of a record's columns become the fields' (JSON decoded, dates made
    datetimes), as the ORM applies them. They are bound to one connection, and each thread has its
    own: each thread keeps its own, gone with the thread."""

    sql: SQLCompiler
    converters: dict

    @classmethod
    def of(cls, database, columns: _RecordColumns) -> "_RecordCompiler":
        compiler = OcrRecord.objects.none().query.get_compiler(connection=database)
        return cls(compiler, compiler.get_converters(columns.expressions))


_this_thread = threading.local()


def stored_reading(file: StoredFile, *, owner) -> OcrRecord | None:
    """A record of `file`'s reading: `owner`'s own first, else another owner's (one lookup)."""
    return _stored_reading_of(file, _owned_by(owner) + _owned_by_others_than(owner))
