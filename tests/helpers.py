"""What the tests share: images and PDFs they draw, requests they make, servers they start and
ways to wait; fixtures stay in conftest.py."""

import importlib
import io
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from ocr_record.models import OcrRecord
from ocr_task.exports import ocr_task_item_export
from ocr_task.models import OcrTaskItem
from tests.processes import database_url_under_test

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


PARSE_LETTER_URL = "/api/ocr_record/parse_letter/"


LIST_URL = "/api/ocr_record/"


def draw_text(
    text: str,
    *,
    font_size: int = 40,
    image_format: str = "PNG",
    mode: str = "RGB",
    background: str | tuple[int, ...] = "white",
) -> bytes:
    """An image of `text` in black, drawn with DejaVu Sans: what real Tesseract reads well."""
    font = ImageFont.truetype(FONT_PATH, font_size)
    lines = text.split("\n")
    width = max(int(font.getlength(line)) for line in lines) + 2 * font_size
    height = (len(lines) + 1) * int(font_size * 1.5)
    image = Image.new("RGBA", (width, height), background)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((font_size, font_size // 2 + number * int(font_size * 1.5)), line, fill="black", font=font)
    return encode(image.convert(mode), image_format)


def encode(image: Image.Image, image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def upload(content: bytes, name: str = "image.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


_md5s = (f"{number:032x}" for number in itertools.count(1))


def make_record(*, content: list[str] | None = None, image_size: int = 1000, **fields) -> OcrRecord:
    """A stored record as the parse service leaves it, without running OCR (for read tests)."""
    content = list("hello") if content is None else content
    fields.setdefault("image_md5", next(_md5s))
    joined = "\n".join(content) if fields.get("kind") == "text" else "".join(content)
    return OcrRecord.objects.create(content=content, content_text=joined, image_size=image_size, **fields)


def pdf_of(*texts: str, resolution: float = 150) -> bytes:
    """A PDF with one A4 page (at `resolution` dpi) per text, drawn by the test."""
    font = ImageFont.truetype(FONT_PATH, 48)
    pages = []
    for text in texts:
        page = Image.new("RGB", (1240, 1754), "white")
        ImageDraw.Draw(page).text((100, 120), text, fill="black", font=font)
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=resolution)
    return buffer.getvalue()


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting {timeout} s for {what}.")
        time.sleep(0.2)
    return result


def one_speck_png(side: int = 6324) -> bytes:
    """A 12 KB-class PNG: a white square just under the 40-million-pixel limit with one speck."""
    image = Image.new("L", (side, side), 255)
    image.putpixel((side // 2, side // 2), 0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def gray_text(text: str = "hello world", **options) -> Image.Image:
    return Image.open(io.BytesIO(draw_text(text, **options))).convert("L")


def speckled(image: Image.Image) -> Image.Image:
    rng = np.random.default_rng(1)
    pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 40, (image.height, image.width))
    spots = rng.random(pixels.shape)
    pixels[spots < 0.02], pixels[spots > 0.98] = 0, 255
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def start_gunicorn(*options: str, memory_cap: int | None = None, **settings: str) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the app on a free port, with `settings` in its environment; with
    `memory_cap`, every process of it (workers and their children) under that address space."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_under_test(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        **settings,
    }
    cap = ["prlimit", f"--as={memory_cap}"] if memory_cap else []
    server = subprocess.Popen(
        [
            *cap,
            sys.executable,
            "-m",
            "gunicorn",
            "ocr_project.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
            *options,
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return server, url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.2)


def post_image(url: str, content: bytes, name: str = "image.png") -> tuple[int, str]:
    body, content_type = multipart("image", name, content)
    request = urllib.request.Request(
        f"{url}/api/ocr_record/parse_letter/", data=body, headers={"Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, "".join(json.load(response)["content"])


def psutil_children(pid: int) -> list[int]:
    """The process ids whose parent is `pid` (from /proc, no extra package)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


CJK_FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def page_with(words: dict[str, tuple[int, int]], size=(900, 400), font_size=36, font_path=FONT_PATH):
    """A white page with each word drawn at its (x, y); returns the page and each word's drawn box."""
    font = ImageFont.truetype(font_path, font_size)
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    boxes = {}
    for word, (x, y) in words.items():
        draw.text((x, y), word, fill="black", font=font)
        boxes[word] = draw.textbbox((x, y), word, font=font)
    return page, boxes


class Receiver:
    """An HTTP server on 127.0.0.1 answering the statuses it is given, in turn, and keeping what
    it was sent."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.received = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))  # names read case-insensitively
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/ocr-done"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def get_export(api_client, url: str, query: dict):
    """GET a file's export as a client does while a task worker makes its PDFs: asked, answered
    202 while pending, made by the worker's own call (`ocr_task_item_export`), asked again."""
    response = api_client.get(url, query)
    if response.status_code == 202:
        for item_id in OcrTaskItem.objects.filter(export_status="pending").values_list("id", flat=True):
            ocr_task_item_export(item_id=item_id)
        response = api_client.get(url, query)
    return response


def restore_built_in_cards() -> None:
    """Make the built-in cards again as their data migration does: a transactional test's flush
    empties every table, the rows migrations made included."""
    importlib.import_module("ocr_extract.migrations.0002_receipt_card").add_receipt(apps, None)
    importlib.import_module("ocr_extract.migrations.0003_cards_of_your_own").receipt_by_its_rules(apps, None)
    importlib.import_module("ocr_extract.migrations.0004_invoice_card").add_invoice(apps, None)
