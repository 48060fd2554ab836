"""Cards that run an invoice2data template, as invoice2data runs it.

A user brings a template unchanged (YAML or JSON: `keywords`, `fields` as regexes or parsers,
`lines`, `options`); the card's fields are the template's fields, its line parsers the card's
groups. On a document the pinned invoice2data (its `InvoiceTemplate`: `prepare_input`,
`matches_input`, `extract`) computes the values from the document's text laid out as `pdftotext
-layout` lays a page out (what templates are written against); each value is then placed in that
text, by the template's own regex run again for its span (or, where the template's options changed
the text first, by the value's own characters), so that it has an `index` and a `location`.

A template is the user's code in all but name: its regexes run in a contained child process
(ocr_engine.contained) within TEMPLATE_LIMITS, so one that backtracks without end costs its
document a `template_timeout`, never a worker.
"""

import copy
import datetime
import json
import re
from dataclasses import dataclass

import regex
import yaml

from extraction.cards import Card
from extraction.document import Document
from extraction.values import dates_in
from ocr_engine.contained import LimitExceeded, Limits, preload, run_contained

TEMPLATE_LIMITS = Limits(memory_bytes=512 * 1024 * 1024, seconds=5.0)
#: A template's size, and how many fields it may have: a card is data a worker runs.
MAX_TEMPLATE_BYTES = 64 * 1024
MAX_TEMPLATE_FIELDS = 100
LOCATE_TIMEOUT_S = 0.25
_TYPES = {"float": "amount", "int": "number", "date": "date", "datetime": "date"}
_LINE_PATTERNS = ("line", "first_line", "last_line")
# The children that run templates are forked with invoice2data imported, not importing it each.
preload("invoice2data.extract.invoice_template")


class TemplateError(ValueError):
    """A template that cannot be run: the message says where and why."""


class _NoAliasLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases: 64 KB of nested `*refs` ("billion laughs") expand into
    gigabytes once the template is copied or stored; templates do not need them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases (*name) are not accepted in a template")
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class TemplateCard:
    """What a card made from a template keeps: the template, and its fields and groups."""

    template: dict
    fields: list[dict]
    groups: list[dict]


def card_from_template(source: str) -> TemplateCard:
    """A template (YAML or JSON text) checked as invoice2data would load it, every regex compiled,
    and its fields and line parsers as a card's fields and groups. Raises TemplateError."""
    from invoice2data.extract.invoice_template import InvoiceTemplate  # noqa: PLC0415
    from invoice2data.extract.loader import prepare_template  # noqa: PLC0415

    if len(source.encode()) > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"A template may be {MAX_TEMPLATE_BYTES // 1024} KB at most.")
    try:
        template = yaml.load(source, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader, aliases refused)
    except yaml.YAMLError as error:
        raise TemplateError(f"This is no YAML or JSON: {error}") from None
    if isinstance(template, list) and len(template) == 1:
        template = template[0]
    if not isinstance(template, dict):
        raise TemplateError("A template is one mapping (issuer, keywords, fields, options).")
    if not template.get("keywords"):
        raise TemplateError("A template needs its `keywords`: the words that say a document is its kind.")
    if not isinstance(template.get("fields"), dict) or not template["fields"]:
        raise TemplateError("A template needs its `fields`, a mapping of names to regexes or parsers.")
    if len(template["fields"]) > MAX_TEMPLATE_FIELDS:
        raise TemplateError(f"A template may have {MAX_TEMPLATE_FIELDS} fields at most.")
    for where, pattern in _regexes(template):
        try:
            re.compile(pattern)
        except (re.error, TypeError) as error:
            raise TemplateError(f"The regex of {where} is no regular expression: {error}.") from None
    template.setdefault("template_name", template.get("issuer") or "template")
    prepared = prepare_template(copy.deepcopy(template))
    try:
        InvoiceTemplate(prepared)
    except (AssertionError, KeyError, TypeError, ValueError) as error:
        raise TemplateError(f"invoice2data refuses this template: {error}") from None
    fields, groups = [], []
    for key, spec in _field_items(template):
        if isinstance(spec, dict) and spec.get("parser") == "lines":
            groups.append(_group(key, spec))
        else:
            fields.append({"key": key, "name": key, "type": _type_of(key, spec)})
    return TemplateCard(template, fields, groups)


def by_template(document: Document, card: Card):
    """The card's template run on the document as invoice2data runs it, each value placed."""
    from extraction.extract import Candidate, ExtractedGroup, Extraction, as_field, not_found  # noqa: PLC0415

    document = document.laid_out()
    extraction = Extraction(text=document.text)
    try:
        output = run_contained(run_template, card.template, document.text, limits=TEMPLATE_LIMITS)
    except LimitExceeded:
        output = {"error": "template_timeout"}
    error = output.get("error") if output is not None else "keywords_not_found"
    for spec in card.fields:
        value = (output or {}).get(spec.key)
        if value is None:
            extraction.fields.append(not_found(spec, error))
            continue
        placed = _place(document, _field_regexes(card.template, spec.key), value)
        start, end = placed or (None, None)
        extraction.fields.append(as_field(document, spec, _candidate(document, start, end, value, Candidate)))
    for group in card.groups:
        rows = (output or {}).get(group.key) or []
        spans = _line_spans(
            document, group.key, card.template["fields"].get(group.key) or card.template.get("lines") or {}
        )
        found_rows = []
        for number, row in enumerate(rows if isinstance(rows, list) else []):
            own = spans[number] if number < len(spans) else {}
            found_rows.append(
                [
                    as_field(
                        document,
                        spec,
                        _candidate(document, *own.get(spec.key, (None, None)), row[spec.key], Candidate),
                    )
                    if row.get(spec.key) is not None
                    else not_found(spec, None)
                    for spec in group.fields
                ]
            )
        extraction.groups.append(ExtractedGroup(group.key, group.name, found_rows))
    return extraction


def run_template(template: dict, text: str) -> dict | None:
    """invoice2data's own run of `template` on `text` (in a contained child): its output with
    dates as ISO text, or None when the document has not the template's keywords."""
    from invoice2data.extract.invoice_template import InvoiceTemplate  # noqa: PLC0415
    from invoice2data.extract.loader import prepare_template  # noqa: PLC0415

    invoice = InvoiceTemplate(prepare_template(copy.deepcopy(template)))
    optimized = invoice.prepare_input(text)
    if not invoice.matches_input(optimized):
        return None
    try:
        output = invoice.extract(optimized, "", None)
    except Exception as error:  # noqa: BLE001 (a template's own failure, said in the fields)
        return {"error": f"template_failed: {error}"}
    return plain_output(output or {})


def plain_output(output: dict) -> dict:
    """invoice2data's output as plain data (dates as ISO text), to cross a process's pipe."""
    return json.loads(json.dumps(output, default=_plain))


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
    return str(value)


#: invoice2data's output names, as the invoice card names its fields.
_INVOICE_KEYS = {
    "invoice_number": "invoice_number",
    "date": "issue_date",
    "date_due": "due_date",
    "issuer": "seller",
    "partner_name": "buyer",
    "amount_untaxed": "net",
    "amount_tax": "tax",
    "amount": "total",
    "currency": "currency",
    "iban": "iban",
    "bic": "bic",
}


def by_invoice(document: Document, card: Card):
    """The built-in invoice card: invoice2data's bundled templates first (the first whose keywords
    the document has gives what it finds, placed by its regexes), each field it does not give found
    by the card's labels, on the text laid out as pdftotext lays a page out."""
    from extraction.bundled import run_bundled  # noqa: PLC0415
    from extraction.extract import Candidate, as_field, by_fields  # noqa: PLC0415

    document = document.laid_out()
    extraction = by_fields(document, card)
    try:
        matched = run_contained(run_bundled, document.text, limits=TEMPLATE_LIMITS)
    except LimitExceeded:
        matched = None
    if not matched:
        return extraction
    found = {_INVOICE_KEYS[key]: (key, value) for key, value in matched["output"].items() if key in _INVOICE_KEYS}
    specs = {spec.key: spec for spec in card.fields}
    for number, field in enumerate(extraction.fields):
        if field.key in found and found[field.key][1] not in (None, ""):
            key, value = found[field.key]
            placed = _place(document, _field_regexes(matched["template"], key), value)
            start, end = placed or (None, None)
            extraction.fields[number] = as_field(
                document, specs[field.key], _candidate(document, start, end, value, Candidate)
            )
    extraction.template = matched["template"].get("template_name")
    return extraction


# Placing values ----------------------------------------------------------------------------------


def _candidate(document: Document, start: int | None, end: int | None, value, candidate_class):
    """A value as a field: where it was placed in the text, or unplaced (no index, no location)."""
    normalized = _normalized(value)
    if start is None:
        return _Unplaced(str(value), normalized)
    line = max(number for number, offset in enumerate(document.starts) if offset <= start)
    offset = document.starts[line]
    end = min(end, offset + len(document.lines[line].text))
    return candidate_class((line,), start - offset, end - offset, document.text[start:end], normalized, 0.9)


@dataclass(frozen=True)
class _Unplaced:
    printed: str
    normalized: str
    lines: tuple = ()
    confidence: float = 0.7


def _normalized(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(_normalized(item) for item in value)
    return str(value)


def _place(document: Document, patterns: list[str], value) -> tuple[int, int] | None:
    """Where a value stands in the text: the span of the first group of the first of the field's
    regexes that matches (a regex the template's options made match a changed text may not), or
    else the value's own characters."""
    for pattern in patterns:
        try:
            match = regex.compile(pattern).search(document.text, timeout=LOCATE_TIMEOUT_S)
        except (regex.error, TimeoutError):
            continue
        if match:
            group = 1 if match.re.groups else 0
            return match.span(group)
    value = value[0] if isinstance(value, list) and value else value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):  # a date, printed in any way
        for line, start in zip(document.lines, document.starts, strict=True):
            if same := [found for found in dates_in(line.text) if found.normalized == value]:
                return start + same[0].start, start + same[0].end
    text = document.text.casefold()
    for printed in _printed_forms(value):
        found = text.find(printed.casefold())
        if found >= 0:
            return found, found + len(printed)
    return None


def _printed_forms(value) -> list[str]:
    """How a value may be printed: a number with its two decimals, grouped or not, with a point or
    a comma; a date as the template's output gives it; text as it is."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        grouped = f"{value:,.2f}"
        return [
            grouped,
            grouped.replace(",", " ").replace(".", ",").replace(" ", "."),
            f"{value:.2f}",
            f"{value:.2f}".replace(".", ","),
            str(value),
        ]
    return [str(value)] if str(value) else []


def _line_spans(document: Document, group: str, spec: dict) -> list[dict[str, tuple[int, int]]]:
    """The rows a lines parser reads, as spans of their named groups in the text: the section
    from its `start` to its `end`, each line matched by its `line` (or `first_line`) regex."""
    if not isinstance(spec, dict) or "start" not in spec:
        return []
    try:
        start = regex.compile(spec["start"]).search(document.text, timeout=LOCATE_TIMEOUT_S)
        if not start:
            return []
        end = regex.compile(spec.get("end") or r"\Z").search(document.text, start.end(), timeout=LOCATE_TIMEOUT_S)
        line_patterns = [regex.compile(spec[name]) for name in _LINE_PATTERNS if spec.get(name)]
    except (regex.error, TimeoutError):
        return []
    rows, offset = [], start.end()
    section = document.text[start.end() : end.start() if end else len(document.text)]
    for line in section.split("\n"):
        for pattern in line_patterns:
            try:
                match = pattern.search(line, timeout=LOCATE_TIMEOUT_S)
            except TimeoutError:
                match = None
            if match and any(value is not None for value in match.groupdict().values()):
                names = list(match.groupdict())
                rows.append(
                    {
                        _canonical(group, key, names): (offset + match.start(key), offset + match.end(key))
                        for key, value in match.groupdict().items()
                        if value is not None
                    }
                )
                break
        offset += len(line) + 1
    return rows


# Reading a template ------------------------------------------------------------------------------


def _field_items(template: dict):
    for key, spec in template["fields"].items():
        yield (key[len("static_") :] if key.startswith("static_") else key), spec
    if isinstance(template.get("lines"), dict) and "lines" not in template["fields"]:
        yield "lines", {**template["lines"], "parser": "lines"}


def _field_regexes(template: dict, key: str) -> list[str]:
    spec = template["fields"].get(key)
    if isinstance(spec, dict):
        spec = spec.get("regex") if spec.get("parser") == "regex" else None
    if isinstance(spec, str):
        return [spec]
    return [pattern for pattern in spec or [] if isinstance(pattern, str)]


def _type_of(key: str, spec) -> str:
    if isinstance(spec, dict):
        return _TYPES.get(spec.get("type", ""), "text")
    if key.startswith("date") or key.endswith("date"):
        return "date"
    if key.startswith("amount") or key.startswith("sum_amount"):
        return "amount"
    return "text"


def _group(key: str, spec: dict) -> dict:
    names = []
    for name in _LINE_PATTERNS:
        if isinstance(spec.get(name), str):
            names += [group for group in re.compile(spec[name]).groupindex if group not in names]
    types = spec.get("types") or {}
    return {
        "key": key,
        "name": key,
        "fields": [
            {"key": _canonical(key, name, names), "name": name, "type": _TYPES.get(types.get(name, ""), "text")}
            for name in names
        ],
    }


def _canonical(group: str, name: str, names: list[str]) -> str:
    """A line field's name as invoice2data answers it: in `lines` and `tax_lines` its aliases are
    renamed ("description" is "name") unless the template has the canonical name too."""
    from invoice2data.extract.schema import LINE_FIELD_ALIASES  # noqa: PLC0415

    canonical = LINE_FIELD_ALIASES.get(name) if group in ("lines", "tax_lines") else None
    return canonical if canonical and canonical not in names else name


def _regexes(template: dict):
    """Every regex of a template, with where it is: to be compiled before the template is kept."""
    for key, spec in template.get("fields", {}).items():
        if isinstance(spec, str):
            yield f"field '{key}'", spec
        elif isinstance(spec, list):
            yield from ((f"field '{key}'", pattern) for pattern in spec)
        elif isinstance(spec, dict):
            patterns = spec.get("regex")
            for pattern in [patterns] if isinstance(patterns, str) else patterns or []:
                yield f"field '{key}'", pattern
            for name in ("start", "end", *_LINE_PATTERNS):
                if spec.get(name):
                    yield f"field '{key}' ({name})", spec[name]
    for name in ("start", "end", *_LINE_PATTERNS):
        if isinstance(template.get("lines"), dict) and template["lines"].get(name):
            yield f"lines ({name})", template["lines"][name]
    for pattern, _ in (template.get("options") or {}).get("replace") or []:
        yield "options.replace", pattern
