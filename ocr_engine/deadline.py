"""One time limit over a whole reading, shared by every step of it.

An engine's own time-out bounds one call; a reading is several (a raw look, preprocessing, a
second look; two engines for `auto`), and preprocessing a large image can cost more than any of
them. `read_image` and `read_text` set the limit (the engine's `timeout_seconds`, OCR_TIMEOUT_S in
the service) for everything they do; each engine call gets the time left, and a step that finds
none left stops the reading with `RecognitionTimeout`. The limit lives in a context variable: it
belongs to the thread doing the reading, and a reading within a reading (`auto` running the
letters pipeline for Tesseract) keeps the outer one.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ocr_engine.base import RecognitionTimeout


@dataclass(frozen=True)
class _Limit:
    seconds: float
    ends: float

    @property
    def message(self) -> str:
        return f"the reading did not finish within {self.seconds:g} s and was stopped"


_current: ContextVar[_Limit | None] = ContextVar("reading_time_limit", default=None)


@contextmanager
def reading_time_limit(seconds: float | None) -> Iterator[None]:
    """Within, the reading has `seconds` in all (None: no limit); an enclosing limit that ends
    sooner stays in force."""
    outer = _current.get()
    if not seconds or (outer is not None and outer.ends <= time.monotonic() + seconds):
        yield
        return
    token = _current.set(_Limit(seconds, time.monotonic() + seconds))
    try:
        yield
    finally:
        _current.reset(token)


def seconds_left(call_limit: float | None = None) -> float | None:
    """The time the next step may take: the reading's time left, at most `call_limit` (either may
    be None: no limit). Raises RecognitionTimeout when the reading has no time left."""
    limit = _current.get()
    if limit is None:
        return call_limit
    left = limit.ends - time.monotonic()
    if left <= 0:
        raise RecognitionTimeout(limit.message)
    return left if call_limit is None else min(left, call_limit)


def check_time() -> None:
    """Raise RecognitionTimeout when the reading has run out of time (between steps)."""
    seconds_left()


def timeout_message(engine: str, call_limit: float | None) -> str:
    """What to say when an engine call was stopped at the time `seconds_left` gave it."""
    limit = _current.get()
    return limit.message if limit is not None else f"{engine} did not finish within {call_limit:g} s and was stopped"
