"""What a link costs over an upload (`make bench`, its "Images by URL" section): the same images
read by parse_text once uploaded and once by link from a server on loopback, interleaved, each a
cache miss (every image new), in the real service in-process (Django's test client, its own SQLite
database in bench/); then the same file asked again both ways (cache hits: the fetch alone).

    .venv/bin/python -m bench.links
"""

import statistics
import time
from pathlib import Path

from bench.service_env import use_service_settings

BENCH_DIR = Path(__file__).resolve().parent
DATABASE_PATH = BENCH_DIR / ".links.sqlite3"
ROUNDS = 21

# The image server is on loopback: only a closed network's setting reaches it.
use_service_settings(f"sqlite:///{DATABASE_PATH}", OCR_ENGINE="tesserocr", OCR_URL_ALLOW_PRIVATE="true")


def main() -> None:
    import django  # noqa: PLC0415

    DATABASE_PATH.unlink(missing_ok=True)
    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from bench import sections  # noqa: PLC0415
    from tests.helpers import draw_text  # noqa: PLC0415
    from tests.urlserver import UrlServer  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    client = Client()
    images = [draw_text(f"link {number} {'abcdefghij'[number % 10] * 3}") for number in range(2 * ROUNDS)]
    upload_s, link_s, upload_hit_s, link_hit_s = [], [], [], []
    with UrlServer() as server:
        settings.OCR_URL_ALLOWED_PORTS = [80, 443, server.port]
        for number in range(ROUNDS):
            upload_s.append(_timed(client, {"image": _file(images[2 * number])}, multipart=True))
            server.image = images[2 * number + 1]  # what the server answers for /image.png
            link_s.append(_timed(client, {"url": server.url("/image.png")}))
            upload_hit_s.append(_timed(client, {"image": _file(images[2 * number + 1])}, multipart=True))
            link_hit_s.append(_timed(client, {"url": server.url("/image.png")}))
    upload, link = statistics.median(upload_s), statistics.median(link_s)
    upload_hit, link_hit = statistics.median(upload_hit_s), statistics.median(link_hit_s)
    body = "\n".join(
        [
            "## Images by URL (`make bench`, `python -m bench.links`)",
            "",
            f"{ROUNDS} rounds, each an image uploaded and another by link from a server on loopback (every image "
            "new: read by Tesseract), then the second asked again both ways (answered from its record); medians, "
            "parse_text in-process (the test client), `OCR_URL_ALLOW_PRIVATE` on for the loopback server.",
            "",
            "| | upload | by link | the link's cost |",
            "|---|---:|---:|---:|",
            f"| new image | {upload * 1000:.1f} ms | {link * 1000:.1f} ms | {(link - upload) * 1000:+.1f} ms "
            f"({link / upload:.3f} ×) |",
            f"| read before | {upload_hit * 1000:.1f} ms | {link_hit * 1000:.1f} ms | {(link_hit - upload_hit) * 1000:+.1f} ms |",
            "",
            "Target: a link costs at most 50 ms more than the same upload (median).",
        ]
    )
    print(body)
    sections.write("links", body)
    DATABASE_PATH.unlink(missing_ok=True)


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    return SimpleUploadedFile("image.png", content, content_type="image/png")


def _timed(client, data: dict, *, multipart: bool = False) -> float:
    started = time.perf_counter()
    if multipart:
        response = client.post("/api/ocr_record/parse_text/", data)
    else:
        response = client.post("/api/ocr_record/parse_text/", data, content_type="application/json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content
    return elapsed


if __name__ == "__main__":
    main()
