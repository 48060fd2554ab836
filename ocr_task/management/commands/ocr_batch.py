import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ocr_task import exports
from ocr_task.errors import NotExportable
from ocr_task.models import FINISHED, OcrTaskItem, OcrTaskPage, Status
from ocr_task.serializers import TaskItemSerializer
from ocr_task.services import TaskFile, TaskRefused, ocr_task_claim_page, ocr_task_create, ocr_task_read_page

SCAN_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
FORMATS = ("txt", "json", "pdf", "hocr", "alto")
DEFAULT_FORMATS = ("txt", "json", "pdf")


class Command(BaseCommand):
    help = (
        "Read a folder of scans (images and PDFs): each file becomes a task, read here (or by the Celery "
        "workers when OCR_TASK_QUEUE=celery), and its text, JSON and searchable PDF are written to --out."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Files, or folders searched for scans.")
        parser.add_argument("--lang", default="eng", help="The language(s) to read, e.g. eng, chi_sim, eng+chi_sim.")
        parser.add_argument("--detect-direction", action="store_true", help="Read pages turned by 90/180/270.")
        parser.add_argument("--out", type=Path, default=Path("ocr-output"), help="Where outputs go (./ocr-output).")
        parser.add_argument(
            "--formats",
            default=",".join(DEFAULT_FORMATS),
            help="Outputs per file, among txt, json, pdf, hocr, alto (default: txt,json,pdf).",
        )
        parser.add_argument(
            "--highlight", action="store_true", help="Box each word in the PDF, coloured by confidence."
        )
        parser.add_argument("--jobs", type=int, default=2, help="Pages read at once in this process (default: 2).")

    def handle(self, *args, paths, lang, detect_direction, out, formats, highlight, jobs, **options):
        formats = [name.strip() for name in formats.split(",") if name.strip()]
        if unknown := set(formats) - set(FORMATS):
            raise CommandError(f"Unknown format(s) {', '.join(sorted(unknown))}; choose among {', '.join(FORMATS)}.")
        if lang not in settings.OCR_TEXT_LANGUAGES:
            raise CommandError(f"--lang must be one of {', '.join(settings.OCR_TEXT_LANGUAGES)}.")
        scans = list(_scans(paths))
        if not scans:
            raise CommandError("No images or PDFs found there.")

        started = time.monotonic()
        items, refused = self._submit(scans, lang=lang, detect_direction=detect_direction)
        page_ids = list(OcrTaskPage.objects.filter(item__in=items.values()).values_list("id", flat=True))
        # tqdm draws the bar (with its rate and time left) on a terminal only: nothing in a log.
        self.bar = tqdm(total=len(page_ids), unit="page", file=self.stderr._out, disable=None, dynamic_ncols=True)
        self.bar_lock = threading.Lock()
        with self.bar:
            if settings.OCR_TASK_QUEUE == "embedded":
                self._read_here(page_ids, jobs)
            self._wait(page_ids)

        failed = dict(refused)
        for output_name, item_id in items.items():
            item = OcrTaskItem.objects.get(pk=item_id)
            if item.status != Status.SUCCEEDED:
                failed[output_name] = item.error or "no page could be read"
            if item.pages.filter(status=Status.SUCCEEDED).exists():
                self._write_outputs(item, out / output_name, formats, highlight)
        self.stdout.write(
            f"Read {len(scans) - len(failed)} of {len(scans)} files ({len(page_ids)} pages) in "
            f"{time.monotonic() - started:.1f} s; outputs in {out}/"
        )
        for name, error in failed.items():
            self.stderr.write(f"  {name}: {error}")
        if failed:
            raise CommandError(f"{len(failed)} file(s) could not be read (fully).")

    def _submit(self, scans, **options) -> tuple[dict[str, int], dict[str, str]]:
        """An asynchronous task per file (so that one over a limit is refused alone)."""
        items, refused = {}, {}
        for path, output_name in scans:
            try:
                task = ocr_task_create(
                    files=[TaskFile(path.name, path.read_bytes())], name=f"ocr_batch {output_name}", **options
                )
            except TaskRefused as error:
                refused[output_name] = error.message
                continue
            items[output_name] = task.items.get().pk
        return items, refused

    def _read_here(self, page_ids: list[int], jobs: int) -> None:
        def read_while_any_left(_):
            while (page_id := ocr_task_claim_page(among=page_ids)) is not None:
                ocr_task_read_page(page_id=page_id, worker="ocr_batch")
                self._progress(page_ids)

        with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
            list(pool.map(read_while_any_left, range(max(jobs, 1))))

    def _wait(self, page_ids: list[int]) -> None:
        """Until every page is read (by this process, or by the Celery workers)."""
        while self._progress(page_ids) < len(page_ids):
            time.sleep(0.5)

    def _progress(self, page_ids: list[int]) -> int:
        """How many of the pages are read (or failed), shown on the bar."""
        done = OcrTaskPage.objects.filter(pk__in=page_ids, status__in=FINISHED).count()
        with self.bar_lock:
            self.bar.update(done - self.bar.n)
        return done

    def _write_outputs(self, item: OcrTaskItem, stem: Path, formats: list[str], highlight: bool) -> None:
        stem.parent.mkdir(parents=True, exist_ok=True)
        if "txt" in formats:
            stem.with_name(stem.name + ".txt").write_bytes(exports.item_rendered(item, "txt").body)
        if "json" in formats:
            reading = TaskItemSerializer(item).data
            stem.with_name(stem.name + ".json").write_text(
                json.dumps(reading, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        if "pdf" in formats:
            stem.with_name(stem.name + ".pdf").write_bytes(self._pdf(item, highlight))
        if "hocr" in formats:
            stem.with_name(stem.name + ".hocr").write_bytes(exports.item_rendered(item, "hocr").body)
        if "alto" in formats:
            stem.with_name(stem.name + ".alto.xml").write_bytes(exports.item_rendered(item, "alto").body)

    @staticmethod
    def _pdf(item: OcrTaskItem, highlight: bool) -> bytes:
        """The item's PDF, made here in a contained child (a command is no web request) unless a
        worker elsewhere is making it already."""
        while True:
            exports.ocr_task_item_export(item_id=item.pk)
            item.refresh_from_db()
            try:
                built = exports.item_pdf(item, variant="highlighted" if highlight else "plain")
            except NotExportable as error:
                raise CommandError(f"{item.origin_name}: {error.message}") from None
            if built is not None:
                with built.open("rb") as opened:
                    return opened.read()
            time.sleep(0.5)


def _scans(paths: list[Path]):
    """(file, its name under --out): the files given, and the scans in the folders given, by name."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and found.suffix.lower() in SCAN_SUFFIXES:
                    yield found, str(found.relative_to(path))
        elif path.is_file():
            yield path, path.name
        else:
            raise CommandError(f"{path} does not exist.")
