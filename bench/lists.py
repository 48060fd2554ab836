"""The list's searches and size ranges at a million records, on SQLite and on PostgreSQL
(`make bench` runs it after bench.run), into bench/RESULTS.md.

Each database gets 1,000,000 letter records like bench.run's (1-3 dictionary words, sizes 500 B to
100 kB, a year of creation times), loaded in bulk with its text index and size counts made after
the load (the way to load a million rows; their triggers keep them in step one row at a time
afterwards).
Each query is asked through Django's test client with its count, 15 times; the table gives
medians in ms. PostgreSQL is the local server (OCR_BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/test); its `public` schema is emptied first.

    .venv/bin/python -m bench.lists
    .venv/bin/python -m bench.lists --records 100000
"""

import argparse
import datetime
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from bench.service_env import use_service_settings

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SQLITE_PATH = BENCH_DIR / ".lists.sqlite3"
POSTGRES_URL = os.environ.get("OCR_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
TARGET_MS = 20
QUERIES = {
    "search letters (contains)": {"search": "quartz"},
    "search a hex md5 prefix": {"search": "{md5_prefix}"},
    "search two terms": {"search": "{head} {tail}"},
    "size 20-60 kB": {"image_size__gte": 20_000, "image_size__lte": 60_000},
    "size 20-60 kB, newest first": {"image_size__gte": 20_000, "image_size__lte": 60_000, "ordering": "-created_at"},
    "first page (default order: -id)": {},
}
HIT = "parse_letter of a file stored before (the dedup's lookups)"


def measure(database_url: str, records: int, repeats: int) -> dict:
    """In a child process (Django is configured once per process): fill, then time each query."""
    use_service_settings(database_url)
    import random
    import time

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench import metrics
    from bench.records import letter_records
    from ocr_record.models import OcrRecord

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    # The text index and the size counts are dropped during the load and made after it.
    derived = [
        importlib.import_module(f"ocr_record.migrations.{name}") for name in ("0008_search_indexes", "0009_size_counts")
    ]

    rng = random.Random(1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for migration in derived:
            for statement in migration.BACKWARD[connection.vendor]:
                cursor.execute(statement)
    OcrRecord.objects.bulk_create(letter_records(records, rng), batch_size=20_000)
    with connection.cursor() as cursor:
        for migration in derived:
            for statement in migration.FORWARD[connection.vendor]:
                cursor.execute(statement)
        # As autovacuum leaves a loaded table: statistics, and PostgreSQL's visibility map (without
        # which no count can be answered from an index alone).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    loaded = time.perf_counter() - started
    sample = OcrRecord.objects.get(pk=records // 2)  # the same record on both databases
    client = Client()
    results = {}
    for label, parameters in QUERIES.items():
        query = {
            key: str(value).format(
                md5_prefix=sample.image_md5[:6], head=sample.content_text[:4], tail=sample.content_text[-4:]
            )
            for key, value in parameters.items()
        }
        response = client.get("/api/ocr_record/", query)  # warm the caches
        assert response.status_code == 200, response.content
        count = response.json()["count"]
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            client.get("/api/ocr_record/", query)
            times.append((time.perf_counter() - began) * 1000)
        results[label] = {"ms": metrics.median(times), "count": count}
    results[HIT] = {"ms": metrics.median(parse_letter_hits(client, rng, repeats)), "count": 1}
    return {
        "vendor": connection.vendor,
        "version": connection.Database.__name__,
        "loaded_s": loaded,
        "results": results,
    }


def parse_letter_hits(client, rng, repeats: int) -> list[float]:
    """ms of each of `repeats` uploads of a file stored among the records: the dedup's lookup (its
    SHA-256, and its md5 among records older than SHA-256) at this many records, and the answer."""
    import hashlib
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench import datasets
    from ocr_record.models import OcrRecord

    image = datasets.png_bytes(datasets.draw_word(rng, datasets.words()))
    OcrRecord.objects.create(
        image_md5=hashlib.md5(image).hexdigest(),
        image_sha256=hashlib.sha256(image).hexdigest(),
        image_size=len(image),
        content=list("stored"),
        content_text="stored",
    )
    times = []
    for _ in range(repeats + 1):
        began = time.perf_counter()
        response = client.post("/api/ocr_record/parse_letter/", {"image": SimpleUploadedFile("i.png", image)})
        times.append((time.perf_counter() - began) * 1000)
        assert response["X-OCR-Cache"] == "hit", response.content
    return times[1:]  # the first warms the caches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print("JSON " + json.dumps(measure(arguments.child, arguments.records, arguments.repeats)))
        return
    from bench import sections

    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    runs = []
    for url in (f"sqlite:///{SQLITE_PATH}", POSTGRES_URL):
        ran = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.lists",
                "--child",
                url,
                "--records",
                str(arguments.records),
                "--repeats",
                str(arguments.repeats),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(next(line for line in ran.stdout.splitlines() if line.startswith("JSON "))[5:]))
        print(f"{runs[-1]['vendor']}: loaded in {runs[-1]['loaded_s']:.0f} s; {runs[-1]['results']}", flush=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    table = [
        "| query, with its count | "
        + " | ".join(f"{run['vendor']} ms (rows)" for run in runs)
        + f" | ≤ {TARGET_MS} ms |",
        "|---|" + "---:|" * len(runs) + "---|",
    ]
    for label in [*QUERIES, HIT]:
        cells = [f"{run['results'][label]['ms']:.1f} ({run['results'][label]['count']:,})" for run in runs]
        met = all(run["results"][label]["ms"] <= TARGET_MS for run in runs)
        table.append(f"| {label} | " + " | ".join(cells) + f" | {'yes' if met else '**no**'} |")
    body = "\n".join(
        [
            "## Search, ranges and the dedup at a million records (`make bench`, `python -m bench.lists`)",
            "",
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
            f"{arguments.records:,} records per database; median of {arguments.repeats} requests through "
            "Django's test client, each with its count query. Search uses SQLite's FTS5 trigram index and "
            "PostgreSQL's pg_trgm index (ocr_record/search.py); a list filtered by size alone is counted from "
            "per-KiB counts kept by triggers (ocr_record_count_sized). The last row uploads a file stored "
            "among them: the dedup finds it through its indexes (ocr_record/services.py), not by reading "
            "the records of its kind.",
            "",
            *table,
        ]
    )
    print(body)
    sections.write("lists", body)


if __name__ == "__main__":
    main()
