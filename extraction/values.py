"""Dates and amounts as receipts print them, found in a line and normalized.

Dates are read day first where the order is ambiguous (the receipts at hand, Malaysian, print
25/12/2018 and 18-11-18), year first when the year leads (2018-12-25); month names in English.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
# Invoices' months in German, French and Dutch too ("15. März 2026", "15 mars 2026", "15 maart 2026").
_MONTHS |= {
    name: number
    for number, names in enumerate(
        [
            ("januar", "jänner", "janvier", "janv", "januari"),
            ("februar", "février", "fevrier", "févr", "fevr", "februari"),
            ("märz", "maerz", "mars", "maart", "mrt"),
            ("avril",),
            ("mai", "mei"),
            ("juni", "juin"),
            ("juli", "juillet", "juil"),
            ("août", "aout", "augustus"),
            ("septembre",),
            ("oktober", "okt", "octobre"),
            ("novembre",),
            ("dezember", "dez", "décembre", "decembre", "déc"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month_name>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# A year, of two digits or four; OCR glues a date to the time after it ("30/05/201710:18:02AM",
# "03/04/1819:19", "24Mar 201818:23"), so a year may run into one.
_TIME_NEXT = r"(?=\d{1,2}:\d\d)"
_YEAR = rf"\d\d{_TIME_NEXT}|\d{{4}}{_TIME_NEXT}|\d{{4}}(?![\d/\-.]?\d)|\d\d(?![\d/\-.]?\d)"
# One separator, the same twice: "19- 18/01/2018" holds 18/01/2018, not 19-18/01.
_DATE_PATTERNS = [
    re.compile(
        r"(?<![\d/\-.])(?P<year>(?:19|20)\d\d)(?P<sep>[/\-.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d/\-.]\d)"
    ),
    re.compile(
        r"(?<![\d/\-.])(?P<day>\d{1,2})(?P<sep>[/\-.])(?P<month>\d{1,2})(?P=sep)"
        rf"(?P<year>{_YEAR})"
    ),
    re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\.?[\s\-/]*{_MONTH}(?!\w)[\s,\-/]*(?P<year>{_YEAR})", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s*(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s,]+(?P<year>\d{{4}})(?!\d)", re.IGNORECASE),
    re.compile(r"(?P<year>(?:19|20)\d\d)\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日?"),
]
# An amount: two decimals, thousands perhaps grouped; not a rate ("GST@ 6.00%").
_AMOUNT = re.compile(
    r"(?<![\d.,])(?:RM|\$|MYR)?\s*(?P<number>\d{1,3}(?:,\d{3})*(?:\.\d{2})|\d+\.\d{2})(?![\d])(?!\s*%)"
)


@dataclass(frozen=True)
class Found:
    """A value found in a line: as printed, where (character offsets), and normalized."""

    printed: str
    start: int
    end: int
    normalized: str


def dates_in(text: str) -> list[Found]:
    found = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            normalized = _iso_date(match)
            if normalized and not any(match.start() < other.end and other.start < match.end() for other in found):
                found.append(Found(match.group(0).strip(), match.start(), match.end(), normalized))
    return sorted(found, key=lambda value: value.start)


def amounts_in(text: str) -> list[Found]:
    found = []
    for match in _AMOUNT.finditer(text):
        number = match.group("number")
        try:
            value = Decimal(number.replace(",", ""))
        except InvalidOperation:
            continue
        found.append(Found(number, match.start("number"), match.end("number"), f"{value:.2f}"))
    return found


def same_date(a: str, b: str) -> bool:
    """Whether two printed dates are the same day (a label's "25/12/2018", "25-12-18", "20181225")."""
    first, second = _one_date(a), _one_date(b)
    return bool(first and first == second)


def _one_date(text: str) -> str:
    found = dates_in(text)
    if found:
        return found[0].normalized
    compact = re.fullmatch(r"\s*(\d{8})\s*", text)
    if not compact:
        return ""
    digits = compact.group(1)
    for year, month, day in ((digits[:4], digits[4:6], digits[6:]), (digits[4:], digits[2:4], digits[:2])):
        try:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            continue
    return ""


def same_amount(a: str, b: str) -> bool:
    first, second = amounts_in(a) or _plain_number(a), amounts_in(b) or _plain_number(b)
    return bool(first and second and Decimal(first[0].normalized) == Decimal(second[0].normalized))


def _plain_number(text: str) -> list[Found]:
    match = re.fullmatch(r"\s*(?:RM|\$)?\s*(\d+(?:\.\d+)?)\s*", text)
    if not match:
        return []
    return [Found(match.group(1), match.start(1), match.end(1), f"{Decimal(match.group(1)):.2f}")]


def _iso_date(match: re.Match) -> str:
    groups = match.groupdict()
    month = _MONTHS[groups["month_name"].lower()] if groups.get("month_name") else int(groups["month"])
    day, year = int(groups["day"]), int(groups["year"])
    if year < 100:
        year += 2000
    if not 1990 <= year <= 2099:  # "12/1000" is a count, not a date
        return ""
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


# An invoice's amount in either convention: "1,234.56", "1.234,56", "1 234,56" (a no-break space),
# "12,50"; its decimals are the last separator's two digits.
_MONEY = re.compile(r"(?<![\d.,])(?P<number>\d{1,3}(?:[.,'\u00a0\u202f]\d{3})+[.,]\d{2}|\d+[.,]\d{2})(?![\d])(?!\s*%)")


def money_in(text: str) -> list[Found]:
    """Amounts with two decimals, a point or a comma before them, any thousands separator."""
    found = []
    for match in _MONEY.finditer(text):
        number = match.group("number")
        whole, decimals = number[:-3], number[-2:]
        digits = re.sub(r"\D", "", whole)
        found.append(
            Found(number, match.start("number"), match.end("number"), f"{Decimal(f'{digits}.{decimals}'):.2f}")
        )
    return found
