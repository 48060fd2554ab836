"""Cards: a kind of document and the fields read out of it."""

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["text", "date", "amount", "address", "number"]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    name: str
    type: FieldType
    #: The colour a field is highlighted in (a page's boxes, the try-it page).
    color: str


@dataclass(frozen=True)
class GroupSpec:
    """Fields that come in rows: a receipt's items."""

    key: str
    name: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class Card:
    slug: str
    name: str
    fields: tuple[FieldSpec, ...]
    groups: tuple[GroupSpec, ...] = ()

    def as_json(self) -> dict:
        """The card's fields and groups as plain data (what a stored card keeps)."""
        return {
            "fields": [_field_json(spec) for spec in self.fields],
            "groups": [
                {"key": group.key, "name": group.name, "fields": [_field_json(spec) for spec in group.fields]}
                for group in self.groups
            ],
        }

    @classmethod
    def from_json(cls, *, slug: str, name: str, fields: list[dict], groups: list[dict]) -> "Card":
        return cls(
            slug=slug,
            name=name,
            fields=tuple(FieldSpec(**spec) for spec in fields),
            groups=tuple(
                GroupSpec(group["key"], group["name"], tuple(FieldSpec(**spec) for spec in group["fields"]))
                for group in groups
            ),
        )


def rgb(color: str) -> tuple[int, int, int]:
    """A field's colour, `#rrggbb`, as its red, green and blue from 0 to 255."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _field_json(spec: FieldSpec) -> dict:
    return {"key": spec.key, "name": spec.name, "type": spec.type, "color": spec.color}


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
    groups=(
        GroupSpec(
            "items",
            "Items",
            (
                FieldSpec("name", "Name", "text", "#ff7f0e"),
                FieldSpec("quantity", "Quantity", "number", "#8c564b"),
                FieldSpec("amount", "Amount", "amount", "#e377c2"),
            ),
        ),
    ),
)
