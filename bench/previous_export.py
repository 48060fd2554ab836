"""The searchable-PDF export as it was before issue 16, kept only so that `python -m bench.exports`
can measure it beside today's in one run: every page re-rendered as a JPEG, the words written over
it with reportlab in Helvetica or a CJK font, built in memory on every request."""

import io
import math
from typing import IO

from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from ocr_engine.images import InvalidImage
from ocr_engine.pdf import InvalidPdf
from ocr_task.models import OcrTaskItem, OcrTaskPage
from ocr_task.pages import page_as_shown

POINTS_PER_INCH = 72
# Latin text in a standard PDF font; any other script (Chinese...) in a CID font every reader has.
LATIN_FONT = "Helvetica"
CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))

SURE, DOUBTFUL, UNSURE = Color(0.1, 0.65, 0.2), Color(0.95, 0.55, 0.0), Color(0.85, 0.1, 0.1)
SURE_FROM, DOUBTFUL_FROM = 0.9, 0.6


def item_pdf(item: OcrTaskItem, out: IO[bytes], *, highlight: bool = False) -> None:
    """Each page as an image with its words written invisibly over it, where they are, so that a
    PDF reader can search and copy them; with `highlight`, each word's box drawn in its
    confidence's colour. A page read without success is shown without text; one whose image
    cannot be made at all (a damaged PDF page) is left out."""
    canvas = Canvas(out, pageCompression=1, invariant=1)
    canvas.setTitle(item.origin_name)
    canvas.setCreator("django-ocr")
    for page in _pages(item):
        try:
            image, dpi = page_as_shown(item, page.number)
        except (InvalidPdf, InvalidImage):
            continue
        scale = POINTS_PER_INCH / dpi
        width, height = image.width * scale, image.height * scale
        canvas.setPageSize((width, height))
        canvas.drawImage(_jpeg(image), 0, 0, width, height)
        result = page.result
        # Locations are in the pixels of the image the reading was made on: the one shown here.
        to_page = _Frame(width / result.get("width", image.width), height / result.get("height", image.height), height)
        words = [word for line in result.get("lines", []) for word in line["words"]]
        for line in result.get("lines", []):
            for index, word in enumerate(line["words"]):
                _invisible_word(canvas, word, to_page, space_after=index < len(line["words"]) - 1)
        if highlight:
            for word in words:
                _word_box(canvas, word, to_page)
        canvas.showPage()
    canvas.save()


class _Frame:
    """Image pixels (y down) to PDF points (y up)."""

    def __init__(self, x_scale: float, y_scale: float, page_height: float) -> None:
        self.x_scale, self.y_scale, self.page_height = x_scale, y_scale, page_height

    def point(self, xy: list[int]) -> tuple[float, float]:
        return xy[0] * self.x_scale, self.page_height - xy[1] * self.y_scale


def _invisible_word(canvas: Canvas, word: dict, frame: _Frame, *, space_after: bool) -> None:
    """The word in text render mode 3 (neither filled nor stroked), along its box's bottom edge,
    as high as its box and stretched to its width."""
    top_left, top_right, bottom_right, bottom_left = (frame.point(xy) for xy in word["location"])
    length = math.dist(bottom_left, bottom_right)
    box_height = math.dist(top_left, bottom_left)
    if not word["text"] or length <= 0 or box_height <= 0:
        return
    font = LATIN_FONT if _latin(word["text"]) else CJK_FONT
    size = box_height
    natural = pdfmetrics.stringWidth(word["text"], font, size)
    angle = math.atan2(bottom_right[1] - bottom_left[1], bottom_right[0] - bottom_left[0])
    text = canvas.beginText()
    text.setTextRenderMode(3)
    text.setFont(font, size)
    text.setHorizScale(100 * length / natural if natural else 100)
    cos, sin = math.cos(angle), math.sin(angle)
    # The baseline a little above the box's bottom: descenders hang below it.
    x, y = bottom_left[0] - sin * 0.2 * size, bottom_left[1] + cos * 0.2 * size
    text.setTextTransform(cos, sin, -sin, cos, x, y)
    # Words are placed one by one; a space between the words of a line lets readers copy text with
    # its word breaks (they break lines themselves where the next word is lower).
    text.textOut(word["text"] + (" " if space_after else ""))
    canvas.drawText(text)


def _word_box(canvas: Canvas, word: dict, frame: _Frame) -> None:
    confidence = word["confidence"]
    colour = SURE if confidence >= SURE_FROM else DOUBTFUL if confidence >= DOUBTFUL_FROM else UNSURE
    canvas.setStrokeColor(colour)
    canvas.setFillColor(colour, alpha=0.18)
    canvas.setLineWidth(1)
    corners = [frame.point(xy) for xy in word["location"]]
    path = canvas.beginPath()
    path.moveTo(*corners[0])
    for corner in corners[1:]:
        path.lineTo(*corner)
    path.close()
    canvas.drawPath(path, stroke=1, fill=1)


def _latin(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _jpeg(image) -> ImageReader:
    """The page image as JPEG, which PDF embeds as it is: a 300 dpi page stays a few hundred KB."""
    buffer = io.BytesIO()
    image.convert("L" if image.mode in ("1", "L", "LA", "I;16") else "RGB").save(buffer, format="JPEG", quality=80)
    buffer.seek(0)
    return ImageReader(buffer)


def _pages(item: OcrTaskItem):
    return OcrTaskPage.objects.filter(item=item).select_related("record").order_by("number")
