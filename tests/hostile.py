"""Hostile files the tests build: small inputs that cost without end if nothing bounds them; and
calls that die, for `ocr_engine.contained` to run (this module imports nothing heavy, as a child
process must import it to find them)."""

import io
import os
import signal
import zlib

from PIL import Image, ImageDraw


def self_drawing_pdf() -> bytes:
    """A one-page PDF (632 bytes) whose page draws a form that draws itself twice: PDFium
    allocates without end rendering it (the review's 841-byte file did the same)."""
    form = b"/X Do /X Do"
    content = b"/X Do"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /X 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X 4 0 R >> >>"
        b" /Length %d >>\nstream\n%s\nendstream" % (len(form), form),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    return _pdf(objects)


def _pdf(objects: list[bytes]) -> bytes:
    document = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(document))
        document += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(document)


def exhaust_memory() -> bytearray:
    return bytearray(4 * 1024**3)  # past any ceiling the tests set: MemoryError


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _text_page(number: int, text: bytes, *, width: int = 612, height: int = 792, extra: bytes = b"") -> list[bytes]:
    """A page object (at `number`, its content at `number + 1`) showing `text` in Helvetica."""
    content = b"BT /F1 36 Tf 72 %d Td (%s) Tj ET" % (height - 120, text)
    return [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 << /Type /Font "
        b"/Subtype /Type1 /BaseFont /Helvetica >> >> >> /Contents %d 0 R %s >>" % (width, height, number + 1, extra),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]


def looping_page_tree(pages: int = 6, *, side: int = 2400) -> bytes:
    """`pages` large pages whose page tree lists itself among its kids: qpdf refuses the file
    (a loop in the page tree), PDFium renders its pages. An export from their images held them
    all at once: 30 pages took 1.5 GB."""
    kids = b" ".join(b"%d 0 R" % (3 + 2 * index) for index in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s 2 0 R] /Count %d >>" % (kids, pages)]
    for index in range(pages):
        objects += _text_page(3 + 2 * index, b"loop page %d" % (index + 1), width=side, height=side)
    return _pdf(objects)


def bad_crop_box(crop_box: bytes) -> bytes:
    """A page whose /CropBox is not a box (`(abc)`, `[0 0 612]`)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objects += _text_page(3, b"cropped oddly", extra=b"/CropBox " + crop_box)
    return _pdf(objects)


def deep_form_chain(depth: int = 3000) -> bytes:
    """A page placing a form that places a form... `depth` deep, the last one showing text: a walk
    into forms by recursion goes past Python's limit."""
    first_form = 5
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /X %d 0 R >> >>"
        b" /Contents 4 0 R >>" % first_form,
        b"<< /Length 5 >>\nstream\n/X Do\nendstream",
    ]
    for level in range(depth):
        if level + 1 < depth:
            body, resources = b"/X Do", b"/XObject << /X %d 0 R >>" % (first_form + level + 1)
        else:
            body = b"BT /F1 36 Tf 72 600 Td (deep text) Tj ET"
            resources = b"/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>"
        objects.append(
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << %s >> /Length %d >>\nstream\n%s\nendstream"
            % (resources, len(body), body)
        )
    return _pdf(objects)


def unused_stream_bomb(decoded_mib: int = 4096) -> bytes:
    """A readable one-page PDF carrying, in an object nothing draws, a stream filtered
    [/ASCIIHexDecode /FlateDecode] that decodes to `decoded_mib` MiB of zeros (the file: about
    `decoded_mib` / 500 MiB). Copying it decoded (qpdf's default decode level) and compressed
    again held a web worker at 100 % CPU until it was killed."""
    compressor = zlib.compressobj(9)
    chunk = bytes(64 * 1024 * 1024)
    deflated = b"".join(compressor.compress(chunk) for _ in range(decoded_mib // 64)) + compressor.flush()
    hexed = deflated.hex().encode() + b">"
    objects = [b"<< /Type /Catalog /Pages 2 0 R /Unused 5 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objects += _text_page(3, b"a page worth reading")
    objects.append(
        b"<< /Filter [/ASCIIHexDecode /FlateDecode] /Length %d >>\nstream\n%s\nendstream" % (len(hexed), hexed)
    )
    return _pdf(objects)


def ruled_png(side: int = 6324) -> bytes:
    """A PNG of about 40 million pixels, white with thin ruled lines, of a few tens of KB: PP-OCR's
    OpenCV steps ran out of memory on such images at 2 GB."""
    image = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(image)
    for y in range(100, side, 400):
        draw.line((0, y, side, y), fill=0, width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
