"""Searchable PDFs the way OCRmyPDF makes them: the reading's words, invisible, laid over the
original pages.

- A PDF keeps its own pages (vectors, fonts, images untouched); each page read gets a text layer,
  a Form XObject placed over it by pikepdf (qpdf), which undoes the page's /Rotate so the words sit
  where the rendered image showed them.
- An image becomes one page holding the image once, as img2pdf embeds it: a JPEG as it is, other
  formats losslessly, rotated as its EXIF says.
- The words are in a glyphless font (Tesseract's `pdf.ttf`: one invisible glyph, half an em wide,
  with a ToUnicode map), each word and the space after it stretched over the distance to the next
  word, so that pdftotext and viewers copy "words in" with its space and select words where they are.

The layer is written in the pixels of the image the reading was made on (`result["width"]` ×
`result["height"]`, y down); placing the form scales it to the page.

Exports are built by `build_exports`, in a contained child process (`ocr_engine.contained`): a
file can make qpdf or PDFium work without end (a stream of a few MB that decodes to gigabytes, a
page tree that loops, forms nested thousands deep), and none of it may happen in a web worker.
This module imports nothing of Django, so the child needs none.
"""

import gc
import io
import json
import logging
import math
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import img2pdf
import pikepdf
from PIL import Image, ImageOps

from extraction.cards import rgb
from ocr_engine.pdf import rendered_pages

logger = logging.getLogger(__name__)

# Tesseract's glyphless font (Debian's tesseract-ocr ships it beside the language data).
GLYPHLESS_FONT_PATH = "/usr/share/tesseract-ocr/5/tessdata/pdf.ttf"
FONT_RESOURCE = "/GlyphLess"  # its name in each layer's resources
# Every glyph of the font is half an em wide (its /DW is 500 thousandths).
GLYPH_WIDTH_EM = 0.5
# The baseline sits this share of the word's height above its box's bottom: descenders hang below.
BASELINE_RAISE = 0.2
# Confidence colours of the highlighted variant, and their lower bounds.
SURE, DOUBTFUL, UNSURE = (0.1, 0.65, 0.2), (0.95, 0.55, 0.0), (0.85, 0.1, 0.1)
SURE_FROM, DOUBTFUL_FROM = 0.9, 0.6
HIGHLIGHT_OPACITY = 0.18
#: Forms placed in forms deeper than this are not looked into for text (a chain thousands deep
#: made the walk recurse past Python's limit): a page that deep is taken to show none.
MAX_FORM_DEPTH = 32

TO_UNICODE_CMAP = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


@dataclass(frozen=True)
class ReadPage:
    """A page of the file (from 1) and its reading (`OcrRecord.result`; empty when not read)."""

    number: int
    result: dict


class UnexportableFile(Exception):
    """Neither the file's own pages nor their rendered images could be made into a PDF: `reason`
    says why, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: A legend line's characters at most: what fits across an A4 page at 11 points.
LEGEND_CHARACTERS = 88
#: The PDFs `build_exports` makes: the searchable PDF, with each word's box in its confidence's
#: colour, with each field of a card boxed in its colour and a legend page.
VARIANTS = ("plain", "highlighted", "fields")


def build_exports(
    source: str,
    *,
    readings: str,
    is_pdf: bool,
    outputs: dict[str, str],
    title: str,
    dpi: int,
    max_pixels: int,
    marks: str | None = None,
) -> None:
    """Write each variant of the searchable PDF of the file at `source` asked for in `outputs`
    (variant -> path: `VARIANTS`), with the pages' readings in the JSON file `readings` (a list of
    [page number, reading]) and, for "fields", the fields in the JSON file `marks` (a list of
    {"name", "value", "color", "page", "location"}). A file whose own pages cannot be kept is made
    of their rendered images, one page held at a time; UnexportableFile when neither way works.
    Meant to run contained (`ocr_engine.contained`)."""
    pages = _read_pages(readings)
    fields = _read_json(marks) if marks else []
    for variant, path in outputs.items():
        options = {"highlight": variant == "highlighted", "marks": fields if variant == "fields" else None}
        with open(path, "w+b") as out:
            try:
                searchable_pdf(source, is_pdf=is_pdf, pages=pages, out=out, title=title, **options)
                continue
            except (pikepdf.PdfError, ValueError, TypeError, KeyError, OSError, img2pdf.ImageOpenError) as error:
                logger.info("The file's own pages cannot be kept (%s): exported from their images.", error)
            out.seek(0)
            out.truncate()
            shown = _rendered(source, is_pdf=is_pdf, pages=pages, dpi=dpi, max_pixels=max_pixels)
            if not from_images(shown, out=out, title=title, **options):
                raise UnexportableFile("the file is damaged: neither its pages nor their images can be read")


def _read_json(path: str):
    with open(path, "rb") as read:
        return json.load(read)


def _read_pages(readings: str) -> list[ReadPage]:
    """The pages' readings from their JSON file. Hundreds of thousands of small objects are made at
    once: the garbage collector, which would go over them again and again while they are made
    (0.9 s for 200 pages of text, 0.2 s without), is kept off meanwhile and told they stay."""
    gc.disable()
    try:
        pages = [ReadPage(number, result or {}) for number, result in _read_json(readings)]
        gc.freeze()
    finally:
        gc.enable()
    return pages


def _rendered(
    source: str, *, is_pdf: bool, pages: list[ReadPage], dpi: int, max_pixels: int
) -> Iterator[tuple[Image.Image, ReadPage]]:
    """Each page's image as the reading saw it, one at a time; a page that cannot be rendered is
    left out."""
    if not is_pdf:
        with Image.open(source) as opened:
            if opened.size[0] * opened.size[1] <= max_pixels:
                yield ImageOps.exif_transpose(opened), pages[0]
        return
    by_number = {page.number: page for page in pages}
    for number, image in rendered_pages(source, sorted(by_number), dpi=dpi, max_pixels=max_pixels):
        if image is not None:
            yield image, by_number[number]


def searchable_pdf(
    source: str,
    *,
    is_pdf: bool,
    pages: list[ReadPage],
    out,
    highlight: bool = False,
    title: str = "",
    marks: list[dict] | None = None,
) -> None:
    """Write to `out` the file at the path `source` (a PDF, or an image) with each page's words
    laid over it; with `highlight`, each word's box drawn in its confidence's colour too; with
    `marks` (fields), each field's box in its colour, and a legend on a page of its own. qpdf
    reads a PDF from its file as it needs it, so a large scan is never held in memory whole.
    Raises pikepdf.PdfError or img2pdf's errors when the file cannot be taken as it is (the
    caller then falls back to `from_images`)."""
    pdf = pikepdf.open(source) if is_pdf else pikepdf.open(io.BytesIO(_image_as_pdf(source)))
    with pdf:
        layer = _Layer(pdf, highlight=highlight, marks=marks)
        for read in pages:
            if read.result.get("lines") and read.number <= len(pdf.pages):
                page = pdf.pages[read.number - 1]
                layer.lay_over(page, read, with_words=not (is_pdf and has_text(page)))
        if not is_pdf:
            del pdf.pages[1:]  # an image is one page (a multi-frame file is read by its first frame)
        layer.add_legend()
        _describe(pdf, title)
        _save(pdf, out)


def from_images(
    images: Iterable[tuple[Image.Image, ReadPage]],
    *,
    out,
    highlight: bool = False,
    title: str = "",
    marks: list[dict] | None = None,
) -> int:
    """The fallback for a file whose own pages cannot be kept (a PDF pikepdf cannot open but
    PDFium could render): each page as its rendered image, in JPEG, with its words over it; how
    many pages it holds. `images` may be a generator: each image is let go once embedded."""
    pdf = pikepdf.new()
    with pdf:
        layer = _Layer(pdf, highlight=highlight, marks=marks)
        for image, read in images:
            buffer = io.BytesIO()
            image.convert("L" if image.mode in ("1", "L", "LA", "I;16") else "RGB").save(buffer, "JPEG", quality=80)
            with pikepdf.open(io.BytesIO(img2pdf.convert(buffer.getvalue()))) as single:
                pdf.pages.append(single.pages[0])
            if read.result.get("lines"):
                layer.lay_over(pdf.pages[-1], read)
        if len(pdf.pages):
            layer.add_legend()
            _describe(pdf, title)
            _save(pdf, out)
        return len(pdf.pages)


def _save(pdf: pikepdf.Pdf, out) -> None:
    """The file's streams are copied as they are, never decoded: a stream of a few MB filtered
    [/ASCIIHexDecode /FlateDecode] can decode to gigabytes, which qpdf decodes and compresses again
    at its default decode level, and at any level once asked to compress streams (it takes the
    hex layer off). So nothing is compressed on saving; the streams written here are deflated as
    they are made (`_deflated`)."""
    pdf.save(
        out,
        compress_streams=False,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )


def _deflated(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream:
    """A stream of `data`, compressed (as `_save` compresses nothing)."""
    stream = pikepdf.Stream(pdf, b"")
    stream.write(zlib.compress(data), filter=pikepdf.Name.FlateDecode)
    return stream


def has_text(page: pikepdf.Page) -> bool:
    """Whether the page shows text of its own (a born-digital page, or one made searchable
    before): it keeps that text, and no second layer is laid over it, which would make every
    reader find and copy each word twice (OCRmyPDF's --skip-text)."""
    # Text drawn inside a form the page places counts too: a walk over the forms, each looked
    # into once, no deeper than MAX_FORM_DEPTH.
    to_visit, seen = [(page.obj, 0)], set()
    while to_visit:
        holder, depth = to_visit.pop()
        try:
            instructions = pikepdf.parse_content_stream(holder, "Tj TJ ' \" Do")
            xobjects = holder.get("/Resources", {}).get("/XObject", {})
        except (pikepdf.PdfError, AttributeError, TypeError):
            continue
        for operands, operator in instructions:
            if str(operator) != "Do":
                return True
            xobject = xobjects.get(str(operands[0])) if operands else None
            if (
                depth < MAX_FORM_DEPTH
                and isinstance(xobject, pikepdf.Stream)
                and xobject.get("/Subtype") == "/Form"
                and xobject.objgen not in seen
            ):
                seen.add(xobject.objgen)
                to_visit.append((xobject, depth + 1))
    return False


def _image_as_pdf(source: str) -> bytes:
    """The image as a one-page PDF, embedded by img2pdf without recompressing it where PDF can
    hold it as it is; an image img2pdf refuses (a mirrored EXIF orientation, an unusual mode) is
    embedded as it is shown, losslessly."""
    try:
        return img2pdf.convert(source, rotation=img2pdf.Rotation.ifvalid, first_frame_only=True)
    except Exception as error:  # img2pdf raises many kinds; the fallback below takes any image
        logger.info("img2pdf took the image as shown instead (%s).", error)
    with Image.open(source) as opened:
        image = ImageOps.exif_transpose(opened)
        image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
    return img2pdf.convert(buffer.getvalue())


def _describe(pdf: pikepdf.Pdf, title: str) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False) as metadata:
        if title:
            metadata["dc:title"] = title
        metadata["xmp:CreatorTool"] = "django-ocr"


class _Layer:
    """Writes text layers into one PDF, sharing one font object among all its pages; with `marks`,
    the fields' boxes on their pages and their legend."""

    def __init__(self, pdf: pikepdf.Pdf, *, highlight: bool, marks: list[dict] | None = None) -> None:
        self.pdf, self.highlight, self.marks = pdf, highlight, marks
        self.font = _glyphless_font(pdf)
        self.translucent = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=HIGHLIGHT_OPACITY, CA=1)
        )

    def lay_over(self, page: pikepdf.Page, read: ReadPage, *, with_words: bool = True) -> None:
        result = read.result
        width, height = result["width"], result["height"]
        boxed = self.highlight or self.marks is not None
        operations = (_words(result, height) if with_words else b"") + (
            _boxes(result, height) if self.highlight else b""
        )
        if self.marks is not None:
            operations += _marked(self.marks, read.number, height)
        if not operations:
            return
        resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({FONT_RESOURCE: self.font}))
        if boxed:
            resources.ExtGState = pikepdf.Dictionary(Translucent=self.translucent)
        form = _deflated(self.pdf, operations)
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        form.BBox, form.Resources = [0, 0, width, height], resources
        # Over what a viewer shows (the crop box), upright as shown, whatever the page's rotation.
        page.add_overlay(form, _shown_box(page))

    def add_legend(self) -> None:
        """With marks: a last page naming each field in its colour, with its value."""
        if not self.marks:
            return
        width, height = 595, 842  # A4, in points
        lines = [b"BT /Legend 14 Tf 50 790 Td (Fields) Tj ET\n"]
        for number, mark in enumerate(self.marks):
            y = 760 - number * 22
            if y < 40:
                break
            red, green, blue = _rgb(mark["color"])
            said = f"{mark['name']}: {mark['value'] if mark['value'] is not None else '-'}"
            text = _pdf_string(said if len(said) <= LEGEND_CHARACTERS else said[: LEGEND_CHARACTERS - 1] + "…")
            lines.append(b"%.3f %.3f %.3f rg 50 %d 12 12 re f\n" % (red, green, blue, y - 2))
            lines.append(b"0 0 0 rg BT /Legend 11 Tf 70 %d Td %s Tj ET\n" % (y, text))
        helvetica = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, width, height],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(Legend=helvetica)),
            Contents=_deflated(self.pdf, b"".join(lines)),
        )
        self.pdf.pages.append(pikepdf.Page(page))


def _marked(marks: list[dict], page_number: int, height: float) -> bytes:
    """The fields found on this page, each box stroked and lightly filled in its colour."""
    operations = [b"q /Translucent gs 2 w\n"]
    for mark in marks:
        if mark.get("page") != page_number or not mark.get("location"):
            continue
        red, green, blue = _rgb(mark["color"])
        corners = [(x, height - y) for x, y in mark["location"]]
        path = b"%.1f %.1f m " % corners[0] + b" ".join(b"%.1f %.1f l" % corner for corner in corners[1:])
        operations.append(b"%.3f %.3f %.3f rg %.3f %.3f %.3f RG %s h B\n" % (red, green, blue, red, green, blue, path))
    operations.append(b"Q\n")
    return b"".join(operations) if len(operations) > 2 else b""


def _rgb(color: str) -> tuple[float, float, float]:
    """`#rrggbb` as PDF's colour components, 0 to 1."""
    return tuple(component / 255 for component in rgb(color))


def _pdf_string(text: str) -> bytes:
    """A literal string in the legend's encoding (WinAnsi: what it cannot show becomes "?")."""
    encoded = text.encode("cp1252", errors="replace")
    return b"(" + encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _shown_box(page: pikepdf.Page) -> pikepdf.Rectangle:
    """The part of the page a viewer shows: its crop box, else its media box, as PDF readers fall
    back (a crop box of `(abc)` or `[0 0 612]` is no box). ValueError when neither is one: the page
    is then exported from its image."""
    for box in (lambda: page.cropbox, lambda: page.mediabox):  # inherited from the page tree too
        try:
            values = [float(value) for value in box()]
        except (TypeError, ValueError, AttributeError, pikepdf.PdfError):
            continue
        if len(values) == 4 and values[0] != values[2] and values[1] != values[3]:
            return pikepdf.Rectangle(*values)
    raise ValueError("a page has no box to lay its text over")


def _words(result: dict, height: float) -> bytes:
    """The text operators: each word (with the space after it, but the line's last) in render mode
    3, invisible, stretched from where it starts to where the next word starts. As Tesseract's PDF
    renderer does, a line's words share its size and baseline (the line's box's bottom edge): a
    reader that sees a change of size or baseline between two words may glue them together."""
    operations = []
    for line in result.get("lines", []):
        words = [word for word in line["words"] if word["text"].strip()]
        corners = [(x, height - y) for x, y in line["location"]]
        top_left, bottom_right, bottom_left = corners[0], corners[2], corners[3]
        size, length = math.dist(top_left, bottom_left), math.dist(bottom_left, bottom_right)
        if not words or size <= 0 or length <= 0:
            continue
        along = ((bottom_right[0] - bottom_left[0]) / length, (bottom_right[1] - bottom_left[1]) / length)
        up = (-along[1], along[0])

        # How far along the line's bottom edge each word starts and ends.
        starts = [_along_line(word["location"][3], bottom_left, along, height) for word in words]
        ends = [_along_line(word["location"][2], bottom_left, along, height) for word in words]
        for index, word in enumerate(words):
            last = index + 1 == len(words)
            text = word["text"] if last else word["text"] + " "
            # The space reaches the next word when that word lies ahead on the line (not a box read
            # out of order): then no gap is left for a reader to guess at.
            end = ends[index] if last or starts[index + 1] <= ends[index] else starts[index + 1]
            width = end - starts[index]
            if width <= 0:
                continue
            x = bottom_left[0] + along[0] * starts[index] + up[0] * BASELINE_RAISE * size
            y = bottom_left[1] + along[1] * starts[index] + up[1] * BASELINE_RAISE * size
            stretch = 100 * width / (len(_utf16(text)) // 2 * GLYPH_WIDTH_EM * size)
            operations.append(
                f"{FONT_RESOURCE} {size:.2f} Tf {stretch:.2f} Tz {along[0]:.4f} {along[1]:.4f} {up[0]:.4f} "
                f"{up[1]:.4f} {x:.2f} {y:.2f} Tm <{_utf16(text).hex()}> Tj\n".encode()
            )
    if not operations:
        return b""
    return b"BT\n3 Tr\n" + b"".join(operations) + b"ET\n"


def _along_line(point: list[int], origin: tuple[float, float], along: tuple[float, float], height: float) -> float:
    """The distance from `origin` of an image point (y down) projected on the direction `along`."""
    return (point[0] - origin[0]) * along[0] + (height - point[1] - origin[1]) * along[1]


def _boxes(result: dict, height: float) -> bytes:
    """Each word's box, translucent, in its confidence's colour (the highlighted variant). Written
    with bytes' own formatting, the corners as the whole pixels they are: 200 pages of 340 words
    took 0.46 s with a formatted string per corner (bench/RESULTS.md, "Exports contained")."""
    operations = [b"q /Translucent gs 1 w\n"]
    for line in result.get("lines", []):
        for word in line["words"]:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3) = word["location"]
            operations.append(
                _paint(word["confidence"])
                + b"%d %d m %d %d l %d %d l %d %d l h B\n"
                % (x0, height - y0, x1, height - y1, x2, height - y2, x3, height - y3)
            )
    operations.append(b"Q\n")
    return b"".join(operations)


def _paint(confidence: float) -> bytes:
    """The fill and stroke colour operators of a word read with `confidence`."""
    colour = SURE if confidence >= SURE_FROM else DOUBTFUL if confidence >= DOUBTFUL_FROM else UNSURE
    return _PAINTS[colour]


_PAINTS = {colour: ("%g %g %g rg %g %g %g RG " % (colour * 2)).encode() for colour in (SURE, DOUBTFUL, UNSURE)}


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be")


def _glyphless_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """A Type0 font whose every code (UTF-16) shows glyph 1 of the glyphless font, with a
    ToUnicode map giving the code back as the character: as Tesseract's PDF renderer does."""
    with open(GLYPHLESS_FONT_PATH, "rb") as font_file:
        program = _deflated(pdf, font_file.read())
    descriptor = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=pikepdf.Name.GlyphLessFont,
            Flags=5,
            FontBBox=[0, 0, 500, 1000],
            ItalicAngle=0,
            Ascent=1000,
            Descent=-1,
            CapHeight=1000,
            StemV=80,
            FontFile2=program,
        )
    )
    every_code_to_glyph_1 = _deflated(pdf, b"\x00\x01" * 65536)
    cid_font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.CIDFontType2,
            BaseFont=pikepdf.Name.GlyphLessFont,
            CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
            FontDescriptor=descriptor,
            CIDToGIDMap=every_code_to_glyph_1,
            DW=int(GLYPH_WIDTH_EM * 1000),
        )
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name.GlyphLessFont,
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[cid_font],
            ToUnicode=_deflated(pdf, TO_UNICODE_CMAP),
        )
    )
