"""Hostile files the tests build: small inputs that cost without end if nothing bounds them; and
calls that die, for `ocr_engine.contained` to run (this module imports nothing heavy, as a child
process must import it to find them)."""

import os
import signal


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
