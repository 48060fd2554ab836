"""A text reading in the formats document tools read: hOCR, ALTO XML and Tesseract's TSV.

Both are written from the stored result (`OcrRecord.result`: the page's size and its lines and
words, each with four corner points and a confidence), so they say what the JSON says, whichever
engine read the image. A located part's box is the rectangle around its corners. Several results
are several pages (a task's file).
"""

import io
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from django.http import FileResponse, HttpResponse
from lxml import etree

Result = dict  # the stored form of a text reading (ocr_record.services.text_result)

#: hOCR is an HTML page made of what a reading found, and a reading can find "<script>": escaped,
#: and served with a policy that lets a browser run, fetch or submit nothing of it, should it show it.
HOCR_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

HOCR_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
ALTO_NAMESPACE = "http://www.loc.gov/standards/alto/ns-v4#"
ALTO_SCHEMA_LOCATION = "http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
TSV_COLUMNS = (
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)


@dataclass(frozen=True)
class Rendered:
    """A reading written in a document format: the bytes, their type, the ending of a file of them,
    and the headers an answer of them needs."""

    body: bytes
    content_type: str
    suffix: str
    headers: dict[str, str]

    def response(self, *, filename: str | None = None) -> HttpResponse:
        """The answer: shown, or downloaded as `filename` + the format's ending."""
        if filename is None:
            response = HttpResponse(self.body, content_type=self.content_type)
        else:
            response = FileResponse(
                io.BytesIO(self.body),
                as_attachment=True,
                filename=filename + self.suffix,
                content_type=self.content_type,
            )
        for name, value in self.headers.items():
            response[name] = value
        return response


#: The formats a reading is written in, with each one's type and file ending: one list for a
#: record's result and a task file's export.
FORMATS = {
    "txt": ("text/plain; charset=utf-8", ".txt"),
    "hocr": ("text/html; charset=utf-8", ".hocr"),
    "alto": ("application/xml; charset=utf-8", ".alto.xml"),
    "tsv": ("text/tab-separated-values; charset=utf-8", ".tsv"),
}


def render(pages: list[Result], document_format: str, *, title: str) -> Rendered:
    """`pages` (readings, one per page) written as `document_format`, one of FORMATS."""
    content_type, suffix = FORMATS[document_format]
    if document_format == "txt":
        text = "\f".join(page.get("text", "") for page in pages)  # pages apart, as pdftotext does
    elif document_format == "hocr":
        text = hocr(pages, title=title)
    elif document_format == "alto":
        text = alto(pages, title=title)
    else:
        text = tsv(pages)
    # hOCR is HTML of the client's words: a browser opening it runs nothing and loads nothing.
    headers = {"Content-Security-Policy": HOCR_CONTENT_SECURITY_POLICY} if document_format == "hocr" else {}
    return Rendered(text.encode(), content_type, suffix, headers)


def box(location: list[list[int]]) -> tuple[int, int, int, int]:
    """left, top, right, bottom around four [x, y] corners."""
    xs, ys = [point[0] for point in location], [point[1] for point in location]
    return min(xs), min(ys), max(xs), max(ys)


def hocr(pages: list[Result], *, title: str) -> str:
    """An hOCR document (XHTML): an `ocr_page` per result, `ocr_line`s and their `ocrx_word`s, each
    with its `bbox` and, for lines and words, `x_wconf` (confidence in percent)."""
    html = ElementTree.Element("html", {"xmlns": "http://www.w3.org/1999/xhtml", "xml:lang": "en", "lang": "en"})
    head = ElementTree.SubElement(html, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "meta", {"http-equiv": "Content-Type", "content": "text/html; charset=utf-8"})
    ElementTree.SubElement(head, "meta", {"name": "ocr-system", "content": "django-ocr"})
    ElementTree.SubElement(head, "meta", {"name": "ocr-capabilities", "content": "ocr_page ocr_line ocrx_word"})
    body = ElementTree.SubElement(html, "body")
    for page_number, result in enumerate(pages, 1):
        page = ElementTree.SubElement(
            body,
            "div",
            {
                "class": "ocr_page",
                "id": f"page_{page_number}",
                "title": f"bbox 0 0 {result['width']} {result['height']}; ppageno {page_number - 1}",
            },
        )
        for line_number, line in enumerate(result["lines"], 1):
            line_id = f"line_{page_number}_{line_number}"
            element = ElementTree.SubElement(page, "span", {"class": "ocr_line", "id": line_id, "title": _title(line)})
            for word_number, word in enumerate(line["words"], 1):
                ElementTree.SubElement(
                    element,
                    "span",
                    {
                        "class": "ocrx_word",
                        "id": f"word_{page_number}_{line_number}_{word_number}",
                        "title": _title(word),
                    },
                ).text = word["text"]
                element[-1].tail = " "
    document = ElementTree.tostring(html, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{HOCR_DOCTYPE}\n{document}\n'


def alto(pages: list[Result], *, title: str) -> str:
    """An ALTO 4.2 document (the Library of Congress's layout format, what archives and digital
    libraries take in): a `Page` per result, in pixels, with a `TextBlock` around its lines, each
    `TextLine` with its `String`s (`WC`: confidence, 0 to 1) and `SP`s between them."""

    def element(parent, tag: str, attributes: dict | None = None) -> etree._Element:
        return etree.SubElement(
            parent, f"{{{ALTO_NAMESPACE}}}{tag}", {k: str(v) for k, v in (attributes or {}).items()}
        )

    def placed(rectangle) -> dict:
        left, top, right, bottom = rectangle
        return {"HPOS": left, "VPOS": top, "WIDTH": right - left, "HEIGHT": bottom - top}

    root = etree.Element(
        f"{{{ALTO_NAMESPACE}}}alto",
        {f"{{{XSI_NAMESPACE}}}schemaLocation": f"{ALTO_NAMESPACE} {ALTO_SCHEMA_LOCATION}", "SCHEMAVERSION": "4.2"},
        nsmap={None: ALTO_NAMESPACE, "xsi": XSI_NAMESPACE},
    )
    description = element(root, "Description")
    element(description, "MeasurementUnit").text = "pixel"
    element(element(description, "sourceImageInformation"), "fileName").text = title
    processing = element(description, "Processing", {"ID": "processing_1"})
    element(processing, "processingCategory").text = "contentGeneration"
    element(element(processing, "processingSoftware"), "softwareName").text = "django-ocr"
    layout = element(root, "Layout")
    for page_number, result in enumerate(pages, 1):
        page = element(
            layout,
            "Page",
            {
                "ID": f"page_{page_number}",
                "PHYSICAL_IMG_NR": page_number,
                "WIDTH": result["width"],
                "HEIGHT": result["height"],
            },
        )
        space = element(page, "PrintSpace", placed((0, 0, result["width"], result["height"])))
        if not result["lines"]:
            continue
        block = element(space, "TextBlock", {"ID": f"block_{page_number}", **placed(_around(result["lines"]))})
        for line_number, line in enumerate(result["lines"], 1):
            text_line = element(
                block, "TextLine", {"ID": f"line_{page_number}_{line_number}", **placed(box(line["location"]))}
            )
            for word_number, word in enumerate(line["words"], 1):
                left, top, right, bottom = box(word["location"])
                if word_number > 1:
                    # The space between this word and the one before it.
                    gap_from = int(text_line[-1].get("HPOS")) + int(text_line[-1].get("WIDTH"))
                    element(text_line, "SP", {"HPOS": gap_from, "VPOS": top, "WIDTH": max(left - gap_from, 0)})
                element(
                    text_line,
                    "String",
                    {
                        "ID": f"word_{page_number}_{line_number}_{word_number}",
                        "CONTENT": word["text"],
                        **placed((left, top, right, bottom)),
                        "WC": round(min(max(word["confidence"], 0.0), 1.0), 4),
                    },
                )
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True).decode()


def tsv(pages: list[Result]) -> str:
    """Tesseract's TSV: a row per page (level 1), block (2), paragraph (3), line (4) and word (5),
    with its box in pixels and, for words, its confidence in percent (-1 for the others)."""
    rows = ["\t".join(TSV_COLUMNS)]

    def row(level: int, page: int, line: int, word: int, rectangle, confidence: float, text: str) -> None:
        left, top, right, bottom = rectangle
        rows.append(
            "\t".join(
                str(value)
                for value in (
                    level,
                    page,
                    1 if level > 1 else 0,
                    1 if level > 2 else 0,
                    line,
                    word,
                    left,
                    top,
                    right - left,
                    bottom - top,
                    confidence,
                    " ".join(text.split()),
                )
            )
        )

    for page_number, result in enumerate(pages, 1):
        whole = (0, 0, result["width"], result["height"])
        row(1, page_number, 0, 0, whole, -1, "")
        if result["lines"]:
            row(2, page_number, 0, 0, _around(result["lines"]), -1, "")
            row(3, page_number, 0, 0, _around(result["lines"]), -1, "")
        for line_number, line in enumerate(result["lines"], 1):
            row(4, page_number, line_number, 0, box(line["location"]), -1, "")
            for word_number, word in enumerate(line["words"], 1):
                row(5, page_number, line_number, word_number, box(word["location"]), _percent(word), word["text"])
    return "\n".join(rows) + "\n"


def _title(part: dict) -> str:
    left, top, right, bottom = box(part["location"])
    return f"bbox {left} {top} {right} {bottom}; x_wconf {round(_percent(part))}"


def _percent(part: dict) -> float:
    return round(part["confidence"] * 100, 2)


def _around(lines: list[dict]) -> tuple[int, int, int, int]:
    boxes = [box(line["location"]) for line in lines]
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)
