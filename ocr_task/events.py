"""A task's progress as server-sent events (GET /api/ocr_task/{id}/events/).

Each stream holds one of the web server's threads while it lasts, so a process serves at most
OCR_TASK_EVENTS_MAX_STREAMS at once (more are answered 503: poll the detail instead) and each ends
after OCR_TASK_EVENTS_MAX_S; a browser's EventSource reconnects by itself (the `retry` field) and
is sent the current state at once.
"""

import json
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import close_old_connections, connection

from ocr_task.models import FINISHED, OcrTask
from ocr_task.selectors import task_summary

# How often the database is asked for news, and how often a silent stream says it is alive (proxies
# close connections idle for a minute or so).
POLL_S = 1.0
KEEP_ALIVE_S = 15.0
RECONNECT_MS = 2000

_open_streams = threading.BoundedSemaphore(max(settings.OCR_TASK_EVENTS_MAX_STREAMS, 1))


def stream_slot() -> bool:
    """Take one of this process's event streams; False when all are taken."""
    return _open_streams.acquire(blocking=False)


def progress_events(task_id: int, *, poll_s: float = POLL_S) -> Iterator[str]:
    """`progress` with the task's summary (as the list and callbacks give it) now and whenever it
    changes, then `end` once the task has finished (or `deleted`). Gives back its stream slot when
    it ends, however it ends (the client gone included: the server closes the generator)."""
    try:
        yield f"retry: {RECONNECT_MS}\n\n"
        last, said_at, started = None, time.monotonic(), time.monotonic()
        while time.monotonic() - started < settings.OCR_TASK_EVENTS_MAX_S:
            try:
                summary = task_summary(task_id)
            except OcrTask.DoesNotExist:
                yield _event("deleted", {"id": task_id})
                return
            if summary != last:
                last, said_at = summary, time.monotonic()
                yield _event("progress", summary)
                if summary["status"] in FINISHED:
                    yield _event("end", {"id": task_id, "status": summary["status"]})
                    return
            elif time.monotonic() - said_at >= KEEP_ALIVE_S:
                said_at = time.monotonic()
                yield ": still reading\n\n"
            # Between polls the connection is not needed: a stream must not hold one for minutes.
            close_old_connections()
            time.sleep(poll_s)
    finally:
        _open_streams.release()
        # However the stream ended (the client gone included), its thread lets its connection go.
        connection.close()


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
