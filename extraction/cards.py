"""Cards: a kind of document and the fields read out of it."""

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["text", "date", "amount", "address"]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    name: str
    type: FieldType
    #: The colour a field is highlighted in (a page's boxes, the try-it page).
    color: str


@dataclass(frozen=True)
class Card:
    slug: str
    name: str
    fields: tuple[FieldSpec, ...]


#: The four fields of the ICDAR 2019 SROIE task 3, the receipts' card.
RECEIPT = Card(
    slug="receipt",
    name="Receipt",
    fields=(
        FieldSpec("company", "Company", "text", "#1f77b4"),
        FieldSpec("date", "Date", "date", "#2ca02c"),
        FieldSpec("address", "Address", "address", "#9467bd"),
        FieldSpec("total", "Total", "amount", "#d62728"),
    ),
)
