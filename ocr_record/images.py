"""The images of a parse_text request, each decoded and checked on its own against the limits
parse_text documents (size, pixels, sides): one that cannot be read keeps its error, to be answered
in its place among the others."""

import base64
import binascii
import io
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image

from ocr_api.exceptions import ApplicationError
from ocr_api.uploads import is_oversized
from ocr_engine.images import InvalidImage, decode_image
from ocr_engine.pdf import is_pdf
from ocr_record.fetching import FetchingBusy, UrlRefused, UrlRules, fetch_all, fetch_slot


@dataclass
class ImageInput:
    """One image of the request: decoded, or with the error that keeps it from being read."""

    name: str
    file: UploadedFile | ContentFile | None = None
    image: Image.Image | None = None
    error_code: str = ""
    error_detail: str = ""
    #: The link it was fetched from, where a client sent one instead of the file.
    source_url: str = ""

    def fail(self, code: str, detail: str) -> "ImageInput":
        self.error_code, self.error_detail = code, detail
        return self


def from_uploads(files: list[UploadedFile]) -> list[ImageInput]:
    """The uploaded images in the order sent, one over the size limit among them in its place."""
    return [
        _too_large(ImageInput(name=file.name)) if is_oversized(file) else check(ImageInput(name=file.name, file=file))
        for file in files
    ]


def from_base64(strings: list[str]) -> list[ImageInput]:
    inputs = []
    for index, encoded in enumerate(strings):
        entry = ImageInput(name=str(index))
        # A data URL ("data:image/png;base64,....") is accepted as well as the bare base64.
        payload = encoded.split(",", 1)[1] if encoded.startswith("data:") else encoded
        if len(payload) * 3 // 4 > settings.OCR_MAX_UPLOAD_BYTES + 3:
            inputs.append(_too_large(entry))
            continue
        try:
            content = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            inputs.append(entry.fail("image_invalid", "The image is not valid base64."))
            continue
        entry.file = ContentFile(content, name=str(index))
        inputs.append(check(entry))
    return inputs


def from_urls(urls: list[str]) -> list[ImageInput]:
    """The images at `urls`, fetched together within OCR_URL_TIMEOUT_S (ocr_record/fetching.py),
    then checked as uploads are; one that could not be fetched, or is no image, kept with why."""
    inputs = []
    for url, fetched in zip(urls, _fetched(urls, url_rules()), strict=True):
        entry = ImageInput(name=url, source_url=url)
        if isinstance(fetched, UrlRefused):
            inputs.append(entry.fail(fetched.code, fetched.message))
            continue
        entry.file = ContentFile(fetched.content, name=file_name_of(url))
        checked = check(entry)
        if checked.error_code == "image_invalid" and not is_image_or_pdf(fetched.content):
            checked.fail("url_not_an_image", "The file at the URL is no image (its bytes are not an image's).")
        inputs.append(checked)
    return inputs


def url_rules(*, max_bytes: int | None = None) -> UrlRules:
    """What a link must keep to be fetched, from the settings (OCR_URL_*), its body no larger than
    `max_bytes` (an upload's limit, OCR_MAX_UPLOAD_BYTES, unless said)."""
    return UrlRules(
        allowed_ports=tuple(settings.OCR_URL_ALLOWED_PORTS),
        allowed_hosts=tuple(settings.OCR_URL_ALLOWED_HOSTS),
        allow_private=settings.OCR_URL_ALLOW_PRIVATE,
        timeout_s=settings.OCR_URL_TIMEOUT_S,
        max_bytes=max_bytes or settings.OCR_MAX_UPLOAD_BYTES,
    )


@dataclass(frozen=True)
class FetchedFile:
    name: str
    content: bytes
    url: str


def refuse_links_when_off(urls: list) -> None:
    """Refuse a request with links when the service takes none (OCR_URL_INPUT): every entry point
    that takes links asks this first, so each says it the same way, before anything is fetched."""
    if urls and not settings.OCR_URL_INPUT:
        raise ApplicationError(
            "This service takes no links (OCR_URL_INPUT is off): send the file.", code="url_input_off"
        )


def fetched_files(urls: list[str], *, max_bytes: int) -> list[FetchedFile]:
    """The files at `urls` (images or PDFs, for a task or an extraction), fetched together within
    OCR_URL_TIMEOUT_S; the first that cannot be is refused with its code, naming its link
    (ApplicationError), before any work is done."""
    refuse_links_when_off(urls)
    files = []
    for url, fetched in zip(urls, _fetched(urls, url_rules(max_bytes=max_bytes)), strict=True):
        if isinstance(fetched, UrlRefused):
            raise ApplicationError(f"{url}: {fetched.message}", code=fetched.code, status=fetched.status)
        if not is_image_or_pdf(fetched.content):
            raise ApplicationError(f"{url}: the file is no image or PDF (by its bytes).", code="url_not_an_image")
        files.append(FetchedFile(file_name_of(url), fetched.content, url))
    return files


def _fetched(urls: list[str], rules: UrlRules) -> list:
    """The links fetched, in one of this process's fetching slots (OCR_URL_MAX_FETCHES), or a 503
    `url_busy` at once when all are taken."""
    if not urls:
        return []
    try:
        with fetch_slot(settings.OCR_URL_MAX_FETCHES):
            return fetch_all(urls, rules)
    except FetchingBusy:
        raise ApplicationError(
            "This server is fetching as many links as it may at once; try again in a moment, or send the file.",
            code="url_busy",
            status=503,
        ) from None


def file_name_of(url: str) -> str:
    """A fetched file's name: the last part of its link's path ("download" when it has none)."""
    return url.rsplit("/", 1)[-1].split("?", 1)[0][:100] or "download"


def is_image_or_pdf(content: bytes) -> bool:
    """Whether `content` begins as an image Pillow knows or a PDF does (the type by the bytes)."""
    if is_pdf(content[:1024]):
        return True
    try:
        with Image.open(io.BytesIO(content)) as image:
            return bool(image.format)
    except (OSError, ValueError, Image.DecompressionBombError):
        return False


def decoded_within_limits(file: IO[bytes]) -> Image.Image:
    """`file` decoded whole, within the service's image limits (OCR_MAX_IMAGE_PIXELS, and the
    shorter and longer side's OCR_MIN_IMAGE_SIDE_PX and OCR_MAX_IMAGE_SIDE_PX), or InvalidImage
    saying which was passed: the one check of every image sent, whichever way it came (parse_letter,
    parse_text's files, JSON and links, a task's image files, a document to extract)."""
    image = decode_image(file, max_pixels=settings.OCR_MAX_IMAGE_PIXELS)
    width, height = image.size
    if min(width, height) < settings.OCR_MIN_IMAGE_SIDE_PX or max(width, height) > settings.OCR_MAX_IMAGE_SIDE_PX:
        raise InvalidImage(
            f"The image is {width}×{height} pixels: its shorter side must be at least "
            f"{settings.OCR_MIN_IMAGE_SIDE_PX} px and its longer side at most {settings.OCR_MAX_IMAGE_SIDE_PX} px.",
            code="bad_dimensions",
        )
    return image


def check(entry: ImageInput) -> ImageInput:
    """Decode `entry`'s file and check it against the size and dimension limits."""
    if entry.file.size > settings.OCR_MAX_UPLOAD_BYTES:
        return _too_large(entry)
    if entry.file.size == 0:
        return entry.fail("image_invalid", "The image file is empty.")
    try:
        entry.image = decoded_within_limits(entry.file)
    except InvalidImage as error:
        code = "image_dimensions_invalid" if error.code in ("too_many_pixels", "bad_dimensions") else "image_invalid"
        return entry.fail(code, error.message)
    return entry


def _too_large(entry: ImageInput) -> ImageInput:
    return entry.fail(
        "image_size_invalid", f"The image is larger than the limit of {settings.OCR_MAX_UPLOAD_BYTES} bytes."
    )
