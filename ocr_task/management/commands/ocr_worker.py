import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ocr_task.workers import embedded_worker


class Command(BaseCommand):
    help = (
        "Read tasks' pages from the database in this process until stopped (OCR_TASK_QUEUE=embedded): "
        "for a server whose web processes should not read (OCR_TASK_EMBEDDED_THREADS=0 there)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=2, help="Pages read at once (default: 2).")

    def handle(self, *args, threads: int, **options):
        if settings.OCR_TASK_QUEUE != "embedded":
            raise CommandError("OCR_TASK_QUEUE is celery: start Celery workers (make worker) instead.")
        if threads < 1:
            raise CommandError("--threads must be at least 1.")
        # SIGTERM/SIGINT: finish the pages in hand, then leave (a page cut off would be read
        # again after its lease anyway). The handler only says so: the threads are joined here,
        # not inside a signal handler that interrupted a join.
        stop_requested = threading.Event()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop_signal, lambda *_: stop_requested.set())
        embedded_worker.start(threads)
        self.stdout.write(f"Reading task pages with {threads} threads; Ctrl-C to stop.")
        while not stop_requested.wait(timeout=1):
            pass
        embedded_worker.stop()
        self.stdout.write("Stopped.")
