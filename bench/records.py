"""Synthetic letter records, as parse_letter leaves them, for the benchmarks that need many
(imported after Django is set up)."""

import datetime
import random
from collections.abc import Iterator

from bench import datasets


def letter_records(count: int, rng: random.Random) -> Iterator:
    """`count` unsaved records of 1-3 dictionary words each, sizes 500 B to 100 kB, created over
    the past year."""
    from ocr_record.models import OcrRecord

    now = datetime.datetime.now(datetime.UTC)
    words = datasets.words()
    for _ in range(count):
        letters = "".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        yield OcrRecord(
            image_md5=f"{rng.getrandbits(128):032x}",
            image_sha256=f"{rng.getrandbits(256):064x}",  # as every record kept since SHA-256 is
            image_size=rng.randint(500, 100_000),
            content=list(letters),
            content_text=letters,
            engine="bench",
            pipeline="bench",
            created_at=now - datetime.timedelta(seconds=rng.randint(0, 365 * 24 * 3600)),
        )
