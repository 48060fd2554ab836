"""What the OCR write path reports: Prometheus metrics, and the figures of the current request
that the request log line prints (engine time, cache hit)."""

import contextvars
import time
from contextlib import contextmanager

from django.db.models import Count
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

ENGINE_SECONDS = Histogram(
    "django_ocr_engine_seconds",
    "Time the OCR engine spent reading one image.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
READINGS = Counter(
    "django_ocr_readings_total",
    "Images asked for, by kind and whether a stored record answered (hit) or the engine read it (miss).",
    ["kind", "cache"],
)

# The current request's figures, for its log line; each request (thread) has its own.
current_request_figures: contextvars.ContextVar[dict | None] = contextvars.ContextVar("ocr_figures", default=None)


def count_reading(kind: str, *, hit: bool) -> None:
    READINGS.labels(kind=kind, cache="hit" if hit else "miss").inc()
    figures = current_request_figures.get()
    if figures is not None:
        figures["cache_hit"] = hit if figures.get("cache_hit") is None else figures["cache_hit"] and hit


@contextmanager
def engine_timer(kind: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        ENGINE_SECONDS.labels(kind=kind).observe(elapsed)
        figures = current_request_figures.get()
        if figures is not None:
            figures["engine_ms"] = figures.get("engine_ms", 0.0) + elapsed * 1000


class RecordsCollector:
    """`django_ocr_records{kind}`: the records stored, counted when Prometheus scrapes."""

    def describe(self):
        # Registering asks for the metric's name; without this it would count records at start-up.
        yield GaugeMetricFamily("django_ocr_records", "Records stored, by kind.", labels=["kind"])

    def collect(self):
        from ocr_record.models import OcrRecord  # models are ready only after the apps are

        family = GaugeMetricFamily("django_ocr_records", "Records stored, by kind.", labels=["kind"])
        counts = dict(OcrRecord.objects.order_by().values_list("kind").annotate(count=Count("id")))
        for kind in OcrRecord.Kind.values:
            family.add_metric([kind], counts.get(kind, 0))
        yield family
