"""The write path of OCR records: every record is created here and nowhere else."""

import hashlib
import logging

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from PIL import Image

import ocr_engine
from ocr_engine.pipeline import read_image
from ocr_record.letters import letters_in
from ocr_record.models import OcrRecord

logger = logging.getLogger(__name__)


def file_md5(file: File) -> str:
    """The md5 of `file`, read chunk by chunk so that a large upload is never all in memory."""
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in file.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def ocr_record_parse_letter(*, image_file: File, image: Image.Image) -> OcrRecord:
    """The record of the letters in `image`, the decoded pixels of `image_file`.

    When a record of the same file (same md5 and size) exists it is returned and no OCR runs.
    Otherwise the engine reads the image (preprocessing it when the raw reading is doubtful, see
    `ocr_engine.pipeline`) and a new record is stored, with the engine and pipeline that read it.
    Two requests racing with the same new file both recognize it, but the unique constraint lets
    only one insert win; the loser returns the winner's record, so both answer with the same
    content and one record is left.

    Raises the `ocr_engine` errors when recognition fails; nothing is stored then.
    """
    image_md5 = file_md5(image_file)
    image_size = image_file.size
    existing = OcrRecord.objects.filter(image_md5=image_md5, image_size=image_size).first()
    if existing is not None:
        return existing

    # Recognition runs outside any transaction: it is slow and must not hold a database lock.
    engine = _engine()
    reading = read_image(engine, image)
    letters = letters_in(reading.recognition.text)
    try:
        with transaction.atomic():
            return OcrRecord.objects.create(
                image_md5=image_md5,
                image_size=image_size,
                content=letters,
                content_text="".join(letters),
                engine=engine.version,
                pipeline=reading.pipeline,
            )
    except IntegrityError:
        logger.info("Another request stored %s (%s B) first; returning its record.", image_md5, image_size)
        return OcrRecord.objects.get(image_md5=image_md5, image_size=image_size)


def _engine() -> ocr_engine.OcrEngine:
    return ocr_engine.get_engine(
        settings.OCR_ENGINE, language=settings.OCR_LANGUAGE, timeout_seconds=settings.OCR_TIMEOUT_S
    )
