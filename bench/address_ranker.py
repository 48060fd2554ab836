"""Would a learned model find receipts' addresses better than the rules? (`make bench-fields`)

The issue asked for a small learned model where the rules plateau. This is that model, measured
the only honest way: a LightGBM classifier scores every run of one to eight lines near a receipt's
top (and around the rules' own run) by what its lines say (the tests the rules apply to a line,
counted) and how they sit on the page (heights, gaps, alignment), the rules' answer among its
features or not; the best-scored run is the address. It is trained and scored five times, each
fold's receipts held out by their company (a chain's receipts are never both learned and scored,
or its layout would be learned by heart), on the same 348 receipts the rules are scored on.

What it found is in bench/RESULTS.md: with the rules' answer as a feature it learns to repeat it
(the same share right); without it, it does worse. The addresses the rules miss are mostly labels
that differ from the print (a full stop the receipt does not have, the same print labelled with
and without the mall under it), which no model of the print can learn; so the service ships the
rules alone, and this stays a measurement, ready for the day the readings carry more (words'
boxes, fonts) than the rules use.
"""

import math
import re
import statistics
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence

from extraction.document import Document
from extraction.extract import (
    _ADDRESS_WORDS,
    _BRANCH,
    _BUSINESS,
    _ENDS_ADDRESS,
    _IN_BRACKETS,
    _LEGAL_SUFFIX,
    _NOT_ADDRESS,
    _PRICE_ALONE,
    _REGISTRATION_BEFORE,
    _SITE_NUMBER,
    _STREET_RUN_TOGETHER,
    _TITLE,
    _address_by_rules,
    _address_printed,
    _company,
    _is_address_line,
    _is_words,
)
from extraction.values import dates_in

#: The runs chosen among: starting on the first TOP_LINES lines (or near the rules' run), this long.
TOP_LINES = 30
LONGEST_RUN = 8
FOLDS = 5
PARAMETERS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
ROUNDS = 300


def _count(pattern: re.Pattern) -> Callable[[str], int]:
    return lambda text: sum(1 for _ in pattern.finditer(text))


# What the model sees of a line: the tests the rules apply to one.
LINE_TESTS: dict[str, Callable[[str], bool | int]] = {
    "address_words": _count(_ADDRESS_WORDS),
    "street_run_together": _count(_STREET_RUN_TOGETHER),
    "street_or_postcode": _is_address_line,
    "ends_address": lambda text: bool(_ENDS_ADDRESS.search(text)),
    "not_address": lambda text: bool(_NOT_ADDRESS.search(text)),
    "date": lambda text: bool(dates_in(text)),
    "words": _is_words,
    "registration_alone": lambda text: bool(_REGISTRATION_BEFORE.fullmatch(text.strip())),
    "registration_before": lambda text: bool(_REGISTRATION_BEFORE.match(text)),
    "price_alone": lambda text: bool(_PRICE_ALONE.match(text)),
    "site_number": lambda text: bool(_SITE_NUMBER.match(text)),
    "branch": lambda text: bool(_BRANCH.match(text)),
    "in_brackets": lambda text: bool(_IN_BRACKETS.match(text)),
    "title": lambda text: bool(_TITLE.search(text)),
    "business": lambda text: bool(_BUSINESS.search(text)),
    "legal_suffix": lambda text: bool(_LEGAL_SUFFIX.search(text)),
}
# The rules' own answer, as the first features of a run (left out to see what is learned without it).
RULES_FEATURES = slice(3, 8)


def line_traits(document: Document) -> list[list[float]]:
    """Per line: the rules' tests, its length and share of digits, and where it sits: its height
    (to the document's median), its centre and width (to the page's text), the gap above it."""
    heights = [_height(line.location) for line in document.lines if line.location]
    median_height = statistics.median(heights) if heights else None
    xs = [x for line in document.lines if line.location for x, _ in line.location]
    left, right = (min(xs), max(xs)) if xs else (0.0, 0.0)
    width = max(1.0, right - left)
    rows, previous_bottom = [], None
    for line in document.lines:
        text = line.text
        row = [float(test(text)) for test in LINE_TESTS.values()]
        row += [len(text), sum(c.isdigit() for c in text) / max(1, len(text)), float(text.rstrip().endswith(","))]
        if line.location and median_height:
            top, bottom = min(y for _, y in line.location), max(y for _, y in line.location)
            line_left, line_right = min(x for x, _ in line.location), max(x for x, _ in line.location)
            row += [
                _height(line.location) / median_height,
                ((line_left + line_right) / 2 - (left + right) / 2) / width,
                (line_right - line_left) / width,
                (top - previous_bottom) / median_height if previous_bottom is not None else math.nan,
            ]
            previous_bottom = bottom
        else:
            row += [math.nan] * 4
        rows.append(row)
    return rows


def _height(location) -> float:
    return max(y for _, y in location) - min(y for _, y in location)


def runs(document: Document, around: Sequence[int]) -> list[tuple[int, int]]:
    count = len(document.lines)
    starts = set(range(min(count, TOP_LINES)))
    if around:
        starts |= {start for start in range(around[0] - 2, around[0] + 3) if 0 <= start < count}
    return [(start, end) for start in sorted(starts) for end in range(start + 1, min(count, start + LONGEST_RUN) + 1)]


def run_features(traits: list[list[float]], start: int, end: int, by_rules: Sequence[int], anchor: int | None):
    """Where the run is (from the company's last line), how it meets the rules' run, its lines
    summed, its widest gap and spread of heights, its first and last lines, the lines around it."""
    width = len(traits[0])
    outside = [math.nan] * width
    inside = traits[start:end]
    rule_start, rule_end = (by_rules[0], by_rules[-1] + 1) if by_rules else (None, None)
    run = set(range(start, end))
    columns = list(zip(*inside, strict=True))
    gaps = [value for value in columns[-1][1:] if not math.isnan(value)]
    heights = [value for value in columns[-4] if not math.isnan(value)]
    return [
        start,
        end - start,
        start - anchor if anchor is not None else math.nan,
        float(start == rule_start),
        float(end == rule_end),
        float(start == rule_start and end == rule_end),
        len(run & set(by_rules)) / len(run | set(by_rules)),
        float(not by_rules),
        *(sum(column) for column in columns),
        max(gaps) if gaps else math.nan,
        statistics.pstdev(heights) if len(heights) > 1 else math.nan,
        *traits[start],
        *traits[end - 1],
        *(traits[start - 1] if start else outside),
        *(traits[end] if end < len(traits) else outside),
    ]


def choices(document: Document) -> tuple[list[list[float]], list[str], int | None]:
    """A receipt's runs as the model sees them: their features, the address each prints, and
    which of them is the rules' answer."""
    document = document.in_phrases()
    company = _company(document)
    by_rules = _address_by_rules(document, company)
    traits = line_traits(document)
    anchor = company.lines[-1] if company else None
    found = runs(document, by_rules)
    rows = [run_features(traits, start, end, by_rules, anchor) for start, end in found]
    printed = [_address_printed(document, list(range(start, end)), 0.0).printed for start, end in found]
    rules = found.index((by_rules[0], by_rules[-1] + 1)) if by_rules else None
    return rows, printed, rules


def cross_validated(boxes: dict[str, list[dict]], labels: dict[str, dict], is_right) -> dict[str, float]:
    """The share of receipts whose address is right: the rules', the model's (its folds held out
    by company), and the model's without the rules' answer among its features."""
    import lightgbm  # noqa: PLC0415 (the bench's own dependency, not the service's)
    import numpy  # noqa: PLC0415

    receipts = sorted(labels)
    found = {receipt: choices(Document.from_boxes(boxes[receipt])) for receipt in receipts}
    right = {
        receipt: [is_right("address", text, labels[receipt]["address"]) for text in printed]
        for receipt, (_, printed, _) in found.items()
    }
    fold = {receipt: zlib.crc32(_squeezed(labels[receipt]["company"]).encode()) % FOLDS for receipt in receipts}
    scores: dict[str, list[bool]] = defaultdict(list)
    for receipt in receipts:
        rules = found[receipt][2]
        scores["rules"].append(rules is not None and right[receipt][rules])
        scores["the best of the runs (what any choice could reach)"].append(any(right[receipt]))
    for name, keep in (("learned", slice(None)), ("learned without the rules' answer", None)):
        for held_out in range(FOLDS):
            trained = [receipt for receipt in receipts if fold[receipt] != held_out]
            rows = numpy.array([row for receipt in trained for row in found[receipt][0]], dtype=float)
            if keep is None:
                rows = numpy.delete(rows, range(RULES_FEATURES.start, RULES_FEATURES.stop), axis=1)
            labels_ = numpy.array([int(value) for receipt in trained for value in right[receipt]])
            booster = lightgbm.train(PARAMETERS, lightgbm.Dataset(rows, label=labels_), num_boost_round=ROUNDS)
            for receipt in receipts:
                if fold[receipt] != held_out:
                    continue
                candidates = numpy.array(found[receipt][0], dtype=float)
                if keep is None:
                    candidates = numpy.delete(candidates, range(RULES_FEATURES.start, RULES_FEATURES.stop), axis=1)
                best = int(numpy.argmax(booster.predict(candidates)))
                scores[name].append(right[receipt][best])
    return {name: sum(values) / len(values) for name, values in scores.items()}


def _squeezed(text: str) -> str:
    return "".join(text.casefold().split())
