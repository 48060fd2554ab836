"""A document as extraction reads it: its lines in reading order, each with its text, its four
corner points, and where it starts in the document's text (lines joined by newlines)."""

from dataclasses import dataclass, field

Location = list[list[float]]  # four [x, y] points, clockwise from the top-left


@dataclass(frozen=True)
class Line:
    text: str
    location: Location | None = None
    page: int = 1


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

    def right_of(self, index: int) -> list[int]:
        """The lines in the same row as line `index` and to its right, nearest first: their
        middles lie within its height. None without locations."""
        line = self.lines[index]
        if line.location is None:
            return []
        top, bottom = min(y for _, y in line.location), max(y for _, y in line.location)
        right = max(x for x, _ in line.location)
        beside = []
        for other, candidate in enumerate(self.lines):
            if other == index or candidate.location is None or candidate.page != line.page:
                continue
            middle = sum(y for _, y in candidate.location) / 4
            left = min(x for x, _ in candidate.location)
            if top <= middle <= bottom and left >= right - 2:
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
