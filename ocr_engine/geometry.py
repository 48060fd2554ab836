"""Points in an image that was turned before it was read, taken back to the image as uploaded."""

import math
from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True)
class Turn:
    """Pillow's `image.rotate(degrees, expand=True)`: counter-clockwise about the centre, on a canvas
    grown to hold the whole result."""

    degrees: float
    size_before: tuple[int, int]
    size_after: tuple[int, int]

    def back(self, point: Point) -> Point:
        """Where `point` of the turned image was before the turn."""
        radians = math.radians(self.degrees)
        x = point[0] - self.size_after[0] / 2
        y = point[1] - self.size_after[1] / 2
        # Image coordinates grow downwards, so a counter-clockwise turn maps (x, y) to
        # (x cos a + y sin a, -x sin a + y cos a); this is its inverse.
        return (
            x * math.cos(radians) - y * math.sin(radians) + self.size_before[0] / 2,
            x * math.sin(radians) + y * math.cos(radians) + self.size_before[1] / 2,
        )


@dataclass(frozen=True)
class Placement:
    """A part of the image starting at `offset`, scaled by `scale` (`ocr_engine.bounds`)."""

    offset: tuple[int, int]
    scale: float

    def back(self, point: Point) -> Point:
        return (self.offset[0] + point[0] / self.scale, self.offset[1] + point[1] / self.scale)


@dataclass
class Turns:
    """The turns (and cuts) applied to an image, in order, to map what was read back to the upload."""

    applied: list[Turn | Placement] = field(default_factory=list)

    def add(self, degrees: float, size_before: tuple[int, int], size_after: tuple[int, int]) -> None:
        self.applied.append(Turn(degrees, size_before, size_after))

    def place(self, offset: tuple[int, int], scale: float) -> None:
        self.applied.append(Placement(offset, scale))

    def back(self, point: Point) -> Point:
        for turn in reversed(self.applied):
            point = turn.back(point)
        return point

    def quad(self, box: tuple[int, int, int, int], bounds: tuple[int, int]) -> list[list[int]]:
        """The four corners of `box`, clockwise from its top-left, in the upload's pixels.

        Clockwise and top-left refer to the box as it was read (upright); the points are clamped
        to the upload's bounds, which a rotated box's corners can overshoot by a pixel or two.
        """
        left, top, right, bottom = box
        return self.corners([(left, top), (right, top), (right, bottom), (left, bottom)], bounds)

    def corners(self, points, bounds: tuple[int, int]) -> list[list[int]]:
        """`points` of the image as read, in the upload's pixels, clamped to its bounds."""
        width, height = bounds
        return [
            [min(max(round(x), 0), width), min(max(round(y), 0), height)]
            for x, y in (self.back(point) for point in points)
        ]


def bounds(location: list[list[int]]) -> tuple[int, int, int, int]:
    """The upright box (left, top, right, bottom) enclosing a location's points."""
    xs = [x for x, _ in location]
    ys = [y for _, y in location]
    return min(xs), min(ys), max(xs), max(ys)
