"""Fields read out of receipts (`make bench-fields`), into bench/RESULTS.md: the receipt card's
rules (`extraction`) on the hand-checked lines of ../shared/realdata/sroie_fields, beside a naive
baseline, per field; how often a field is right at each confidence; the time per receipt.

A field is right when it equals the label once both are NFKC-normalized, case-folded and stripped
of whitespace; a date or a total also when it is the same day or amount. Nothing is learned yet, so
nothing is cross-validated: the rules were written looking at a handful of these receipts, and the
score over all 348 is what they give.

    .venv/bin/python -m bench.fields
"""

import datetime
import json
import os
import re
import statistics
import time
import unicodedata
from pathlib import Path

from bench import sections
from extraction import RECEIPT, Document, extract
from extraction.values import amounts_in, dates_in, same_amount, same_date

FIELDS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata" / "sroie_fields"
KEYS = ("company", "date", "address", "total")
CONFIDENCE_BANDS = ((0.9, 1.01), (0.7, 0.9), (0.0, 0.7))


def squeezed(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def is_right(key: str, found: str | None, truth: str) -> bool:
    if found is None:
        return False
    if squeezed(found) == squeezed(truth):
        return True
    if key == "date":
        return same_date(found, truth)
    if key == "total":
        return same_amount(found, truth)
    return False


def naive(boxes: list[dict]) -> dict[str, str | None]:
    """What a first try gives: the first line, the first date, the next three lines, the amount
    of the last line saying TOTAL (or of the line after it)."""
    texts = [box["text"] for box in boxes]
    date = next((found[0].printed for text in texts if (found := dates_in(text))), None)
    total = None
    for index, text in enumerate(texts):
        if re.search(r"TOTAL", text, re.I):
            amounts = amounts_in(text) or (amounts_in(texts[index + 1]) if index + 1 < len(texts) else [])
            total = amounts[-1].printed if amounts else total
    return {
        "company": texts[0] if texts else None,
        "date": date,
        "address": " ".join(texts[1:4]) or None,
        "total": total,
    }


def ours(boxes: list[dict]) -> dict[str, tuple[str | None, float]]:
    extraction = extract(Document.from_boxes(boxes), RECEIPT)
    return {item.key: (item.value, item.confidence) for item in extraction.fields}


def main() -> None:
    labels = json.loads((FIELDS_DIR / "fields.json").read_text(encoding="utf-8"))
    lines = json.loads((FIELDS_DIR / "lines.json").read_text(encoding="utf-8"))
    receipts = sorted(labels)
    scores: dict[str, dict[str, list[bool]]] = {"naive": {key: [] for key in KEYS}, "rules": {key: [] for key in KEYS}}
    by_confidence: list[tuple[float, bool]] = []
    timings = []
    for receipt in receipts:
        boxes, truth = lines[receipt], labels[receipt]
        baseline = naive(boxes)
        started = time.perf_counter()
        found = ours(boxes)
        timings.append((time.perf_counter() - started) * 1000)
        for key in KEYS:
            scores["naive"][key].append(is_right(key, baseline[key], truth[key]))
            value, confidence = found[key]
            right = is_right(key, value, truth[key])
            scores["rules"][key].append(right)
            by_confidence.append((confidence, right))

    def share(results: list[bool]) -> float:
        return sum(results) / len(results)

    def mean_share(way: str) -> float:
        return statistics.mean(share(scores[way][key]) for key in KEYS)

    rows = [f"| {key} | {share(scores['naive'][key]):.3f} | {share(scores['rules'][key]):.3f} |" for key in KEYS] + [
        f"| **mean** | {mean_share('naive'):.3f} | {mean_share('rules'):.3f} |"
    ]
    bands = []
    for low, high in CONFIDENCE_BANDS:
        inside = [right for confidence, right in by_confidence if low <= confidence < high]
        if inside:
            bands.append(f"| {low:.1f} - {min(high, 1):.1f} | {len(inside)} | {share(inside):.3f} |")
    body = "\n".join(
        [
            "## Fields of receipts (`make bench-fields`, `python -m bench.fields`)",
            "",
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores; the "
            f"{len(receipts)} receipts of ../shared/realdata/sroie_fields, from their hand-checked lines "
            "(no OCR). Right: equal once NFKC-normalized, case-folded and without whitespace; dates and "
            "totals also by value. Rules only (nothing learned yet, nothing to cross-validate).",
            "",
            "| field | naive baseline | the receipt card's rules |",
            "|---|---:|---:|",
            *rows,
            "",
            "How often a field is right, by its confidence:",
            "",
            "| confidence | fields | right |",
            "|---|---:|---:|",
            *bands,
            "",
            f"Time per receipt from its lines: median {statistics.median(timings):.2f} ms, "
            f"at most {max(timings):.2f} ms.",
        ]
    )
    print(body)
    sections.write("fields", body)


if __name__ == "__main__":
    main()
