"""The fields of a card its users defined: each found by its labels, its pattern, its type and where
it stands, with no rules written for that kind of document.

A field's value is looked for beside its label (the rest of the label's line, then the lines to its
right in the same row: "Invoice no.: 2026-0042", "Rechnungsnummer    2026-0042"), under it (the next
line that starts near the label's column), or anywhere; limited, where the card says so, to the top
or the bottom of the page or to a region of it. Within the text found there, the field's `pattern`
(its first group the value) or else its type's own pattern picks the value: a date in any of the
printed orders and month names, an amount in either decimal convention, an IBAN whose checksum
holds, an e-mail address, a VAT id... A text field without a pattern is the rest of the label's line.

Users' patterns run in the `regex` package with a time limit per search (PATTERN_TIMEOUT_S): a
pattern that backtracks without end ("(a+)+$") costs its field a `pattern_timeout` error, never the
worker its time.
"""

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import regex

from extraction.cards import FieldSpec, GroupSpec
from extraction.document import Document
from extraction.values import Found, dates_in, money_in

#: How long one search of a user's pattern may take, in seconds.
PATTERN_TIMEOUT_S = 0.25
#: How far under its label a value may be looked for, in lines.
LINES_BELOW = 2


class PatternTimeout(Exception):
    """A user's pattern took longer than PATTERN_TIMEOUT_S on a document's text."""


@dataclass(frozen=True)
class Hit:
    """A value found: its line, its characters in that line, as printed and normalized, how sure."""

    line: int
    start: int
    end: int
    printed: str
    normalized: str
    confidence: float


def compile_pattern(pattern: str) -> regex.Pattern:
    """A user's pattern compiled as it will run (raises regex.error when it is no pattern)."""
    return _compiled(pattern)


_cache: dict[str, regex.Pattern] = {}


def _compiled(pattern: str) -> regex.Pattern:
    if pattern not in _cache:
        if len(_cache) > 1024:
            _cache.clear()
        _cache[pattern] = regex.compile(pattern, regex.IGNORECASE | regex.MULTILINE | regex.VERSION0)
    return _cache[pattern]


def search(pattern: str, text: str) -> regex.Match | None:
    try:
        return _compiled(pattern).search(text, timeout=PATTERN_TIMEOUT_S)
    except TimeoutError as error:
        raise PatternTimeout(pattern) from error


# Values by type --------------------------------------------------------------------------------


def _by_pattern(pattern: re.Pattern, normalize: Callable[[str], str | None] = str.strip):
    def finder(text: str) -> list[Found]:
        found = []
        for match in pattern.finditer(text):
            group = 1 if pattern.groups else 0
            normalized = normalize(match.group(group))
            if normalized is not None:
                found.append(Found(match.group(group), match.start(group), match.end(group), normalized))
        return found

    return finder


def _iban(printed: str) -> str | None:
    """An IBAN whose mod-97 checksum holds, without its spaces."""
    compact = re.sub(r"\s", "", printed).upper()
    moved = compact[4:] + compact[:4]
    digits = "".join(str(int(character, 36)) for character in moved)
    return compact if len(compact) >= 15 and int(digits) % 97 == 1 else None


def _number(printed: str) -> str | None:
    text = printed.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d+", text):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        return str(Decimal(text))
    except InvalidOperation:
        return None


def _phone(printed: str) -> str | None:
    digits = re.sub(r"\D", "", printed)
    return ("+" if printed.strip().startswith("+") else "") + digits if 7 <= len(digits) <= 15 else None


def _digits(count: str) -> str:
    """`count` digits, a space or a dot allowed between them ("DE 123 456 789", "FR 12.345.678.901")."""
    return rf"\d(?:[\s.]?\d){{{count}}}"


# The VAT ids of the EU's countries (and the UK's, Switzerland's), as printed: each country's own
# shape, so that an IBAN ("DE89 3704 0044 ...") is none.
_VAT_ID = re.compile(
    r"(?<![A-Z0-9])("
    rf"DE\s?{_digits('8')}|ATU\s?{_digits('7')}|FR\s?[0-9A-Z]{{2}}\s?{_digits('8')}|NL\s?{_digits('8')}\s?B\s?\d\d"
    rf"|BE\s?[01]?\s?{_digits('8')}|GB\s?{_digits('8')}(?:\s?\d{{3}})?|IT\s?{_digits('10')}|ES\s?[0-9A-Z]{_digits('6')}[0-9A-Z]"
    rf"|(?:AT|BG|CY|CZ|DK|EE|EL|FI|HR|HU|IE|LT|LU|LV|MT|PL|PT|RO|SE|SI|SK)\s?[0-9A-Z]{_digits('6,10')}"
    r"|CHE[-\s]?\d{3}\.?\d{3}\.?\d{3}(?:\s?(?:MWST|TVA|IVA))?"
    r")(?![\s.]?\d)"
)

_CURRENCIES = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "CNY", "元": "CNY", "RM": "MYR"}

VALUE_FINDERS: dict[str, Callable[[str], list[Found]]] = {
    "date": dates_in,
    "amount": money_in,
    "number": _by_pattern(re.compile(r"(?<![\w.,])(-?\d[\d\s.,\u00a0]*\d|\d)(?![\w.,]?\d)"), _number),
    "id": _by_pattern(re.compile(r"(?<![\w/-])([A-Z0-9][A-Z0-9/_.\-]*\d[A-Z0-9/_.\-]*)(?![\w/-])", re.I), str.strip),
    "email": _by_pattern(re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), str.lower),
    "phone": _by_pattern(re.compile(r"(\+?\(?\d[\d\s()./-]{5,}\d)"), _phone),
    "iban": _by_pattern(re.compile(r"\b([A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?)\b"), _iban),
    "bic": _by_pattern(re.compile(r"\b([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b"), str.strip),
    "vat_id": _by_pattern(_VAT_ID, lambda printed: re.sub(r"[\s.]", "", printed).upper()),
    "currency": _by_pattern(
        re.compile(r"(?<![A-Z])(EUR|USD|GBP|CHF|CNY|RMB|JPY|MYR|€|\$|£|¥|元)(?![A-Z])"),
        lambda printed: _CURRENCIES.get(printed, printed.upper()),
    ),
}
TYPES = ("text", "address", *VALUE_FINDERS)


# Finding a field ---------------------------------------------------------------------------------


def find(document: Document, spec: FieldSpec) -> list[Hit]:
    """Every value of `spec` in `document` (the first only, unless the field is `multiple`), best
    first. Raises PatternTimeout when the field's pattern runs out of time."""
    lines = list(_lines_where(document, spec))
    hits: list[Hit] = []
    if spec.labels:
        for index, start, end in _labels(document, spec.labels, lines):
            hits += _beside(document, spec, index, end)
            if not hits or spec.multiple:
                hits += _below(document, spec, index, start)
            if hits and not spec.multiple:
                break
    if not hits and not spec.labels and not spec.pattern and spec.type == "text":
        # A text with nothing to find it by but its place: the first line of words there (a
        # letter's sender, at the top).
        hits += [_whole_line(document, index) for index in lines if _is_words(document.lines[index].text)][:1]
    # A field with labels is found by them only: its type alone would take any date for a due date.
    if not hits and not spec.labels and (spec.pattern or spec.type in VALUE_FINDERS):
        confidence = 0.8 if spec.pattern else 0.5
        for index in lines:
            hits += _values(document, spec, index, 0, confidence)
            if hits and not spec.multiple:
                break
    unique = list({(hit.line, hit.start): hit for hit in hits}.values())
    return unique if spec.multiple else unique[:1]


def _is_words(text: str) -> bool:
    return sum(character.isalpha() for character in text) >= 3


def _whole_line(document: Document, index: int) -> Hit:
    """A line's first piece of text (up to two spaces or more: a laid-out row's next column)."""
    text = document.lines[index].text
    piece = re.search(r"\S+(?: \S+)*", text)
    return Hit(index, piece.start(), piece.end(), piece.group(0), _tidy(piece.group(0)), 0.5)


def _lines_where(document: Document, spec: FieldSpec) -> Iterator[int]:
    """The lines a field may be on: all, the page's top or bottom third, or a region (fractions of
    the page: left, top, right, bottom)."""
    if spec.where in ("top", "bottom", "region"):
        extent = _extent(document)
        for index, line in enumerate(document.lines):
            if line.location is None or extent is None:
                share = index / max(1, len(document.lines) - 1)
                box = (0.0, share, 1.0, share)
            else:
                (left, top, right, bottom), xs, ys = extent[line.page], *zip(*line.location, strict=True)
                width, height = max(1.0, right - left), max(1.0, bottom - top)
                box = (
                    (min(xs) - left) / width,
                    (min(ys) - top) / height,
                    (max(xs) - left) / width,
                    (max(ys) - top) / height,
                )
            if spec.where == "top" and box[1] <= 1 / 3:
                yield index
            elif spec.where == "bottom" and box[3] >= 2 / 3:
                yield index
            elif spec.where == "region" and spec.region:
                r_left, r_top, r_right, r_bottom = spec.region
                middle = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
                if r_left <= middle[0] <= r_right and r_top <= middle[1] <= r_bottom:
                    yield index
        return
    yield from range(len(document.lines))


def _extent(document: Document) -> dict[int, tuple[float, float, float, float]] | None:
    pages: dict[int, list[list[float]]] = {}
    for line in document.lines:
        if line.location:
            pages.setdefault(line.page, []).extend(line.location)
    if not pages:
        return None
    return {
        page: (
            min(x for x, _ in points),
            min(y for _, y in points),
            max(x for x, _ in points),
            max(y for _, y in points),
        )
        for page, points in pages.items()
    }


def folded(text: str) -> str:
    """Case and accents ignored, as labels are compared: "Échéance" is "echeance"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(character for character in decomposed if not unicodedata.combining(character)).casefold()


def _labels(document: Document, labels: tuple[str, ...], lines: list[int]) -> Iterator[tuple[int, int, int]]:
    """Where the labels are printed: each label in the card's order of preference ("Total due"
    before "Total"), on each line in reading order; its line and its characters there. A label
    matches whole words, case and accents ignored."""
    texts = {}
    for index in lines:
        text = folded(document.lines[index].text)
        # A character that decomposes into several changes the offsets: compare such a line as printed.
        texts[index] = text if len(text) == len(document.lines[index].text) else document.lines[index].text.casefold()
    for label in labels:
        folded_label = folded(label)
        pattern = re.compile(
            rf"(?<!\w){re.escape(folded_label)}(?!\w)" if label[-1:].isalnum() else rf"(?<!\w){re.escape(folded_label)}"
        )
        for index in lines:
            if match := pattern.search(texts[index]):
                yield index, match.start(), match.end()


def _beside(document: Document, spec: FieldSpec, index: int, after: int) -> list[Hit]:
    if spec.where == "below":
        return []
    hits = _values(document, spec, index, after, 0.9)
    for other in document.right_of(index):
        if hits:
            break
        hits = _values(document, spec, other, 0, 0.85)
    return hits


def _below(document: Document, spec: FieldSpec, index: int, column: int) -> list[Hit]:
    """The value on the lines under the label, in its column where the lines have positions."""
    if spec.where == "right":
        return []
    line = document.lines[index]
    below = []
    for other in range(index + 1, len(document.lines)):
        candidate = document.lines[other]
        if candidate.page != line.page:
            break
        if line.location and candidate.location:
            label_left = document.location(index, column, column + 1)[0][0]
            left, right = min(x for x, _ in candidate.location), max(x for x, _ in candidate.location)
            if not left - 20 <= label_left <= right + 20:
                continue
        below.append(other)
        if len(below) == LINES_BELOW:
            break
    for other in below:
        if hits := _values(document, spec, other, 0, 0.8):
            return hits
    return []


def _values(document: Document, spec: FieldSpec, index: int, after: int, confidence: float) -> list[Hit]:
    """The field's values on line `index` from character `after`: by its pattern, else its type."""
    text = document.lines[index].text
    rest = text[after:]
    if spec.pattern:
        match = search(spec.pattern, rest)
        if not match:
            return []
        group = 1 if match.re.groups else 0
        start, end = after + match.start(group), after + match.end(group)
        printed = text[start:end]
        finder = VALUE_FINDERS.get(spec.type)
        typed = finder(printed) if finder else []
        normalized = typed[0].normalized if typed else _tidy(printed)
        return [Hit(index, start, end, printed, normalized, confidence)] if printed.strip() else []
    if spec.type in VALUE_FINDERS:
        return [
            Hit(index, after + found.start, after + found.end, found.printed, found.normalized, confidence)
            for found in VALUE_FINDERS[spec.type](rest)[: None if spec.multiple else 1]
        ]
    # Text: the rest of the label's line, less the colon or dash after the label.
    value = re.match(r"^[\s:：\-–#.]*(.*?)\s*$", rest)
    if not value or not value.group(1):
        return []
    start = after + value.start(1)
    return [Hit(index, start, start + len(value.group(1)), value.group(1), _tidy(value.group(1)), confidence)]


def _tidy(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


# Rows --------------------------------------------------------------------------------------------


def rows(document: Document, group: GroupSpec) -> list[dict[str, Hit]]:
    """A group's rows: by its row pattern (named groups are its fields' keys), or by the columns
    under a header that holds its fields' labels."""
    if group.row_pattern:
        return _rows_by_pattern(document, group)
    return _rows_by_header(document, group)


def _rows_by_pattern(document: Document, group: GroupSpec) -> list[dict[str, Hit]]:
    found = []
    for index, line in enumerate(document.lines):
        match = search(group.row_pattern, line.text)
        if not match:
            continue
        row = {}
        for spec in group.fields:
            if match.groupdict().get(spec.key) is None:
                continue
            start, end = match.span(spec.key)
            printed = line.text[start:end]
            typed = VALUE_FINDERS[spec.type](printed) if spec.type in VALUE_FINDERS else []
            row[spec.key] = Hit(index, start, end, printed, typed[0].normalized if typed else _tidy(printed), 0.8)
        if row:
            found.append(row)
    return found


# A row of totals ends the rows: "Subtotal", "Gesamtbetrag", "Totaal", "Total TTC", "合计".
_ROWS_END = re.compile(
    r"\b(sub\s*-?total|total|summe|zwischensumme|gesamt|net\b|netto|totaal|subtotaal|tax|vat|mwst|ust|tva|btw)"
    r"|合计|小计|总计|税额",
    re.I,
)


@dataclass(frozen=True)
class _Cell:
    line: int
    start: int
    end: int
    left: float
    right: float


def _table_rows(document: Document) -> list[list[_Cell]]:
    """The document as rows of cells: the lines of one row (by position where lines have them, else
    each line), each cut where two spaces or more stand between words (a laid-out text's columns).
    A cell's left and right are in pixels on a page, in characters in a text."""
    located = all(line.location for line in document.lines)
    rows = document.rows()
    table = []
    for row in rows:
        cells = []
        for index in row:
            text = document.lines[index].text
            for match in re.finditer(r"\S+(?: \S+)*", text):
                if located:
                    box = document.location(index, match.start(), match.end())
                    left, right = box[0][0], box[1][0]
                else:
                    left, right = match.start(), match.end()
                cells.append(_Cell(index, match.start(), match.end(), left, right))
        table.append(sorted(cells, key=lambda cell: cell.left))
    return table


def _rows_by_header(document: Document, group: GroupSpec) -> list[dict[str, Hit]]:
    """The row that holds the most of the fields' labels is the header; each row under it is a
    row of the group, its cells put in the column whose header they stand under (most overlap,
    else nearest), until a row of totals or a row with no digit."""
    labelled = [spec for spec in group.fields if spec.labels]
    if not labelled:
        return []
    table = _table_rows(document)
    header, columns = None, []
    for number, cells in enumerate(table):
        found = []
        for spec in labelled:
            patterns = [
                rf"(?<!\w){re.escape(folded(label))}(?!\w)" for label in sorted(spec.labels, key=len, reverse=True)
            ]
            cell = next(
                (
                    cell
                    for cell in cells
                    if any(
                        re.search(pattern, folded(document.lines[cell.line].text[cell.start : cell.end]))
                        for pattern in patterns
                    )
                ),
                None,
            )
            if cell is not None:
                found.append((cell, spec))
        if len(found) >= max(2, len(labelled) // 2 + 1) and len(found) > len(columns):
            header, columns = number, sorted(found, key=lambda item: item[0].left)
    if header is None:
        return []
    found_rows = []
    for cells in table[header + 1 :]:
        text = " ".join(document.lines[cell.line].text[cell.start : cell.end] for cell in cells)
        if _ROWS_END.search(text) or not re.search(r"\d", text):
            if found_rows:
                break
            continue
        by_column: dict[int, list[_Cell]] = {}
        for cell in cells:
            by_column.setdefault(_column_of(cell, [column for column, _ in columns]), []).append(cell)
        row = {}
        for number, cells_in_column in by_column.items():
            spec = columns[number][1]
            if hit := _cell_value(document, spec, cells_in_column):
                row[spec.key] = hit
        if row:
            found_rows.append(row)
    return found_rows


def _column_of(cell: _Cell, headers: list[_Cell]) -> int:
    overlaps = [min(cell.right, header.right) - max(cell.left, header.left) for header in headers]
    best = max(range(len(headers)), key=overlaps.__getitem__)
    if overlaps[best] > 0:
        return best
    centre = (cell.left + cell.right) / 2
    return min(range(len(headers)), key=lambda number: abs((headers[number].left + headers[number].right) / 2 - centre))


def _cell_value(document: Document, spec: FieldSpec, cells: list[_Cell]) -> Hit | None:
    first, last = cells[0], cells[-1]
    if first.line != last.line:
        cells = [first]
        last = first
    text = document.lines[first.line].text
    start, end = first.start, last.end
    cell = text[start:end]
    if spec.type in VALUE_FINDERS:
        typed = VALUE_FINDERS[spec.type](cell)
        if not typed:
            return None
        value = typed[-1] if spec.type in ("amount", "number") else typed[0]
        return Hit(first.line, start + value.start, start + value.end, value.printed, value.normalized, 0.8)
    return Hit(first.line, start, end, cell, _tidy(cell), 0.8)
