"""Health checks for load balancers and orchestrators, cheap enough to be polled every second.

`/healthz`: the process answers. `/readyz`: the database answers, the disks it writes to (uploads'
temporary files, an SQLite database) have OCR_MIN_FREE_DISK_MB free, the task files' storage can
be written to (its directory, or its S3 bucket exists and takes the credentials), and every OCR
engine the configuration can use (the configured one, and those parse_text's `engine` may ask for)
reads a tiny built-in image. The engine and storage checks are remembered for a few seconds, so
that a poll every second does not cost an OCR call and a storage request every second.
"""

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from PIL import Image, ImageDraw, ImageFont

import ocr_engine
from ocr_record.services import configured_engine
from ocr_task.files import storage_error

#: The engine and storage checks cost an OCR call and a request to the storage: each is made at
#: most this often, its answer remembered meanwhile.
CHECK_SECONDS = 10.0


class _Remembered:
    """A check's answer (an error, or ""), asked again only once it is CHECK_SECONDS old."""

    def __init__(self, check) -> None:
        self.check = check
        self._lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self._at, self._error = -CHECK_SECONDS, ""

    def __call__(self) -> str:
        with self._lock:
            if time.monotonic() - self._at >= CHECK_SECONDS:
                self._error, self._at = self.check(), time.monotonic()
            return self._error


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": _database_error(),
        "disk": _disk_error(),
        "storage": _storage_error(),
        "engine": _engine_error(),
    }
    ready = not any(checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": {name: error or "ok" for name, error in checks.items()}},
        status=200 if ready else 503,
    )


def _database_error() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means not ready, and is reported, not raised
        return f"unreachable: {error}".strip()
    return ""


def _disk_error() -> str:
    """A full disk fails every upload (Django spools large ones to a temporary file) and every
    write of an SQLite database: reported before it happens."""
    needed = settings.OCR_MIN_FREE_DISK_MB * 1024 * 1024
    for place in _written_places():
        free = shutil.disk_usage(place).free
        if free < needed:
            return (
                f"{free // (1024 * 1024)} MiB free in {place}; at least {settings.OCR_MIN_FREE_DISK_MB} MiB are needed"
            )
    return ""


def _written_places() -> list[str]:
    places = [settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        places.append(str(Path(database["NAME"]).parent))
    return [place for place in places if os.path.isdir(place)]


def _engine_readings_error() -> str:
    """The configured engine, then every other one a request may ask for (parse_text's `engine`)."""
    error = _reading_error("")
    for name in ocr_engine.ENGINES:
        if not error and name != settings.OCR_ENGINE:
            error = _reading_error(name)
            error = f"{name}: {error}" if error else ""
    return error


_engine_error = _Remembered(_engine_readings_error)
# The task files' storage (local, or an S3 bucket): a missing bucket made every submission fail
# while /readyz said ok.
_storage_error = _Remembered(storage_error)


def _reading_error(name: str) -> str:
    """What keeps the engine `name` (by default the configured one) from reading the probe."""
    try:
        text = configured_engine(settings.OCR_LANGUAGE, name=name).recognize(_probe_image()).text
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "" if "OK" in text.upper() else f"read {text.strip()!r} instead of 'OK'"


def _probe_image() -> Image.Image:
    """ "OK" in Pillow's built-in font, large enough for Tesseract to read at once."""
    image = Image.new("L", (160, 80), 255)
    ImageDraw.Draw(image).text((30, 15), "OK", fill=0, font=ImageFont.load_default(size=44))
    return image
