"""Fields read out of receipts (`make bench-fields`), into bench/RESULTS.md: the receipt card's
rules (`extraction`) on the hand-checked lines of ../shared/realdata/sroie_fields, beside a naive
baseline, per field; how often a field is right at each confidence; the time per receipt; then the
40 receipts that have their images, end to end (read by the service's engine, then the card).

A field is right when it equals the label once both are NFKC-normalized, case-folded and stripped
of whitespace; a date or a total also when it is the same day or amount. The rules were written
looking at the errors over these receipts, and the score over all 348 is what they give (read a
point or two as noise, and the rules as fitted to this set until a held-out set says otherwise).
Beside them, a learned ranker for the address, cross-validated by company (bench/address_ranker.py):
whether a model would do better where the rules stop.

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

from bench import address_ranker, invoices, sections
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


def from_images() -> list[str]:
    """The receipts that have their images, read end to end: parse_text's reading (the `auto`
    engine, as the service reads) then the card; per field the share right (the address also by
    character accuracy), and the extraction's cost beside the reading's."""
    from PIL import Image

    from bench.metrics import character_accuracy
    from extraction import Line
    from ocr_engine import get_engine
    from ocr_engine.text import read_text

    labels = json.loads((FIELDS_DIR / "fields.json").read_text(encoding="utf-8"))
    receipts = sorted(path.stem for path in FIELDS_DIR.glob("*.jpg"))
    engine = get_engine("auto", timeout_seconds=120)
    right = {key: [] for key in KEYS}
    address_accuracy, reading_s, extracting_s = [], [], []
    for receipt in receipts:
        image = Image.open(FIELDS_DIR / f"{receipt}.jpg")
        started = time.perf_counter()
        reading = read_text(engine, image)
        reading_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        extraction = extract(Document([Line(line.text, line.location) for line in reading.lines]), RECEIPT)
        extracting_s.append(time.perf_counter() - started)
        for key in KEYS:
            right[key].append(is_right(key, extraction.value(key), labels[receipt][key]))
        found = " ".join(squeezed_spaces(extraction.value("address")).split())
        address_accuracy.append(character_accuracy(found, squeezed_spaces(labels[receipt]["address"])))
        print(f"  {receipt}: read in {reading_s[-1]:.2f} s", flush=True)
    reading_median, extracting_median = statistics.median(reading_s), statistics.median(extracting_s)
    return [
        f"From the images, end to end ({len(receipts)} receipts with their images; read by `auto` as parse_text "
        "reads, then the card):",
        "",
        "| field | right |",
        "|---|---:|",
        *(f"| {key} | {sum(right[key]) / len(receipts):.3f} |" for key in KEYS),
        f"| address, character accuracy | {statistics.mean(address_accuracy):.3f} |",
        "",
        f"A receipt's reading: median {reading_median:.2f} s; its extraction {extracting_median * 1000:.2f} ms more "
        f"({(reading_median + extracting_median) / reading_median:.3f} × the reading).",
    ]


def learned_address(lines: dict[str, list[dict]], labels: dict[str, dict]) -> list[str]:
    """The address chosen by a LightGBM ranker over runs of lines, five folds held out by company,
    beside the rules on the same receipts."""
    shares = address_ranker.cross_validated(lines, labels, is_right)
    return [
        "A learned ranker for the address (LightGBM over every run of 1-8 lines near the top: the rules' "
        "tests of each line and its layout; 5 folds, each holding out whole companies; "
        "`bench/address_ranker.py`):",
        "",
        "| address chosen by | right |",
        "|---|---:|",
        *(f"| {name} | {share:.3f} |" for name, share in shares.items()),
    ]


def squeezed_spaces(text: str | None) -> str:
    """NFKC, case-folded, runs of whitespace one space: how addresses are compared by characters."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


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
    # The images first: LightGBM's OpenMP threads keep spinning for a while after training, and
    # would slow the readings timed beside them.
    images = from_images()
    invoice_section = invoices.section()
    learned = learned_address(lines, labels)
    body = "\n".join(
        [
            "## Fields of receipts (`make bench-fields`, `python -m bench.fields`)",
            "",
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores; the "
            f"{len(receipts)} receipts of ../shared/realdata/sroie_fields, from their hand-checked lines "
            "(no OCR). Right: equal once NFKC-normalized, case-folded and without whitespace; dates and "
            "totals also by value. The rules learn nothing; the learned ranker below is cross-validated.",
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
            "",
            *learned,
            "",
            *images,
            "",
            *invoice_section,
        ]
    )
    print(body)
    sections.write("fields", body)


if __name__ == "__main__":
    main()
