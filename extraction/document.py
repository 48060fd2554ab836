"""A document as extraction reads it: its lines in reading order, each with its text, its four
corner points, and where it starts in the document's text (lines joined by newlines)."""

import statistics
from dataclasses import dataclass, field

Location = list[list[float]]  # four [x, y] points, clockwise from the top-left

#: Full-width forms (U+FF01-U+FF5E) to the ASCII characters they are twins of.
_ASCII_TWINS = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


@dataclass(frozen=True)
class Line:
    text: str
    location: Location | None = None
    page: int = 1
    #: Its words and their locations where the engine gave them: a row laid out by its words keeps
    #: the gaps between its columns that a line's text lost ("Oak desk 2 1,234.50").
    words: tuple[tuple[str, Location], ...] = ()


@dataclass
class Document:
    lines: list[Line]
    #: Where each line starts in `text`.
    starts: list[int] = field(init=False)
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.starts, offset = [], 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line.text) + 1
        self.text = "\n".join(line.text for line in self.lines)

    @classmethod
    def from_text(cls, text: str) -> "Document":
        return cls([Line(line) for line in text.splitlines()])

    @classmethod
    def from_boxes(cls, boxes: list[dict]) -> "Document":
        """From SROIE's boxes: `{"box": [x1, y1, ..., x4, y4], "text": ...}` in reading order."""
        return cls([Line(box["text"], [[box["box"][i], box["box"][i + 1]] for i in range(0, 8, 2)]) for box in boxes])

    def in_phrases(self) -> "Document":
        """The document with the words an OCR engine boxed apart on one row joined into one line
        where they stand as close as the words of a phrase ("POPULAR" "BOOK" / "cO." "(M)" "SDN
        BHD"); a label and its amount across the row, a table's columns, stay apart."""
        lines: list[Line] = []
        for line in self.lines:
            if lines and _continues(lines[-1], line):
                lines[-1] = Line(
                    f"{lines[-1].text} {line.text}",
                    enclosing([lines[-1].location, line.location]),
                    line.page,
                    lines[-1].words + line.words if lines[-1].words and line.words else (),
                )
            else:
                lines.append(line)
        return self if len(lines) == len(self.lines) else Document(lines)

    def rows(self) -> list[list[int]]:
        """The lines as rows of the page, top to bottom, each left to right: a line is in the row of
        the first line whose height holds its middle. Without positions, each line is a row."""
        if not all(line.location for line in self.lines):
            return [[index] for index in range(len(self.lines))]
        order = sorted(range(len(self.lines)), key=lambda index: (self.lines[index].page, _middle(self.lines[index])))
        rows: list[list[int]] = []
        for index in order:
            if rows and _same_row(self.lines[rows[-1][0]], self.lines[index]):
                rows[-1].append(index)
            else:
                rows.append([index])
        return [sorted(row, key=lambda index: min(x for x, _ in self.lines[index].location)) for row in rows]

    def laid_out(self) -> "Document":
        """The page as `pdftotext -layout` writes it: a line per row, each piece of text at the
        column its position gives it (one column a character's width), so that templates written
        for pdftotext's text match a reading too. A row's location spans its columns from the
        page's left edge, so that a value's characters are placed where they stand. Full-width
        forms are read as their ASCII twins (an OCR'd "发票号码：" is matched by a template's
        "发票号码:"; which of the two a print has, OCR cannot tell), one character for one."""
        if not self.lines or not all(line.location for line in self.lines):
            return self
        widths = [
            (max(x for x, _ in line.location) - min(x for x, _ in line.location)) / len(line.text)
            for line in self.lines
            if len(line.text.strip()) >= 2
        ]
        character = statistics.median(widths) if widths else 10.0
        laid = []
        for row in self.rows():
            lines = [self.lines[index] for index in row]
            left = min(x for line in self.lines if line.page == lines[0].page for x, _ in line.location)
            pieces = sorted(
                (piece for line in lines for piece in (line.words or ((line.text, line.location),))),
                key=lambda piece: min(x for x, _ in piece[1]),
            )
            text, end = "", None
            for piece, location in pieces:
                column = round((min(x for x, _ in location) - left) / character)
                gap = min(x for x, _ in location) - end if text else 0
                if text and gap < 2 * character:
                    # The next word of a phrase: one space, as printed; none beside a Chinese
                    # character, which an engine may give one by one ("发 票" is 发票, "2026 年"
                    # is 2026年), however wide its box makes the gap.
                    chinese = _is_cjk(text[-1]) or _is_cjk(piece[0])
                    column = len(text) + (0 if chinese else 1)
                    text = text.ljust(column) + piece
                    end = max(x for x, _ in location)
                    continue
                text = text.ljust(max(column, len(text) + 1) if text else column) + piece
                end = max(x for x, _ in location)
            top = min(y for line in lines for _, y in line.location)
            bottom = max(y for line in lines for _, y in line.location)
            right = left + len(text) * character
            laid.append(
                Line(
                    text.translate(_ASCII_TWINS),
                    [[left, top], [right, top], [right, bottom], [left, bottom]],
                    lines[0].page,
                )
            )
        return Document(laid)

    def right_of(self, index: int) -> list[int]:
        """The lines in the same row as line `index` and to its right, nearest first: their
        middles lie within its height. None without locations."""
        line = self.lines[index]
        if line.location is None:
            return []
        right = max(x for x, _ in line.location)
        beside = []
        for other, candidate in enumerate(self.lines):
            if other == index or candidate.location is None or not _same_row(line, candidate):
                continue
            left = min(x for x, _ in candidate.location)
            if left >= right - 2:
                beside.append((left, other))
        return [other for _, other in sorted(beside)]

    def location(self, line_index: int, start: int, end: int) -> Location | None:
        """The corners of characters `start` to `end` of line `line_index`, taken along the line in
        proportion to the characters (a word's own box is not known from a line's)."""
        line = self.lines[line_index]
        if line.location is None:
            return None
        length = max(1, len(line.text))
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = line.location

        def along(t: float, a: tuple[float, float], b: tuple[float, float]) -> list[float]:
            return [round(a[0] + (b[0] - a[0]) * t, 1), round(a[1] + (b[1] - a[1]) * t, 1)]

        first, last = start / length, end / length
        top_left, top_right = (x0, y0), (x1, y1)
        bottom_left, bottom_right = (x3, y3), (x2, y2)
        return [
            along(first, top_left, top_right),
            along(last, top_left, top_right),
            along(last, bottom_left, bottom_right),
            along(first, bottom_left, bottom_right),
        ]


def enclosing(locations: list[Location]) -> Location:
    """The upright box around several locations (a value over several lines, covered whole)."""
    xs = [x for location in locations for x, _ in location]
    ys = [y for location in locations for _, y in location]
    left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    return [[left, top], [right, top], [right, bottom], [left, bottom]]


def _continues(line: Line, following: Line) -> bool:
    """`following` is the next word of `line`'s phrase: on its row, no more than a character and a
    half after it (the columns of a table stand two characters apart and more)."""
    if line.location is None or following.location is None or not _same_row(line, following):
        return False
    left, right = min(x for x, _ in line.location), max(x for x, _ in line.location)
    next_left, next_right = min(x for x, _ in following.location), max(x for x, _ in following.location)
    character = (right - left + next_right - next_left) / max(1, len(line.text) + len(following.text))
    # A number beside a word stands in a column ("S" "6.00%" "39.09"), whatever the spacing.
    words = any(character.isalpha() for character in following.text)
    return words and -2 <= next_left - right <= 1.5 * character


def _middle(line: Line) -> float:
    return sum(y for _, y in line.location) / 4


def _same_row(line: Line, other: Line) -> bool:
    """`other` stands in `line`'s row: on its page, its middle within `line`'s height."""
    top, bottom = min(y for _, y in line.location), max(y for _, y in line.location)
    return line.page == other.page and top <= _middle(other) <= bottom


def _is_cjk(character: str) -> bool:
    return "\u3000" <= character <= "\u9fff" or "\uff00" <= character <= "\uffef"
