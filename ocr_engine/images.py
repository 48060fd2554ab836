"""Images in and out of the engines: decoding an upload into pixels (refusing what is not a whole,
reasonably sized image), and the pixel-level preparation every engine needs before it reads one."""

from typing import IO

from PIL import ExifTags, Image, ImageOps

_OPAQUE_WHITE = (255, 255, 255, 255)


def upright(image: Image.Image) -> Image.Image:
    """`image` turned as its EXIF orientation says, or `image` itself when it says nothing: Pillow's
    exif_transpose copies every image (a page rendered at 300 dpi is 26 MB), and a reading asked
    for it three times. A caller that draws on the result draws on what it passed in."""
    if image.getexif().get(ExifTags.Base.Orientation, 1) == 1:
        return image
    return ImageOps.exif_transpose(image)


def as_engine_input(image: Image.Image) -> Image.Image:
    """Return `image` upright, in RGB or 8-bit grayscale, with any transparency laid on white.

    Phone photos are often stored sideways with an EXIF orientation tag, which Tesseract ignores.
    Dark text on a transparent background (a common export of drawing tools) would become dark
    text on black if the alpha channel were simply dropped, so it is composited on white instead.
    """
    image = upright(image)
    if image.mode in ("RGB", "L"):
        return image
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I") or image.mode == "F":
        # 16- and 32-bit grayscale: stretch the range in use to 8 bits instead of clipping it.
        wide = image.convert("F")
        low, high = wide.getextrema()
        scale = 255 / (high - low) if high > low else 0
        return wide.point(lambda value: (value - low) * scale).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, _OPAQUE_WHITE), rgba).convert("RGB")
    return image.convert("RGB")


#: The formats the service reads. Pillow knows more, some of which it opens by running another
#: program (EPS through Ghostscript): only these are ever tried on an upload.
ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")


class InvalidImage(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def decode_image(file: IO[bytes], *, max_pixels: int) -> Image.Image:
    """Fully decode `file` into a Pillow image, or raise InvalidImage saying why not.

    The pixel count is checked from the header, before any pixel is decoded, so a small file that
    would inflate to gigabytes (a decompression bomb) costs nothing. Decoding every pixel here
    catches truncated and corrupt files that a header check alone lets through.
    """
    file.seek(0)
    try:
        image = Image.open(file, formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError:
        raise InvalidImage(_too_many_pixels_message(None, max_pixels), code="too_many_pixels") from None
    except Exception:
        from ocr_engine.pdf import is_pdf  # noqa: PLC0415 (PDFium's bindings, only on this path)

        message = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
        file.seek(0)
        if is_pdf(file.read(1024)):
            # Said where a PDF is read, rather than left to guess: readings of images take images.
            message += " It is a PDF: POST it to /api/ocr_task/, which reads each of its pages."
        raise InvalidImage(message, code="invalid_image") from None
    width, height = image.size
    if width * height > max_pixels:
        raise InvalidImage(_too_many_pixels_message(image.size, max_pixels), code="too_many_pixels")
    try:
        image.load()
    except Exception:
        # Pillow raises many types here (OSError for truncation, SyntaxError, ValueError...).
        raise InvalidImage(
            "The image could not be decoded: the file is truncated or corrupted.",
            code="invalid_image",
        ) from None
    return image


def _too_many_pixels_message(size: tuple[int, int] | None, max_pixels: int) -> str:
    limit = f"at most {max_pixels:,} pixels are accepted"
    if size is None:
        return f"The image has too many pixels: {limit}."
    return f"The image is {size[0]}×{size[1]} pixels: {limit}."
