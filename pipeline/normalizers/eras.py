"""Japanese era years in budget column headers (``2026年度 (R8年度)`` and its variants).

The plan period is the document's: every fiscal year comes from a header such as ``2019年度 (R元年度)``,
``令和8年度（2026年度）``, ``R元``, ``平成31年度`` or ``令和元年度`` (FY2019 is both), in any width.

Why a table and not japanera: the plan only uses 令和 (and 平成 at most), its years are
fiscal years (令和8年度 = April 2026 – March 2027), so we store the Western fiscal year
as an integer and need no calendar dates; ``japanera``'s ``strptime`` returns lists and
has ambiguous abbreviations. Two rows are simpler and fully testable.

An era year is read by its era's offset alone, also past the era's end: a plan printed before an era
change names later years in the old era (a vision of FY2019–2023 drafted in 2018 prints 平成31年度 …
平成35年度), and those labels are consistent with their years.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from extractors.textnorm import fold_text

__all__ = ["Era", "ERAS", "era_year_to_western", "parse_year_header", "era_label", "label_year"]


@dataclass(frozen=True)
class Era:
    """One era: its name, its one-letter abbreviation, and year 1 as a Western year."""

    name: str
    letter: str
    first_year: int

    @property
    def offset(self) -> int:
        """Western year = offset + era year (令和: 2018 + n)."""
        return self.first_year - 1


#: Newest first; era_label picks the first era that has started by the given year.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", 2019),
    Era("平成", "H", 1989),
)
_BY_KEY = {key: era for era in ERAS for key in (era.name, era.letter)}

_WESTERN = r"(?P<west>(?:19|20)\d{2})年度?"
_ERA = r"(?P<era>令和|平成|[RH])(?P<n>元|\d{1,2})(?:年度?)?"
_HEADER = regex.compile(
    rf"{_WESTERN}(?:\({_ERA}\))?|{_ERA}(?:\({_WESTERN}\))?", regex.IGNORECASE
)
_WHITESPACE = regex.compile(r"\s+")


def _era(era: str) -> Era:
    key = era.upper() if len(era) == 1 else era
    if key not in _BY_KEY:
        raise ValueError(f"unknown era: {era!r}")
    return _BY_KEY[key]


def _era_number(year: str | int) -> int:
    n = 1 if year == "元" else int(year)
    if n < 1:
        raise ValueError(f"era year must be >= 1: {year!r}")
    return n


def era_year_to_western(era: str, year: str | int) -> int:
    """``("令和", 8)`` → 2026; ``("R", "元")`` → 2019. Raise ``ValueError`` if unknown."""
    return _era(era).offset + _era_number(year)


def _label(era: Era, n: int) -> str:
    return f"{era.name}{'元' if n == 1 else n}年度"


def era_label(fiscal_year: int) -> str:
    """2026 → ``令和8年度``, 2019 → ``令和元年度`` (the conventional name of FY2019): the label of a year
    printed without its era."""
    for era in ERAS:
        if fiscal_year >= era.first_year:
            return _label(era, fiscal_year - era.offset)
    raise ValueError(f"no era in the table for fiscal year {fiscal_year}")


_LABEL = regex.compile(r"(?P<era>令和|平成)(?P<n>元|\d{1,2})年度")


def label_year(label: str) -> int:
    """The fiscal year an era label (as ``parse_year_header`` writes it) names: ``平成31年度`` → 2019.
    Raises ``ValueError`` for anything else. The suites check era labels against the years with it."""
    m = _LABEL.fullmatch(label)
    if not m:
        raise ValueError(f"not an era label: {label!r}")
    return era_year_to_western(m.group("era"), m.group("n"))


def parse_year_header(text: str) -> tuple[int, str]:
    """Read a budget column header; return ``(fiscal_year, era_label)``.

    Accepts a Western year, an era year, or both (either first, the second in
    brackets), with any spacing and full-width characters: ``2026年度 (R8年度)``,
    ``2026年度（令和8年度）``, ``2026年度 (R8)``, ``2026年度 (R 8 年度)``, ``令和8年度``, ``R元``.
    The era label keeps the era as printed (``平成31年度`` and ``令和元年度`` are both FY2019), its name
    spelled out and year 1 written 元; a header without an era gets the year's current era (``era_label``).
    Raises ``ValueError`` when the text is none of these or when the two years disagree.
    """
    compact = _WHITESPACE.sub("", fold_text(text))
    m = _HEADER.fullmatch(compact)
    if not m:
        raise ValueError(f"not a fiscal-year header: {text!r}")
    west = int(m.group("west")) if m.group("west") else None
    if not m.group("era"):
        assert west is not None  # the pattern requires one of the two
        return west, era_label(west)
    era, n = _era(m.group("era")), _era_number(m.group("n"))
    year = era.offset + n
    if west is not None and west != year:
        raise ValueError(f"the era label says FY{year}, the year FY{west}: {text!r}")
    return year, _label(era, n)
