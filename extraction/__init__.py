"""Fields read out of documents: a card (a kind of document and its fields) applied to a reading.

Like `ocr_engine`, this package knows nothing of Django, uploads or records: it takes the lines of a
reading (their text and four corner points, as parse_text answers them) or plain text, and a card,
and gives every field of the card with its value as printed, its normalized value, a confidence,
where it is in the document's text and on the page.
"""

from extraction.cards import INVOICE, RECEIPT, Card, FieldSpec, GroupSpec
from extraction.document import Document, Line
from extraction.extract import ExtractedField, ExtractedGroup, Extraction, extract

__all__ = [
    "INVOICE",
    "RECEIPT",
    "Card",
    "Document",
    "ExtractedField",
    "ExtractedGroup",
    "Extraction",
    "FieldSpec",
    "GroupSpec",
    "Line",
    "extract",
]
