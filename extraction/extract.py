"""A card applied to a document: each field found by the rules of its type, with where it is.

The receipt's rules (measured on the 348 receipts of ../shared/realdata/sroie_fields, `make
bench-fields`):
- the date: the first date after a DATE label (on its line or the next), else the first date;
- the total: the amount of the line labelled as what was paid (a rounded total, a grand total, the
  total including tax, a plain TOTAL, in that order of trust), printed on the label's line or on the
  next line; else the largest amount;
- the company: the first of the top lines that names a business (SDN BHD, ENTERPRISE, TRADING, ...),
  else the first line of words that is no title (TAX INVOICE, RECEIPT);
- the address: the lines after the company's (before it, or at the foot, where none are), less its
  registration number, up to the first line that is a telephone, a tax id, a title, a date or a
  registration, and ended at its town or country unless a street follows (a mall's name under it
  is no part of it).
Words an engine boxed apart on one row are read as one line first (Document.in_phrases).
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from extraction import generic
from extraction.cards import Card
from extraction.document import Document, Location, enclosing
from extraction.values import Found, amounts_in, dates_in


@dataclass(frozen=True)
class ExtractedField:
    key: str
    name: str
    value: str | None
    normalized: str | None
    confidence: float
    #: Where the value starts in the document's text; None when not found.
    index: int | None
    page: int | None
    location: Location | None
    color: str
    #: Why a field has no value where that is worth saying: "required" (a required field not
    #: found), "pattern_timeout" (its pattern ran out of time).
    error: str | None = None


@dataclass(frozen=True)
class ExtractedGroup:
    key: str
    name: str
    #: Each row: its fields, in the group's order.
    rows: list[list[ExtractedField]]


@dataclass
class Extraction:
    text: str
    fields: list[ExtractedField] = field(default_factory=list)
    groups: list[ExtractedGroup] = field(default_factory=list)
    #: The invoice2data template that read it, where one of the bundled ones did (the invoice card).
    template: str | None = None

    @property
    def confidence(self) -> float:
        """The document's: the mean of its fields' (a field not found counts 0)."""
        return sum(item.confidence for item in self.fields) / len(self.fields) if self.fields else 0.0

    def value(self, key: str) -> str | None:
        return next((item.value for item in self.fields if item.key == key), None)


@dataclass(frozen=True)
class Candidate:
    """A value found by a rule: its line(s), characters, normalized form and confidence."""

    lines: tuple[int, ...]
    start: int
    end: int
    printed: str
    normalized: str
    confidence: float


def extract(document: Document, card: Card) -> Extraction:
    """Every field of `card` in `document`: found, or with value None and confidence 0."""
    document = document.in_phrases()
    if card.rules == "receipt":
        return _by_receipt_rules(document, card)
    if card.rules == "invoice2data":
        from extraction.templates import by_template  # noqa: PLC0415 (invoice2data loads for its cards only)

        return by_template(document, card)
    if card.rules == "invoice":
        from extraction.templates import by_invoice  # noqa: PLC0415

        return by_invoice(document, card)
    return by_fields(document, card)


def _by_receipt_rules(document: Document, card: Card) -> Extraction:
    extraction = Extraction(text=document.text)
    company = _company(document)
    for spec in card.fields:
        finder = _FINDERS.get(spec.key)
        found = finder(document, company) if finder else None
        extraction.fields.append(as_field(document, spec, found))
    for group in card.groups:
        finder = _GROUP_FINDERS.get(group.key)
        rows = finder(document) if finder else []
        extraction.groups.append(
            ExtractedGroup(
                group.key,
                group.name,
                [[as_field(document, spec, row.get(spec.key)) for spec in group.fields] for row in rows],
            )
        )
    return extraction


def by_fields(document: Document, card: Card) -> Extraction:
    """A card of fields its users defined, each found by its labels, pattern, type and place
    (extraction/generic.py); a field with `multiple` gives one field per value found."""
    extraction = Extraction(text=document.text)
    for spec in card.fields:
        try:
            hits = generic.find(document, spec)
        except generic.PatternTimeout:
            extraction.fields.append(not_found(spec, "pattern_timeout"))
            continue
        if not hits:
            extraction.fields.append(not_found(spec, "required" if spec.required else None))
        extraction.fields += [as_field(document, spec, _from_hit(hit)) for hit in hits]
    for group in card.groups:
        try:
            rows = generic.rows(document, group)
        except generic.PatternTimeout:
            rows = []
        extraction.groups.append(
            ExtractedGroup(
                group.key,
                group.name,
                [[as_field(document, spec, _from_hit(row.get(spec.key))) for spec in group.fields] for row in rows],
            )
        )
    return extraction


def _from_hit(hit: "generic.Hit | None") -> "Candidate | None":
    if hit is None:
        return None
    return Candidate((hit.line,), hit.start, hit.end, hit.printed, hit.normalized, hit.confidence)


def not_found(spec, error: str | None) -> ExtractedField:
    return ExtractedField(spec.key, spec.name, None, None, 0.0, None, None, None, spec.color, error)


def as_field(document: Document, spec, found: Candidate | None) -> ExtractedField:
    if found is None:
        return not_found(spec, None)
    if not found.lines:  # a value not placed in the text (a template's, computed from several)
        return ExtractedField(
            spec.key, spec.name, found.printed, found.normalized, found.confidence, None, None, None, spec.color
        )
    first = found.lines[0]
    if len(found.lines) == 1:
        location = document.location(first, found.start, found.end)
    else:
        locations = [document.lines[index].location for index in found.lines]
        location = enclosing(locations) if all(locations) else None
    return ExtractedField(
        key=spec.key,
        name=spec.name,
        value=found.printed,
        normalized=found.normalized,
        confidence=round(found.confidence, 3),
        index=document.starts[first] + found.start,
        page=document.lines[first].page,
        location=location,
        color=spec.color,
    )


# Dates -------------------------------------------------------------------------------------------

_DATE_LABEL = re.compile(r"\b(DATE|TARIKH|DATED)\b", re.IGNORECASE)


def _date(document: Document, company: Candidate | None) -> Candidate | None:
    first = None
    for index, line in enumerate(document.lines):
        found = dates_in(line.text)
        if not found:
            continue
        labelled = _DATE_LABEL.search(line.text) or (index and _DATE_LABEL.search(document.lines[index - 1].text))
        candidate = _single(index, found[0], 0.97 if labelled else 0.85)
        if labelled:
            return candidate
        first = first or candidate
    return first


# Totals ------------------------------------------------------------------------------------------

# What a line saying what was paid begins with, most trusted first.
_ROUNDED_TRUST = 0.95
_TOTAL_LABELS = [
    (
        # "ROUNDED TOTAL", "ROUND D TOTAL", "TOTAL ROUNDED"; not "ROUND AMT", the adjustment.
        re.compile(r"ROUNDED\s*(TOTAL|AMT|AMOUNT)|ROUND\s*D\s*TOTAL|TOTAL\s*(\(?ROUNDED\)?|AFTER\s*ROUND)", re.I),
        _ROUNDED_TRUST,
    ),
    (re.compile(r"GRAND\s*TOTAL|NETT?\s*TOTAL|TOTAL[^:]{0,25}\bINCL", re.I), 0.93),
    (re.compile(r"TOTAL\s*(AMOUNT|AMT|PAYABLE|DUE|SALES)?\b", re.I), 0.9),
    (re.compile(r"AMOUNT\s*(DUE|PAYABLE)|(NET|TOTAL)\s*PAYABLE|PAYABLE|BALANCE\s*DUE", re.I), 0.85),
]
_NOT_TOTAL = re.compile(
    r"SUB\s*-?\s*TOTAL|TOTAL\s*(QTY|QUANTITY|QUANTUTY|ITEM|GST|TAX|DISC|EXCL|SAVING)|(TAX|GST|SST)\s*TOTAL|"
    r"EXCLUDING|EXCLUSIVE|CHANGE|TENDER|SUPPLIES|ACCEPTED",
    re.I,
)
#: Cash is paid in steps of 5 sen: a total is rounded to one, by an adjustment of less.
_CASH_STEP = Decimal("0.05")
_HANDED = re.compile(r"\b(CASH|TENDER(ED)?|CHANGE|PAID|PAYMENT|CARD|VISA|MASTER)\b", re.I)
_ROUNDING = re.compile(r"ROUNDING|ROUND(ING)?\s*ADJ|ADJUSTMENT", re.I)


def _total(document: Document, company: Candidate | None) -> Candidate | None:
    labelled = []
    for index, line in enumerate(document.lines):
        if _NOT_TOTAL.search(line.text):
            continue
        for label, confidence in _TOTAL_LABELS:
            match = label.search(line.text)
            if match and (amount := _amount_after(document, index, match.end())):
                if Decimal(amount[1].normalized):  # a total of nothing is a line of a summary
                    labelled.append(_single(*amount, confidence))
                break
    if labelled:
        # A total said to be rounded is what was paid; else a total and the same total after the
        # rounding adjustment printed near it: the rounded one (an adjustment's sign is not always
        # printed, so only where no label says which). Otherwise the most trusted label, and of
        # those the largest amount (a receipt prints its total beside smaller ones: before tax).
        rounded = [candidate for candidate in labelled if candidate.confidence >= _ROUNDED_TRUST]
        if rounded:
            return rounded[-1]
        adjustments = _roundings(document)
        for adjustment in adjustments:
            for candidate in labelled:
                if any(Decimal(other.normalized) + adjustment == Decimal(candidate.normalized) for other in labelled):
                    return candidate
        best = max(labelled, key=lambda candidate: (candidate.confidence, Decimal(candidate.normalized)))
        total = Decimal(best.normalized)
        if total % _CASH_STEP:
            # The same total rounded to the cash step, printed beside it: what was paid.
            rounded_near = [
                candidate
                for candidate in labelled
                if abs(Decimal(candidate.normalized) - total) < _CASH_STEP
                and Decimal(candidate.normalized) % _CASH_STEP == 0
            ]
            if rounded_near:
                return rounded_near[-1]
            # Or the total with the adjustment printed (its sign is not always), found on the page.
            for adjustment in adjustments:
                for rounded in (total + adjustment, total - adjustment):
                    if rounded % _CASH_STEP:
                        continue
                    printed = [place for place in _amounts(document) if Decimal(place[1].normalized) == rounded]
                    if printed:
                        return _single(*printed[-1], best.confidence)
        return best
    # No label: the largest amount that is not what was handed over or given back.
    handed = {
        beside
        for index, line in enumerate(document.lines)
        if _HANDED.search(line.text)
        for beside in (index, *document.right_of(index))
    }
    amounts = [(index, found) for index, found in _amounts(document) if index not in handed]
    if not amounts:
        return None
    index, largest = max(amounts, key=lambda pair: Decimal(pair[1].normalized))
    return _single(index, largest, 0.5)


def _amounts(document: Document) -> Iterator[tuple[int, Found]]:
    """(line, amount) of every amount printed, in order."""
    for index, line in enumerate(document.lines):
        for found in amounts_in(line.text):
            yield index, found


def _roundings(document: Document) -> list[Decimal]:
    """The rounding adjustments printed (-0.01, 0.02...), with their signs; none of 0."""
    adjustments = []
    for index, line in enumerate(document.lines):
        if not _ROUNDING.search(line.text):
            continue
        beside = [document.lines[other].text for other in document.right_of(index)]
        after = [document.lines[index + 1].text] if index + 1 < len(document.lines) else []
        for text in (line.text, *beside, *after):
            signed = re.search(r"(-)?\s*(?:RM)?\s*(\d*\.\d{2})(?!\d)", text)
            # An adjustment is a few sen (".02", "-0.01"): a larger amount beside is a total.
            if signed and 0 < Decimal(signed.group(2)) < _CASH_STEP:
                adjustments.append(Decimal(signed.group(2)) * (-1 if signed.group(1) else 1))
                break
    return adjustments


def _amount_after(document: Document, index: int, after: int) -> tuple[int, Found] | None:
    """The amount printed after a label: on its line; else on the nearest line to its right in the
    same row (receipts print labels and amounts in two columns, which the reading order may take
    apart); else alone on one of the next two lines."""
    on_line = [found for found in amounts_in(document.lines[index].text) if found.start >= after]
    if on_line:
        return index, on_line[-1]
    for beside in document.right_of(index):
        found = amounts_in(document.lines[beside].text)
        if found:
            return beside, found[-1]
    for following in range(index + 1, min(index + 3, len(document.lines))):
        text = document.lines[following].text
        found = amounts_in(text)
        if found and len(re.sub(r"[\d.,\s]|RM|MYR|\$", "", text, flags=re.I)) <= 2:
            return following, found[-1]
    return None


# Company -----------------------------------------------------------------------------------------

_BUSINESS = re.compile(
    r"\b(SDN\.?\s*BHD|BHD|S/B|ENTERPRISE|ENTERPRISES|TRADING|RESTAURANT|RESTORAN|HARDWARE|STATIONERY|"
    r"BOOKS?|MART|MARKET|SUPERMARKET|STORE|STORES|SHOP|HOLDINGS|PLT|CORPORATION|CO\.|COMPANY|"
    r"BAKERY|CAFE|KEDAI|PHARMACY|FARMASI|HOTEL|GIFT|ELECTRICAL|MACHINERY|INDUSTRIES|SERVICES|CENTRE|CENTER|"
    r"TRADERS?|MINI\s*MARKET|FOOD|RESOURCES|LIMITED|LTD|INC)\b",
    re.IGNORECASE,
)
# What ends a company's name in law: a name without it may go on on the next line ("POPULAR BOOK" /
# "CO. (M) SDN BHD"), a line of it alone belongs to the line before ("LIAN CHI ... VEGETARIAN" /
# "RESTAURANT SDN BHD").
_LEGAL_SUFFIX = re.compile(r"\b(SDN\.?\s*BHD\.?|BHD\.?|S/B|SB|PLT|BERHAD)(?=\W|$)", re.I)
_SUFFIX_ALONE = re.compile(r"^\W*((CO\.|COMPANY)\s*(\(M\))?\s*)?(RESTAURANT\s+)?(SDN\.?\s*BHD\.?|BHD\.?|S/B)\W*$", re.I)
_CONTINUES_NAME = re.compile(r"^\W*(CO\.|COMPANY|\(M\))?[\s(M)]*(SDN\.?\s*BHD|BHD|S/B)", re.I)
# The registration number printed after a name: "(519537-X)", "(CO. REG : 860671-D)".
_REGISTRATION_AFTER = re.compile(r"\s*\(?\s*(CO\.?\s*(RE?G|NO)\.?\s*:?\s*)?\d{4,}[-\s]?[A-Z]\s*\)?\s*$", re.I)
# A name without a legal suffix ends at its "CO.".
_ENDS_AT_CO = re.compile(r"^(.*\w\W*\s*\bCO\.)\s*[A-Z]", re.I)
# The engines' usual misreadings of SDN before BHD ("SIN BHD", "S0N BHD"), mended as a person reads them.
_SDN_MISREAD = re.compile(r"\bS[IO0l1]N(?=\.?\s*BHD)", re.I)
_TITLE = re.compile(
    r"^\W*(TAX\s*INVOICE|INVOICE|RECEIPT|CASH\s*BILL|SIMPLIFIED|OFFICIAL|WELCOME|THANK|TAN WOON YANN)", re.I
)
_TOP_LINES = 8
# Lines at a receipt's top that name no company though they hold a business word.
_NOT_NAME = re.compile(
    r"^\W*(COMPANY\s*(REG\S*\s*)?NO|CO\.?\s*NO|REG(ISTRATION)?\s*NO|GST|CASHIER|DESC)|\bRETURNABLE\b", re.I
)


def _is_full_name(text: str) -> bool:
    """A whole company name in law on one line: two words or more before its legal suffix, not
    the end of a name begun on the line before ("& TEA LEAF (M) SDN. BHD.", "ALAM) SDN BHD")."""
    words = _LEGAL_SUFFIX.split(text)[0].split()
    return (
        bool(_LEGAL_SUFFIX.search(text))
        and len(words) >= 2
        and not re.match(r"^\W*[&()]", text)
        and not _CONTINUES_NAME.search(text)
        and ")" not in words[0]
        and "(" not in words[-1]
        and _is_words(text)
    )


def _is_name_line(text: str) -> bool:
    """A line that may begin a name broken over two: words, no title, no address, no number."""
    return bool(text) and _is_words(text) and not _TITLE.search(text) and not _NOT_NAME.search(text)


def _company(document: Document) -> Candidate | None:
    """The company's name: the first top line naming a business, else the first line of words."""
    top = [
        (index, line)
        for index, line in enumerate(document.lines[:_TOP_LINES])
        if not _TITLE.search(line.text) and not _is_address_line(line.text) and not _NOT_NAME.search(line.text)
    ]
    for index, line in top:
        if _BUSINESS.search(line.text):
            return _name(document, index, 0.9)
    for index, line in top:
        if _is_words(line.text):
            return _name(document, index, 0.5)
    return None


def _is_words(text: str) -> bool:
    """Mostly letters, no digits: a name's line rather than a number's or an address's."""
    letters = sum(character.isalpha() for character in text)
    return letters >= 3 and letters >= len(text) / 2 and not any(character.isdigit() for character in text)


def _name(document: Document, index: int, confidence: float) -> Candidate:
    """The company's name from line `index`: with the line before when it is a legal suffix alone,
    with the next when that one ends it; less the registration number printed after it."""
    lines = [index]
    text = document.lines[index].text
    previous = document.lines[index - 1].text if index else ""
    following = document.lines[index + 1].text if index + 1 < len(document.lines) else ""
    before_suffix = _LEGAL_SUFFIX.split(text)[0]
    if (_SUFFIX_ALONE.search(text) or re.match(r"^\W*[&(]", text) or len(before_suffix.split()) <= 1) and _is_name_line(
        previous
    ):
        lines.insert(0, index - 1)  # "THE COFFEE BEAN" / "& TEA LEAF (M) SDN. BHD."
    elif not _LEGAL_SUFFIX.search(text) and _is_full_name(following):
        # A shop's name over its company's ("KIKU JAPANESE RESTAURANT" / "TK DIVISION KITCHEN SDN
        # BHD"): the company is the one in law.
        lines = [index + 1]
    elif not _LEGAL_SUFFIX.search(text) and (
        _CONTINUES_NAME.search(following) or (_LEGAL_SUFFIX.search(following) and _is_words(following))
    ):
        lines.append(index + 1)  # "POPULAR BOOK" / "CO. (M) SDN BHD"
    elif not _LEGAL_SUFFIX.search(text):
        # "AIK HUAT HARDWARE" / "ENTERPRISE (SETIA" / "ALAM) SDN BHD": words up to a legal suffix.
        ahead = document.lines[index + 1 : index + 3]
        ending = next((number for number, line in enumerate(ahead) if _LEGAL_SUFFIX.search(line.text)), None)
        if ending is not None and all(_is_words(line.text) for line in ahead[: ending + 1]):
            lines += list(range(index + 1, index + 2 + ending))
    printed = " ".join(document.lines[number].text.strip() for number in lines)
    # The name ends with its legal suffix: what follows is its registration number, or a former
    # name ("MYNEWS RETAIL SB(306295-X) FKA BISON STORES SB").
    if suffix := _LEGAL_SUFFIX.search(printed):
        printed = printed[: suffix.end()]
    elif company := _ENDS_AT_CO.match(printed):
        printed = company.group(1)  # "EIGHT OUNCE COFFEE CO. THE GARDENS MALL": the mall is where it is
    printed = _SDN_MISREAD.sub("SDN", printed)
    printed = _REGISTRATION_AFTER.sub("", printed).strip()
    first = document.lines[lines[0]].text
    start = first.index(first.strip()[:1]) if first.strip() else 0
    end = start + len(printed) if len(lines) == 1 else len(first)
    return Candidate(tuple(lines), start, end, printed, _tidy(printed), confidence)


# Address -----------------------------------------------------------------------------------------

_ADDRESS_WORDS = re.compile(
    r"^\s*\d{1,4}[A-Z]?\s*[,.](?!\d)|\d.*,\s*$|\bPT\s*\d+|\b(JALAN|JLN|JL|LORONG|LRG|LOT|NO\.?|TAMAN|TMN|KAWASAN|KWS|"
    r"BLK|UNIT|PLAZA|BANGUNAN|WISMA|MENARA|TOWER|SEKSYEN|SEK|MUKIM|BANDAR|KAMPUNG|KG|PERSIARAN|LEBUH|BATU|BLOK|"
    r"BLOCK|LEVEL|FLOOR|ROAD|STREET|AVENUE|RUE|ROUTE|AUTOROUTE|BOULEVARD|\d{5}|SELANGOR|JOHOR|KUALA LUMPUR|PAHANG|PERAK|KEDAH|MELAKA|SABAH|SARAWAK|"
    r"PENANG|PULAU PINANG|NEGERI SEMBILAN|KELANTAN|TERENGGANU|PERLIS|PUTRAJAYA|LABUAN|MALAYSIA)\b",
    re.IGNORECASE,
)
# A street word run into what is around it by the OCR ("14JALAN MANIS4TAMAN SEGAR56100KL").
_STREET_RUN_TOGETHER = re.compile(r"(?<![A-Za-z])(JALAN|TAMAN|PERSIARAN|LORONG)", re.I)
# What is printed under an address and is no part of it.
_NOT_ADDRESS = re.compile(
    r"\b(TEL|TELEPHONE|PHONE|FAX|H/P|GST|SST|TAX|INVOICE|RECEIPT|DATE|CASHIER|EMAIL|E-MAIL|WWW|HTTP|"
    r"DOC|DOCUMENT|BILL|SERVER|TABLE|CHECK|ORDER|ROC|REG|COMPANY\s*NO|CO\.?\s*NO|THANK|FORMERLY|LICENSEE|"
    r"RETURNABLE|SALES|MEMBER|OPEN|HOURS|CARRY|PAY|INV|PREPAY|ITEM|PRICE|QTY|AMOUNT)\b|TAX\s*INVOICE|GST\s*ID|"
    r"\d{2,4}-\d{3,4}[\s-]?\d{3,4}|^\W*\d{6,}\W*$",
    re.IGNORECASE,
)


# A company's registration number, alone or before its address: "(81109-A)", "BR NO. :(124525-H)".
_REGISTRATION_BEFORE = re.compile(r"^\W*([A-Z]{2}\s*NO\.?\s*:?\s*)?\(\s*(NO\.?\s*)?\d{4,}-?\s*[A-Z]\s*\)\s*", re.I)


# A line an address ends with: its postcode and town, or its state or country last.
_ENDS_ADDRESS = re.compile(
    r"\b\d{5}\s*,?\s*[A-Z][A-Z .']+[^,\w]*$|\b(SELANGOR|JOHOR|KUALA LUMPUR|KL|MALAYSIA|DARUL EHSAN|DARUL TAKZIM|"
    r"SHAH ALAM|PETALING JAYA|JOHOR BAHRU|KLANG|PUCHONG|CHERAS|KAJANG|AMPANG|RAWANG)[^,\w]*$",
    re.I,
)
# A petrol station's site number under its address: "SITE: 2591" ("SITE B 45400 SEKINCHAN" is an address).
_SITE_NUMBER = re.compile(r"^\W*SITE\s*:?\s*\d+\W*$", re.I)
# A chain's store number and branch under its address: "1214-JINJANG UTARA", "1317 TRILLIUM S6 BESI".
_BRANCH = re.compile(r"^\W*\d{4}\s*-?\s*[A-Z]", re.I)
_PRICE_ALONE = re.compile(r"^\W*\d+\.\d{2}\s*[A-Z]?\W*$")
_IN_BRACKETS = re.compile(r"^\s*\(.*\)\s*$")


def _address(document: Document, company: Candidate | None) -> Candidate | None:
    lines = _address_by_rules(document, company)
    return _address_printed(document, lines, 0.8) if lines else None


def _address_by_rules(document: Document, company: Candidate | None) -> list[int]:
    """The run of lines that reads as an address, beginning among the lines after the company's
    (or, where none does, among those before it: a station's address above its operator's name;
    or at the foot, under the totals)."""
    start = company.lines[-1] + 1 if company else 0
    lines = _address_run(document, range(start, min(start + 10, len(document.lines))))
    if not lines and company:
        lines = _address_run(document, range(0, company.lines[0]))
    if not lines:
        street = next((index for index, line in enumerate(document.lines) if _is_address_line(line.text)), None)
        lines = _address_run(document, range(street, len(document.lines))) if street is not None else []
    if (
        len(lines) > 1
        and not re.search(r"\d", document.lines[lines[0]].text)
        and any(_tidy(document.lines[index].text) == _tidy(document.lines[lines[0]].text) for index in lines[1:])
    ):
        lines = lines[1:]  # the branch above its street, its town printed again under it
    return lines


def _address_printed(document: Document, lines: list[int], confidence: float) -> Candidate:
    """The address on `lines`, less the registration number printed before it."""
    first = document.lines[lines[0]].text
    skipped = len(first) - len(_REGISTRATION_BEFORE.sub("", first))
    printed = " ".join([first[skipped:].strip(), *(document.lines[index].text.strip() for index in lines[1:])])
    return Candidate(tuple(lines), skipped, len(first), printed, _tidy(printed), confidence)


def _address_run(document: Document, indexes: range) -> list[int]:
    lines: list[int] = []
    for index in indexes:
        text = _REGISTRATION_BEFORE.sub("", document.lines[index].text) if not lines else document.lines[index].text
        if not text.strip():
            continue
        if _NOT_ADDRESS.search(text) or _SITE_NUMBER.match(text) or dates_in(text):
            if lines:
                break
            continue  # a former name, a licensee, before the address begins
        if lines and _REGISTRATION_BEFORE.fullmatch(text):
            break
        looks_like_address = bool(_ADDRESS_WORDS.search(text) or _STREET_RUN_TOGETHER.search(text))
        if not lines and index + 1 < len(document.lines) and _PRICE_ALONE.match(document.lines[index + 1].text):
            continue  # an item's code and name above its price ("22241 WS CUT SCISSORS" / "18.00")
        if (
            lines
            and _ENDS_ADDRESS.search(document.lines[lines[-1]].text)
            and not (looks_like_address or _BRANCH.match(text) or _IN_BRACKETS.match(text))
        ):
            break  # the shop's mall or branch under its town: "56000 KUALA LUMPUR, MALAYSIA" / "IOI MALL"
        if lines or looks_like_address:
            lines.append(index)
    return lines


def _is_address_line(text: str) -> bool:
    """A street or a postcode before a town ("81100 JOHOR BAHRU"; "(81497-P)" is a registration)."""
    return bool(re.search(r"\b(JALAN|JLN|LOT)\b|\b\d{5}\s+[A-Z]", text, re.I))


# Items -------------------------------------------------------------------------------------------

# Where the items end: the first of the totals' lines.
_ITEMS_END = re.compile(r"\b(SUB\s*-?\s*TOTAL|TOTAL|ROUNDING|GST\s*SUMMARY|AMOUNT\s*DUE)\b", re.I)
_NOT_ITEM = re.compile(
    r"\b(QTY|QUANTITY|PRICE|AMOUNT|DESCRIPTION|ITEM|CASHIER|DATE|TIME|INVOICE|RECEIPT|BILL|TABLE|SERVER|"
    r"MEMBER|DOC|NO\s*:|TEL|GST|TAX|CASH)\b",
    re.I,
)
# A quantity printed alone ("2"), or before its unit price anywhere on a line ("9555916500133 1 X
# 3.11", "2 @ 6.79").
_QUANTITY = re.compile(r"^\W*(\d{1,3})\s*([xX@*]|PCS|UNIT|$)")
_QUANTITY_TIMES = re.compile(r"(?<![\d.])(\d{1,3})\s*([xX@*])\s*(?:RM\s*)?\d")
# The items' header names a quantity column: a number alone between an item's name and its amount,
# on one line ("MILO 1KG 1 17.90"), is then its quantity, not the name's end.
_QUANTITY_HEADER = re.compile(r"\b(QTY|QUANTITY)\b", re.I)
_QUANTITY_BEFORE_AMOUNT = re.compile(r"\s(\d{1,3})\s*$")


def _items(document: Document) -> list[dict[str, Candidate]]:
    """A receipt's items: each line of words between the header and the totals, with the first
    amount after it (on its line, beside it in its row, or on the lines under it before the next
    item) and a quantity printed alone or as "2 X" on the way."""
    header_end = max(
        [
            index
            for index, line in enumerate(document.lines[:40])
            if dates_in(line.text) or _DATE_LABEL.search(line.text)
        ]
        or [0]
    )
    end = next(
        (index for index in range(header_end, len(document.lines)) if _ITEMS_END.search(document.lines[index].text)),
        len(document.lines),
    )
    names = [
        index
        for index in range(header_end + 1, end)
        if sum(character.isalpha() for character in document.lines[index].text) >= 3
        and not _NOT_ITEM.search(document.lines[index].text)
    ]
    # A name printed over two lines ("KILAT AUTO ECO WASH ... 1L" / "WA45 /2A - 12"): lines of
    # words one under the other, the first with no amount in its row, are one item.
    blocks: list[list[int]] = []
    for index in names:
        previous = blocks[-1] if blocks else None
        if previous and index == previous[-1] + 1 and not _row_has_amount(document, previous[-1]):
            previous.append(index)
        else:
            blocks.append([index])
    quantity_column = any(_QUANTITY_HEADER.search(document.lines[index].text) for index in range(header_end, end))
    rows = []
    for position, block in enumerate(blocks):
        index = block[-1]
        following = blocks[position + 1][0] if position + 1 < len(blocks) else end
        row = {"name": _item_name(document, block)}
        if quantity_column:
            row |= _quantity_in_its_column(document, block, row["name"])
        for other in [*document.right_of(index), *range(index + 1, following)]:
            text = document.lines[other].text
            quantity = _QUANTITY.match(text) or _QUANTITY_TIMES.search(text)
            if "quantity" not in row and quantity and (quantity.group(2) or not amounts_in(text)):
                row["quantity"] = Candidate(
                    (other,), quantity.start(1), quantity.end(1), quantity.group(1), quantity.group(1), 0.6
                )
            if amounts := amounts_in(text):
                row["amount"] = _single(other, amounts[-1], 0.7)
                break
        if amount := amounts_in(document.lines[index].text):
            row["amount"] = _single(index, amount[-1], 0.75)
        if "amount" in row:
            rows.append(row)
    return rows


def _row_has_amount(document: Document, index: int) -> bool:
    return any(amounts_in(document.lines[other].text) for other in (index, *document.right_of(index)))


def _item_name(document: Document, block: list[int]) -> Candidate:
    """An item's name: its lines' words, less the amount printed after them."""
    parts = []
    for index in block:
        text = document.lines[index].text
        amounts = amounts_in(text)
        parts.append(text[: amounts[0].start if amounts else len(text)].strip())
    name = " ".join(part for part in parts if part)
    first = document.lines[block[0]].text
    start = first.index(parts[0][:1]) if parts[0] else 0
    end = start + len(parts[0]) if len(block) == 1 else len(first)
    return Candidate(tuple(block), start, end, name, _tidy(name), 0.6)


def _quantity_in_its_column(document: Document, block: list[int], name: Candidate) -> dict[str, Candidate]:
    """The name without the number printed alone between it and the amount on the item's last line,
    and that number as the quantity; nothing when there is none."""
    index = block[-1]
    text = document.lines[index].text
    amounts = amounts_in(text)
    found = _QUANTITY_BEFORE_AMOUNT.search(text[: amounts[0].start]) if amounts else None
    if found is None or not name.printed.endswith(found.group(1)):
        return {}
    printed = name.printed[: len(name.printed) - len(found.group(1))].rstrip()
    end = name.end - (len(name.printed) - len(printed)) if len(block) == 1 else name.end
    return {
        "name": Candidate(name.lines, name.start, end, printed, _tidy(printed), name.confidence),
        "quantity": Candidate((index,), found.start(1), found.end(1), found.group(1), found.group(1), 0.6),
    }


# Shared ------------------------------------------------------------------------------------------


def _single(index: int, found: Found, confidence: float) -> Candidate:
    return Candidate((index,), found.start, found.end, found.printed, found.normalized, confidence)


def _tidy(text: str) -> str:
    """Text as a field keeps it normalized: NFKC, runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _found_company(document: Document, company: Candidate | None) -> Candidate | None:
    """The company, found once before the other fields (the address is looked for after it)."""
    return company


_FINDERS = {"company": _found_company, "date": _date, "address": _address, "total": _total}
_GROUP_FINDERS = {"items": _items}
