"""The service over HTTP, as users meet it (`make bench-http`), into bench/RESULTS.md.

gunicorn with the repository's gunicorn.conf.py (2 workers × 2 threads on 2 cores), DEBUG off,
SQLite, on loopback; wrk (2 threads, 8 connections, --seconds each) sends requests that
bench/wrk/bodies.lua reads from files written here. Side by side, in one run:
- (a) the framework's floor: bench/floor.py, one DRF view answering a constant JSON in a Django with
  nothing else, under the same gunicorn settings; and the same view inside the service
  (bench/service_floor.py: its middleware, authentication, permission and throttle);
- (b) parse_letter of one image read before (a cache hit);
- (c) the list (20 per page) and the retrieve of one record, among 1,000;
- (d) parse_letter of images never seen (cache misses, each image sent once), beside the engine
  alone reading the same kind of images in this process: its median seconds per image, and the
  two-core limit 2 ÷ that median;
- (e) a mixed load (10 % misses, 40 % hits, 30 % list, 20 % retrieve) with p50/p95/p99.
Each row runs --repeats times (3), each run of misses on images of its own; the run with the median
requests/s is shown. Each row also gives the server's CPU per request (its workers' user and system time), which does
not depend on how wrk's kept-alive connections fall between the workers. Workers are not recycled
during the run (GUNICORN_MAX_REQUESTS=0), and a warm-up with misses loads every thread's engine.

    make bench-http
    .venv/bin/python -m bench.http --seconds 5
"""

import argparse
import concurrent.futures
import datetime
import gc
import http.client
import io
import json
import multiprocessing
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATABASE_PATH = BENCH_DIR / ".http.sqlite3"
WRK_THREADS, WRK_CONNECTIONS = 2, 8
for suffix in ("", "-wal", "-shm"):
    Path(f"{DATABASE_PATH}{suffix}").unlink(missing_ok=True)
SERVICE_ENVIRONMENT = {
    "DATABASE_URL": f"sqlite:///{DATABASE_PATH}",
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "false",
    "DJANGO_SECRET_KEY": "http-bench-only",
    "DJANGO_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "ocr_project.settings",
    "OCR_TASK_EMBEDDED_THREADS": "0",
}
os.environ.update(SERVICE_ENVIRONMENT)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image  # noqa: E402

import ocr_engine  # noqa: E402
from bench import datasets, metrics, sections  # noqa: E402
from bench.load import free_port, multipart, start_gunicorn, worker_pids  # noqa: E402
from bench.records import letter_records  # noqa: E402
from ocr_engine.pipeline import read_image  # noqa: E402
from ocr_record.models import OcrRecord  # noqa: E402
from ocr_record.services import configured_engine  # noqa: E402

PARSE_LETTER = "/api/ocr_record/parse_letter/"
FLOOR = "bench.floor:application"
SERVICE_FLOOR = "bench.service_floor:application"


def write_requests(directory: Path, kind: str, requests: list[tuple[str, str, str, bytes]]) -> None:
    """Each request as a file (method, path, content type, body) and a list of them for wrk."""
    paths = []
    for number, (method, url, content_type, body) in enumerate(requests):
        path = directory / f"{kind}-{number}.req"
        path.write_bytes(f"{method}\n{url}\n{content_type}\n".encode() + body)
        paths.append(str(path))
    (directory / f"{kind}.list").write_text("\n".join(paths) + "\n")


def start(application: str, port: int) -> subprocess.Popen:
    log = os.environ.get("BENCH_HTTP_SERVER_LOG")
    return start_gunicorn(
        application,
        port,
        {
            **os.environ,
            # No recycling mid-row: a worker replaced after GUNICORN_MAX_REQUESTS (the floor reached
            # it in a 10 s row) starts Django and its engines again, a pause no other row has.
            "GUNICORN_MAX_REQUESTS": "0",
            "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
            "GUNICORN_THREADS": os.environ.get("GUNICORN_THREADS", "2"),
        },
        ready_path={FLOOR: "/floor/", SERVICE_FLOOR: "/api/floor/"}.get(application, "/healthz"),
        stderr=open(log, "a") if log else subprocess.DEVNULL,
    )


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=60)


def cpu_seconds(server: subprocess.Popen) -> float:
    """The CPU time (user and system) the server's workers have used so far: the live ones', and
    those the master has reaped (its children's times)."""
    master = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
    used = int(master[13]) + int(master[14])  # cutime, cstime
    for pid in worker_pids(server):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # reaped meanwhile: counted in the master's children's times
            continue
        used += int(fields[11]) + int(fields[12])  # utime, stime
    return used / os.sysconf("SC_CLK_TCK")


def wrk(port: int, directory: Path, kinds: str, seconds: int, server: subprocess.Popen | None = None) -> dict:
    """One wrk run; its numbers (requests/s, latency percentiles, errors) and, given the server,
    the CPU its workers spent per request (which a worker left idle by wrk's connections, all
    kept alive on the other, does not change)."""
    used_before = cpu_seconds(server) if server else 0.0
    ran = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{WRK_CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH_DIR / "wrk" / "bodies.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env={**os.environ, "BODIES_DIR": str(directory), "KINDS": kinds, "WRK_THREADS": str(WRK_THREADS)},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in ran.stdout.splitlines() if line.startswith("JSON "))
    result = json.loads(line.removeprefix("JSON "))
    result["per_second"] = result["requests"] / result["seconds"]
    if server:
        result["cpu_ms"] = (cpu_seconds(server) - used_before) / result["requests"] * 1000
    return result


def decoded(images: list[bytes]) -> list[Image.Image]:
    """The images as parse_letter's miss hands them to the engine: decoded pixels."""
    return [Image.open(io.BytesIO(content)).convert("L") for content in images]


def warm_engine(images: list[bytes]) -> tuple[ocr_engine.OcrEngine, list[Image.Image]]:
    """This process's engine, its models loaded by reading a few of `images` before any clock
    starts, and `images` decoded."""
    engine = configured_engine(settings.OCR_LANGUAGE)
    pixels = decoded(images)
    for image in pixels[:5]:
        read_image(engine, image)
    return engine, pixels


def engine_alone(images: list[bytes]) -> tuple[float, float]:
    """The engine's median and mean seconds per image, reading them as parse_letter's miss does
    (decoded pixels in, letters out), one after another in this process."""
    engine, pixels = warm_engine(images)
    times = []
    for image in pixels:
        started = time.perf_counter()
        read_image(engine, image)
        times.append(time.perf_counter() - started)
    return metrics.median(times), sum(times) / len(times)


def _read_all(images: list[bytes]) -> float:
    engine, pixels = warm_engine(images)
    started = time.perf_counter()
    for image in pixels:
        read_image(engine, image)
    return time.perf_counter() - started


def engine_in_parallel(images: list[bytes], processes: int = 2) -> float:
    """Images per second the engine alone reads with `processes` processes reading at once, each
    its share of `images`: what two cores really give, with the engine's slow images (its mean, not
    its median) and two readings sharing the machine's caches. Forked before this process has made
    an engine (a fork keeps no thread of ONNX Runtime's), so call it first."""
    shares = [images[start::processes] for start in range(processes)]
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        walls = list(pool.map(_read_all, shares))
    return len(images) / max(walls)


def profile(requests_per_kind: int = 300) -> None:
    """Where a request's time goes, in this process (Django's test client, the service's own
    middleware and settings): per kind, the time per request and the functions it spends the most
    in, by their own time and with what they call; into bench/RESULTS.md's "http-profile"."""
    import cProfile
    import pstats

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    call_command("migrate", "--noinput", verbosity=0)
    rng = random.Random(3)
    OcrRecord.objects.bulk_create(letter_records(1000, rng))
    image = datasets.png_bytes(datasets.draw_word(rng, datasets.words()))
    client = Client(HTTP_HOST="127.0.0.1")
    ids = list(OcrRecord.objects.values_list("id", flat=True)[:100])
    vocabulary = datasets.words()
    new_images = iter([datasets.png_bytes(datasets.draw_word(rng, vocabulary)) for _ in range(requests_per_kind + 20)])
    kinds = {
        "parse_letter, cache hit": lambda: client.post(PARSE_LETTER, {"image": SimpleUploadedFile("i.png", image)}),
        "parse_letter, cache miss": lambda: client.post(
            PARSE_LETTER, {"image": SimpleUploadedFile("i.png", next(new_images))}
        ),
        "list, 20 per page": lambda: client.get("/api/ocr_record/?page_size=20"),
        "retrieve": lambda: client.get(f"/api/ocr_record/{rng.choice(ids)}/"),
    }
    lines = [
        "## Where a request's time goes (`python -m bench.http --profile`)",
        "",
        f"cProfile over {requests_per_kind} requests of each kind after 20 of warm-up, in one process "
        "(Django's test client through the service's middleware; SQLite, 1,000 records). Per kind: its "
        "time per request (under the profiler, which slows Python code about 2 ×; the garbage collector's "
        "long-lived objects frozen, as in gunicorn's workers), then the functions with "
        "the most time of their own, and the main stages with what they call.",
    ]
    stages = {
        "ocr_record/services.py": "the service (lookups, storing; on a miss the engine too)",
        "(read_image)": "the engine (ocr_engine.pipeline.read_image)",
        "(_load_data_and_files)": "parsing the multipart body",
        "serializers.py:217(is_valid)": "validating (decoding the image)",
        "filter_queryset": "filters",
        "paginate_queryset": "pagination (count and page)",
        "serializers.py:816(data)": "serializing the page",
    }
    for name, call in kinds.items():
        for _ in range(20):
            call()
        # As a gunicorn worker does once loaded (gunicorn.conf.py): otherwise a full collection
        # walking the loaded application lands, as own time, on whichever function was running.
        gc.collect()
        gc.freeze()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests_per_kind):
            call()
        profiler.disable()
        stats = pstats.Stats(profiler, stream=io.StringIO())
        total = stats.total_tt
        lines += ["", f"**{name}**: {total / requests_per_kind * 1000:.2f} ms per request", ""]
        lines += ["| function | own ms/request | with callees ms/request |", "|---|---:|---:|"]
        entries = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)
        for (filename, line, function), (_, _, own, cumulative, _) in entries[:8]:
            where = f"{Path(filename).name}:{line}({function})" if line else function
            lines.append(
                f"| `{where}` | {own / requests_per_kind * 1000:.3f} | {cumulative / requests_per_kind * 1000:.3f} |"
            )
        # Each stage: the largest time with callees of a function it names (the outermost one).
        cumulative_by_label = {
            f"{file}:{line}({function})": value[3] for (file, line, function), value in stats.stats.items()
        }
        spent = {
            stage: max((value for label, value in cumulative_by_label.items() if marker in label), default=0)
            for marker, stage in stages.items()
        }
        shown = sorted(
            ((stage, value) for stage, value in spent.items() if value > 0.02 * total), key=lambda item: -item[1]
        )
        if shown:
            lines += [
                "",
                "Stages: " + "; ".join(f"{stage} {value / requests_per_kind * 1000:.2f} ms" for stage, value in shown),
            ]
    body = "\n".join(lines)
    print(body)
    sections.write("http-profile", body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="profile each request kind in-process instead")
    parser.add_argument(
        "--rows", default="hit,list,retrieve,miss,mixed", help="the service's rows to run (all by default)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each row; the one with the median requests/s is shown"
    )
    arguments = parser.parse_args()
    if arguments.profile:
        profile()
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench-http` installs it (Debian's wrk).")
    call_command("migrate", "--noinput", verbosity=0)
    rng = random.Random(17)
    OcrRecord.objects.bulk_create(letter_records(1000, rng))
    vocabulary = datasets.words()
    hit_image = datasets.png_bytes(datasets.draw_word(rng, vocabulary))

    def new_images(count: int) -> list[bytes]:
        return [datasets.png_bytes(datasets.draw_word(rng, vocabulary)) for _ in range(count)]

    def uploads(images: list[bytes]) -> list[tuple[str, str, str, bytes]]:
        return [("POST", PARSE_LETTER, *reversed(multipart(image))) for image in images]

    some_records = list(OcrRecord.objects.values_list("id", flat=True)[:200])
    directory = Path(tempfile.mkdtemp(prefix="django-ocr-bench-http-"))
    write_requests(directory, "floor", [("GET", "/floor/", "", b"")])
    write_requests(directory, "servicefloor", [("GET", "/api/floor/", "", b"")])
    write_requests(directory, "hit", uploads([hit_image]))
    write_requests(directory, "list", [("GET", "/api/ocr_record/?page_size=20", "", b"")])
    write_requests(directory, "retrieve", [("GET", f"/api/ocr_record/{pk}/", "", b"") for pk in some_records])
    # Misses of the warm-up: every thread of every worker makes its engine instances before the
    # rows are measured (the first reading of a thread loads Tesseract's models: up to a second).
    write_requests(directory, "misswarm", uploads(new_images(200)))
    # Each run of a row with misses has images of its own, enough at up to 400 misses a second:
    # no miss is ever sent twice.
    for repeat in range(arguments.repeats):
        write_requests(directory, f"miss{repeat}", uploads(new_images(400 * arguments.seconds)))
        write_requests(directory, f"missmixed{repeat}", uploads(new_images(100 * arguments.seconds)))

    # First, before this process makes an engine (the processes it forks must not inherit one).
    # The same kind of images as the misses, never sent.
    alone = new_images(400)
    parallel_per_second = engine_in_parallel(alone)
    seconds_per_image, mean_seconds_per_image = engine_alone(alone[:200])
    print(f"engine alone, two processes at once: {parallel_per_second:.0f}/s", flush=True)
    print(f"engine alone: {seconds_per_image * 1000:.1f} ms median per image", flush=True)

    port = free_port()
    results = {
        "floor": served_alone(FLOOR, "floor", port, directory, arguments),
        "service floor": served_alone(SERVICE_FLOOR, "servicefloor", port, directory, arguments),
    }
    print(f"floors: {results['floor']['per_second']:.0f}/s, {results['service floor']['per_second']:.0f}/s", flush=True)
    service = start("ocr_project.wsgi:application", port)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body, content_type = multipart(hit_image)
        connection.request("POST", PARSE_LETTER, body, {"Content-Type": content_type})  # stored: later ones hit
        assert connection.getresponse().status == 200
        wrk(port, directory, "hit:1,list:1,retrieve:1,misswarm:1", 3)  # warm-up: every thread's engine loaded
        rows = {
            "hit": "hit:1",
            "list": "list:1",
            "retrieve": "retrieve:1",
            "miss": "miss{repeat}:1",
            "mixed": "missmixed{repeat}:1,hit:4,list:3,retrieve:2",
        }
        for name in arguments.rows.split(","):
            runs = [
                wrk(port, directory, rows[name].format(repeat=repeat), arguments.seconds, service)
                for repeat in range(arguments.repeats)
            ]
            results[name] = median_run(runs)
            print(f"{name}: {results[name]}", flush=True)
    finally:
        stop(service)
    shutil.rmtree(directory, ignore_errors=True)
    if set(results) == {"floor", "service floor", *rows}:  # a partial run is printed, not written
        report(results, seconds_per_image, mean_seconds_per_image, parallel_per_second, arguments)


def served_alone(application: str, kind: str, port: int, directory: Path, arguments: argparse.Namespace) -> dict:
    """The row of `kind`'s requests to `application`, served on its own: started, warmed up, run
    --repeats times, stopped."""
    server = start(application, port)
    try:
        wrk(port, directory, f"{kind}:1", 2)  # warm-up
        return median_run(
            [wrk(port, directory, f"{kind}:1", arguments.seconds, server) for _ in range(arguments.repeats)]
        )
    finally:
        stop(server)


def median_run(runs: list[dict]) -> dict:
    """The run with the median requests/s (the lower middle of an even count), whole: its latencies
    and CPU are those of one run, not medians of different ones; with every run's requests/s."""
    chosen = dict(sorted(runs, key=lambda run: run["per_second"])[(len(runs) - 1) // 2])
    chosen["runs_per_second"] = [run["per_second"] for run in runs]
    return chosen


def report(
    results: dict,
    seconds_per_image: float,
    mean_seconds_per_image: float,
    parallel_per_second: float,
    arguments: argparse.Namespace,
) -> None:
    floor = results["floor"]["per_second"]
    limit = 2 / seconds_per_image
    rows = [
        ("(a) framework floor: a DRF view, constant JSON", "floor", None, None),
        (
            "(a) the same view inside the service (its middleware, authentication, permission, throttle)",
            "service floor",
            floor,
            None,
        ),
        ("(b) parse_letter, an image read before (cache hit)", "hit", floor, 0.7),
        ("(c) list, 20 per page", "list", floor, 0.6),
        ("(c) retrieve one record", "retrieve", floor, 0.6),
        ("(d) parse_letter, images never seen (cache miss)", "miss", limit, 0.85),
        ("(e) mixed: 10 % miss, 40 % hit, 30 % list, 20 % retrieve", "mixed", None, None),
    ]
    table = [
        "| request | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/request | against | ratio "
        "| ratio by CPU | target | met | req/s of each run |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|",
    ]
    for label, name, base, target in rows:
        result = results[name]
        errors = result["errors"] + result["non_2xx"]
        against = "" if base is None else ("the floor" if name != "miss" else f"engine's 2-core limit {limit:.0f}/s")
        ratio = "" if base is None else f"{result['per_second'] / base:.2f}"
        # The same ratio from CPU time: the floor's CPU per request (or, for misses, the engine's
        # median) over this row's.
        by_cpu = (
            ""
            if base is None
            else f"{(seconds_per_image * 1000 if name == 'miss' else results['floor']['cpu_ms']) / result['cpu_ms']:.2f}"
        )
        met = "" if target is None else ("yes" if result["per_second"] / base >= target else "**no**")
        if name == "mixed":
            target_text = "p99 ≤ 3 × p50, no error"
            ok = result["p99_ms"] <= 3 * result["p50_ms"] and errors == 0
            ratio, met = f"p99/p50 {result['p99_ms'] / result['p50_ms']:.1f}", "yes" if ok else "**no**"
        else:
            target_text = "" if target is None else f"≥ {target}"
        table.append(
            f"| {label} | {result['per_second']:.0f} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} "
            f"| {result['p99_ms']:.1f} | {errors} | {result['cpu_ms']:.2f} | {against} | {ratio} | {by_cpu} "
            f"| {target_text} | {met} | {', '.join(f'{value:.0f}' for value in result['runs_per_second'])} |"
        )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    # What each endpoint's own work may cost at its target, by CPU: the target's CPU per request
    # (the floor's over the ratio) less what the layers every API request goes through cost (the
    # floor's view inside the service).
    layers_ms = results["service floor"]["cpu_ms"]
    budgets = []
    for _, name, base, target in rows:
        if base == floor and target is not None:
            left = results["floor"]["cpu_ms"] / target - layers_ms
            budgets.append(
                f"{name} {left:.2f} ms" if left > 0 else f"{name} nothing (the layers are {-left:.2f} ms over)"
            )
            budgets[-1] += f", where it costs {results[name]['cpu_ms'] - layers_ms:.2f}"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    body = "\n".join(
        [
            "## Over HTTP (`make bench-http`)",
            "",
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({cpu}), "
            f"Python {platform.python_version()}, Django {django.get_version()}, SQLite, commit "
            f"{commit.stdout.strip() or '?'}. gunicorn.conf.py: 2 workers × 2 threads, DEBUG off; wrk "
            f"{WRK_THREADS} threads × {WRK_CONNECTIONS} connections, on the same two cores; each row run "
            f"{arguments.repeats} times for {arguments.seconds} s (misses on new images each time), the run "
            "with the median requests/s shown whole (its latencies and CPU). "
            f"The engine alone ({ocr_engine.engine_class(settings.OCR_ENGINE).__name__}, "
            f"OCR_ENGINE={settings.OCR_ENGINE}) reads these images in {seconds_per_image * 1000:.1f} ms "
            f"(median), so two cores could read {2 / seconds_per_image:.0f} a second; its mean is "
            f"{mean_seconds_per_image * 1000:.1f} ms (a few images are read twice, or by both engines), so "
            f"even a service adding nothing to the engine would read {seconds_per_image / mean_seconds_per_image:.2f} "
            "of that limit. The server's CPU per request is its workers' user and system time over the "
            "row's requests: unlike requests/s, it does not depend on how wrk's kept-alive connections "
            "fall between the two workers (most on one leaves the other core idle, and a row's requests/s "
            "halves); the ratio by CPU is the floor's CPU per request (for misses the engine's median) "
            "over the row's. Met or not is judged on requests/s, as the targets are set.",
            "",
            *table,
            "",
            f"What two cores really give: the engine alone, in two processes reading these images at once "
            f"(no HTTP, no Django, decoded pixels in), reads {parallel_per_second:.0f} a second, "
            f"{parallel_per_second / limit:.2f} of the limit above "
            f"({'under' if parallel_per_second / limit < 0.85 else 'over'} the misses' target of 0.85: its "
            f"slow images, and two readings sharing the machine). Against it, the misses reach "
            f"**{results['miss']['per_second'] / parallel_per_second:.2f}**.",
            "",
            f"What the targets leave each endpoint's own work (the body, the lookup, the query, the answer), "
            f"by CPU per request: at its target a request may cost the floor's "
            f"{results['floor']['cpu_ms']:.2f} ms over the target ratio, and the layers every API request "
            f"goes through (the row above the hits) take {layers_ms:.2f} ms of it, leaving "
            f"{'; '.join(budgets)}.",
        ]
    )
    print(body)
    sections.write("http", body)


if __name__ == "__main__":
    main()
