"""Pixel-level preparation that every engine needs before it reads an image."""

from PIL import Image, ImageOps

_OPAQUE_WHITE = (255, 255, 255, 255)


def as_engine_input(image: Image.Image) -> Image.Image:
    """Return `image` upright, in RGB or 8-bit grayscale, with any transparency laid on white.

    Phone photos are often stored sideways with an EXIF orientation tag, which Tesseract ignores.
    Dark text on a transparent background (a common export of drawing tools) would become dark
    text on black if the alpha channel were simply dropped, so it is composited on white instead.
    """
    image = ImageOps.exif_transpose(image)
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
