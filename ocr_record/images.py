"""Decode an uploaded file into pixels, refusing what is not a whole, reasonably sized image."""

from typing import IO

from PIL import Image

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
        raise InvalidImage(
            "Upload a valid image. The file you uploaded was either not an image or a corrupted image.",
            code="invalid_image",
        ) from None
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
