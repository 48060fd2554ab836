"""Accuracy, timing and memory arithmetic for the benchmark."""

import statistics
import time
import unicodedata
from pathlib import Path

from ocr_engine.distance import edit_distance


def character_accuracy(predicted: str, truth: str) -> float:
    """1 - edit distance / length of the truth, floored at 0."""
    return max(0.0, 1 - edit_distance(predicted, truth) / len(truth))


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def word_accuracy(predicted: list[str], truth: list[str]) -> float:
    """1 - word-level edit distance / number of words, floored at 0."""
    return max(0.0, 1 - edit_distance(predicted, truth) / len(truth))


def words_found(predicted: str, truth: str) -> float:
    """The share of the truth's words found, in order, in the prediction (case and Unicode forms
    ignored): their longest common subsequence over the truth's count. Where character accuracy
    forgives a lost space as one character, this counts both words it ran together as missed, as
    a person searching the text for either would find neither."""
    found = unicodedata.normalize("NFKC", predicted).casefold().split()
    wanted = unicodedata.normalize("NFKC", truth).casefold().split()
    if not wanted:
        return float(not found)
    previous = [0] * (len(found) + 1)
    for word in wanted:
        current = [0]
        for column, other in enumerate(found, 1):
            current.append(previous[column - 1] + 1 if word == other else max(previous[column], current[-1]))
        previous = current
    return previous[-1] / len(wanted)


def matched_overlaps(found: list[tuple[str, tuple]], truth: list[tuple[str, tuple]]) -> list[float]:
    """For each drawn word, the overlap of the best-overlapping found word with the same text (0 if none)."""
    return [
        max((overlap(box, found_box) for found_word, found_box in found if found_word == word), default=0.0)
        for word, box in truth
    ]


def timed(function, *args, **kwargs) -> tuple[float, object]:
    """Milliseconds `function` took, and what it returned."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


def resident_kib() -> tuple[int, int]:
    """(current, peak) resident set size of this process, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two boxes (left, top, right, bottom)."""
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    intersection = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection
    return intersection / union if union else 0.0
