"""Sustained load against gunicorn on loopback (`make load`).

Starts the service as `make serve` would (gunicorn.conf.py, DEBUG off) on a SQLite database of its
own, then for 60 seconds keeps it as busy as it can be with a mix of requests: 70% list and
retrieve, 20% parse_letter of known images (cache hits), 10% parse_letter of new images (misses).
Reports throughput, latency percentiles, errors and the workers' memory before and after, and writes
them into bench/RESULTS.md (its "Sustained load" section).

    make load                                   # 60 s, 8 clients
    .venv/bin/python -m bench.load --seconds 10 --clients 4
"""

import argparse
import concurrent.futures
import datetime
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from bench import datasets, metrics, sections

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATABASE_PATH = BENCH_DIR / ".load.sqlite3"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE_PATH}{suffix}").unlink(missing_ok=True)
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{DATABASE_PATH}",
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_SECRET_KEY": "load-test-only",
        "DJANGO_LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(workers),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=environment, check=True)
    return start_gunicorn("ocr_project.wsgi:application", port, environment)


def start_gunicorn(
    application: str, port: int, environment: dict, *, ready_path: str = "/healthz", stderr=subprocess.DEVNULL
) -> subprocess.Popen:
    """gunicorn with the repository's gunicorn.conf.py serving `application` on 127.0.0.1:`port`,
    returned once `ready_path` answers 200 (30 s at most)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", application],
        cwd=ROOT,
        env={**environment, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", ready_path)
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn {application} did not start")


def worker_pids(server: subprocess.Popen) -> list[int]:
    """gunicorn's workers: the master's children, from /proc."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{server.pid}$", status, re.MULTILINE):
            pids.append(int(entry))
    return pids


def worker_rss_mib(server: subprocess.Popen) -> float:
    """The resident memory of gunicorn's workers, summed, from /proc."""
    total_kib = 0
    for pid in worker_pids(server):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:  # replaced meanwhile
            continue
        total_kib += int(re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE).group(1))
    return total_kib / 1024


def multipart(content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="image.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


class Client:
    """One simulated client: a keep-alive connection sending the mix until told to stop."""

    def __init__(self, port: int, known: list[bytes], new: list[bytes], lock: threading.Lock, seed: int):
        self.port, self.known, self.new, self.lock = port, known, new, lock
        self.rng = random.Random(seed)
        self.timings: dict[str, list[float]] = {"read": [], "parse hit": [], "parse miss": []}
        self.errors: list[str] = []

    def run(self, until: float) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while time.monotonic() < until:
            kind, method, path, body, headers = self.next_request()
            start = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"{kind}: {type(error).__name__}")
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                continue
            self.timings[kind].append((time.perf_counter() - start) * 1000)
            if status != 200 or not payload.startswith(b"{"):
                self.errors.append(f"{kind}: HTTP {status}")

    def next_request(self):
        roll = self.rng.random()
        if roll < 0.70:
            path = self.rng.choice(
                [
                    "/api/ocr_record/",
                    "/api/ocr_record/?ordering=-image_size&page_size=50",
                    f"/api/ocr_record/?search={self.rng.choice('abcdefghij')}",
                    f"/api/ocr_record/{self.rng.randint(1, len(self.known))}/",  # the known images' records
                ]
            )
            return "read", "GET", path, None, {}
        if roll < 0.90 or not self.new:
            content, kind = self.rng.choice(self.known), "parse hit"
        else:
            with self.lock:
                content, kind = (
                    (self.new.pop(), "parse miss") if self.new else (self.rng.choice(self.known), "parse hit")
                )
        body, content_type = multipart(content)
        return kind, "POST", "/api/ocr_record/parse_letter/", body, {"Content-Type": content_type}


def main() -> None:
    parser = argparse.ArgumentParser(description="Sustained load against gunicorn on loopback.")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    arguments = parser.parse_args()

    rng = random.Random(42)
    vocabulary = datasets.words()
    print("drawing images...", flush=True)
    known = [datasets.png_bytes(datasets.draw_word(rng, vocabulary)) for _ in range(40)]
    new = [datasets.png_bytes(datasets.draw_word(rng, vocabulary)) for _ in range(25 * (arguments.seconds + 10))]

    port = free_port()
    server = start_server(port, arguments.workers)
    try:
        for content in known:  # the known images are stored before the run: their parses are hits
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            body, content_type = multipart(content)
            connection.request(
                "POST", "/api/ocr_record/parse_letter/", body=body, headers={"Content-Type": content_type}
            )
            connection.getresponse().read()
        lock = threading.Lock()
        # A warm-up first: every worker thread makes its Tesseract instance and fills its caches, so
        # that the memory measured before the run is the memory of a worker in service.
        warm_up = [Client(port, known, new, lock, seed) for seed in range(arguments.clients)]
        warm_until = time.monotonic() + max(5, arguments.seconds // 10)
        with concurrent.futures.ThreadPoolExecutor(max_workers=arguments.clients) as pool:
            list(pool.map(lambda client: client.run(warm_until), warm_up))
        rss_before = worker_rss_mib(server)
        clients = [Client(port, known, new, lock, seed + 100) for seed in range(arguments.clients)]
        print(f"running {arguments.seconds} s with {arguments.clients} clients...", flush=True)
        started = time.monotonic()
        until = started + arguments.seconds
        with concurrent.futures.ThreadPoolExecutor(max_workers=arguments.clients) as pool:
            list(pool.map(lambda client: client.run(until), clients))
        elapsed = time.monotonic() - started
        rss_after = worker_rss_mib(server)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATABASE_PATH}{suffix}").unlink(missing_ok=True)

    timings = {kind: [t for client in clients for t in client.timings[kind]] for kind in clients[0].timings}
    everything = [t for values in timings.values() for t in values]
    errors = [error for client in clients for error in client.errors]
    rows = [
        "| requests | count | per second | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for kind, values in [*timings.items(), ("all", everything)]:
        if values:
            rows.append(
                f"| {kind} | {len(values):,} | {len(values) / elapsed:.1f} | {metrics.median(values):.1f} "
                f"| {percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} |"
            )
    growth = rss_after / rss_before - 1 if rss_before else 0.0
    section = [
        "## Sustained load (`make load`)",
        "",
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: gunicorn (gunicorn.conf.py, "
        f"{arguments.workers} workers × 2 threads, DEBUG off, SQLite) on loopback, {arguments.clients} clients "
        f"as fast as answered for {elapsed:.0f} s after a warm-up: 70% list and retrieve, 20% parse_letter "
        "of known images, 10% of new ones.",
        "",
        *rows,
        "",
        f"- errors: **{len(errors)}**" + (f" ({', '.join(sorted(set(errors))[:5])})" if errors else ""),
        f"- workers' memory (RSS, summed): {rss_before:.0f} MiB before, {rss_after:.0f} MiB after "
        f"({growth * 100:+.1f}%)",
    ]
    print("\n".join(section))
    sections.write("load", "\n".join(section))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
