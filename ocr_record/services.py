"""The write path of OCR records: every record is created here and nowhere else."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from PIL import Image

import ocr_engine
from ocr_engine.pipeline import read_image
from ocr_engine.text import TEXT_PIPELINE_VERSION, TextReading, read_text
from ocr_record.dedup import StoredFile, stored_reading
from ocr_record.letters import letters_in
from ocr_record.models import OcrRecord, OcrRecordRequest, OcrRecordTag
from ocr_record.observability import count_reading, engine_timer

logger = logging.getLogger(__name__)


def ocr_record_parse_letter(
    *, image_file: File, pixels: Callable[[], Image.Image], requested_by=None
) -> tuple[OcrRecord, bool]:
    """The record of the letters in `image_file`.

    When the letters of the same file (same bytes) were read before, that record is returned,
    found by the file's digest alone: `pixels`, which decodes the file, is called only when the
    engine must read it, so a file read before is never decoded. What `pixels` raises (an upload
    that is not a valid image) goes to the caller; nothing is stored or counted then. Otherwise the
    engine reads the image (preprocessing it when the raw reading is doubtful, see
    `ocr_engine.pipeline`) and a new record is stored, with the engine and pipeline that read it.

    The request is kept with the record, with `requested_by` (a user, or None when anonymous).
    Returns (record, created): created is False when the caller's record of the file was there.
    Raises the `ocr_engine` errors when recognition fails; nothing is stored then.
    """

    def recognize(image: Image.Image) -> dict:
        engine = configured_engine(settings.OCR_LANGUAGE)
        reading = read_image(engine, image)
        letters = letters_in(reading.recognition.text)
        return {
            "content": letters,
            "content_text": "".join(letters),
            "lang": settings.OCR_LANGUAGE,
            "engine": engine.version,
            "pipeline": reading.pipeline,
        }

    return _stored_reading(
        image_file,
        kind=OcrRecord.Kind.LETTER,
        options="",
        pixels=pixels,
        recognize=recognize,
        requested_by=requested_by,
    )


@dataclass(frozen=True)
class TextOptions:
    """How parse_text reads an image; each combination is a reading of its own."""

    lang: str = "eng"
    detect_direction: bool = False
    quick_mode: bool = False
    #: An engine the caller insists on (a short name of ocr_engine.ENGINES); "" is OCR_ENGINE.
    engine: str = ""

    @property
    def key(self) -> str:
        """The canonical form stored in the record, part of its unique key. A reading by the
        configured engine keeps the key it had before engines could be chosen."""
        key = f"lang={self.lang};detect_direction={int(self.detect_direction)};quick_mode={int(self.quick_mode)}"
        return key + (f";engine={self.engine}" if self.engine else "")


def ocr_record_parse_text(
    *,
    image_file: File,
    image: Image.Image,
    options: TextOptions,
    tag: str = "",
    requested_by=None,
    source_url: str = "",
) -> tuple[OcrRecord, bool]:
    """The record of all the text in `image`, located, read with `options`; `tag` labels it, and a
    new record keeps `source_url`, the link the image was fetched from.

    The same file read with the same options is read once: later calls return that record (with
    `tag` added to its tags). Returns (record, created). Raises the `ocr_engine` errors when
    recognition fails.
    """

    def recognize(image: Image.Image) -> dict:
        engine = configured_engine(options.lang, name=options.engine)
        reading = read_text(engine, image, detect_direction=options.detect_direction, quick_mode=options.quick_mode)
        return {
            "content": [line.text for line in reading.lines if line.text],
            "content_text": reading.text,
            "lang": options.lang,
            "result": text_result(reading),
            "engine": engine.version,
            "pipeline": TEXT_PIPELINE_VERSION + (": quick" if options.quick_mode else ""),
        }

    record, created = _stored_reading(
        image_file,
        kind=OcrRecord.Kind.TEXT,
        options=options.key,
        pixels=lambda: image,
        recognize=recognize,
        requested_by=requested_by,
    )
    if tag:
        OcrRecordTag.objects.get_or_create(record=record, name=tag)
    if created and source_url:
        OcrRecord.objects.filter(pk=record.pk).update(source_url=source_url)
        record.source_url = source_url
    return record, created


def text_result(reading: TextReading) -> dict:
    """The stored (and answered) form of a text reading."""
    return {
        "width": reading.width,
        "height": reading.height,
        "direction": reading.direction,
        "angle": reading.angle,
        "text": reading.text,
        "confidence": None if reading.confidence is None else round(reading.confidence, 4),
        "lines": [
            {
                "text": line.text,
                "confidence": line.confidence,
                "engine": line.engine,
                "location": line.location,
                "words": [
                    {"text": word.text, "confidence": word.confidence, "location": word.location} for word in line.words
                ],
            }
            for line in reading.lines
        ],
    }


def _keep_request(record: OcrRecord, requested_by) -> None:
    if requested_by is not None:
        # What makes a record a client's own (ocr_record.selectors). An anonymous request is not
        # kept: nothing reads it, and the row would be a write (a database lock) on every hit.
        OcrRecordRequest.objects.create(record=record, user=requested_by)


def record_owner(requested_by):
    """Whose record a reading is stored in: the client's own when the API requires credentials,
    so that a file another client sent looks new to it (time, tags, cache flags); everyone's (None)
    when the API is open, as in v1.0.0."""
    return requested_by if settings.OCR_API_AUTH == "required" else None


#: What a reading stores, copied when another client's record of the same file answers.
READING_FIELDS = ("content", "content_text", "lang", "result", "engine", "pipeline")


def _stored_reading(
    image_file: File,
    *,
    kind: str,
    options: str,
    pixels: Callable[[], Image.Image],
    recognize: Callable[[Image.Image], dict],
    requested_by=None,
) -> tuple[OcrRecord, bool]:
    """The stored reading of `image_file` of this kind and options in the record of its owner
    (`record_owner(requested_by)`), made if new: copied from another owner's record of the same
    file when there is one (the engine reads a file once for everyone), read by `recognize` from
    the decoded `pixels` otherwise (decoded only then). The request is kept with the record.

    Returns (record, created): created is False when this owner had it already. Recognition runs
    outside any transaction: it is slow and must not hold a database lock. Two requests racing with
    the same new file both recognize it, but the unique constraint lets only one insert win; the
    loser returns the winner's record, so both answer the same and one record is left.
    """
    owner = record_owner(requested_by)
    file = StoredFile.of(image_file, kind=kind, options=options)
    key = {"image_sha256": file.sha256, "kind": kind, "options": options}
    read_before = stored_reading(file, owner=owner)
    if read_before is not None:
        count_reading(kind, hit=True)
        if read_before.owner_id == (owner.pk if owner is not None else None):
            _keep_request(read_before, requested_by)
            return read_before, False
        fields = {name: getattr(read_before, name) for name in READING_FIELDS}
    else:
        image = pixels()  # an upload that does not decode raises here: not a reading, not counted
        count_reading(kind, hit=False)
        with engine_timer(kind):
            fields = recognize(image)
    try:
        with transaction.atomic():
            record = OcrRecord.objects.create(**key, owner=owner, image_md5=file.md5, image_size=file.size, **fields)
    except IntegrityError:
        logger.info("Another request stored %s first; returning its record.", key)
        record = OcrRecord.objects.get(**key, owner=owner)
    _keep_request(record, requested_by)
    return record, True  # new to this owner (even when a racing request stored it first)


def configured_engine(language: str, *, name: str = "") -> ocr_engine.OcrEngine:
    """The engine `name` (by default the one OCR_ENGINE names), for `language`, with OCR_TIMEOUT_S:
    the one this process reuses."""
    return ocr_engine.get_engine(name or settings.OCR_ENGINE, language=language, timeout_seconds=settings.OCR_TIMEOUT_S)
