"""Japanese era years in budget column headers (``2024年度 (R6年度)`` and its variants).

Why a table and not japanera: the plan only uses 令和 (and 平成 at most), its years are
fiscal years (令和6年度 = April 2024 – March 2025), so we store the Western fiscal year
as an integer and need no calendar dates; ``japanera``'s ``strptime`` returns lists and
has ambiguous abbreviations. Two rows are simpler and fully testable.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from extractors.textnorm import fold_text

__all__ = ["Era", "ERAS", "era_year_to_western", "parse_year_header", "era_label"]


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


def era_year_to_western(era: str, year: str | int) -> int:
    """``("令和", 6)`` → 2024; ``("R", "元")`` → 2019. Raise ``ValueError`` if unknown."""
    key = era.upper() if len(era) == 1 else era
    if key not in _BY_KEY:
        raise ValueError(f"unknown era: {era!r}")
    n = 1 if year == "元" else int(year)
    if n < 1:
        raise ValueError(f"era year must be >= 1: {year!r}")
    return _BY_KEY[key].offset + n


def era_label(fiscal_year: int) -> str:
    """2024 → ``令和6年度``, 2019 → ``令和元年度`` (the conventional name of FY2019)."""
    for era in ERAS:
        if fiscal_year >= era.first_year:
            n = fiscal_year - era.offset
            return f"{era.name}{'元' if n == 1 else n}年度"
    raise ValueError(f"no era in the table for fiscal year {fiscal_year}")


def parse_year_header(text: str) -> tuple[int, str]:
    """Read a budget column header; return ``(fiscal_year, era_label)``.

    Accepts a Western year, an era year, or both (either first, the second in
    brackets), with any spacing and full-width characters: ``2024年度 (R6年度)``,
    ``2024年度（令和6年度）``, ``2024年度 (R6)``, ``2024年度 (R 6 年度)``, ``令和6年度``.
    Raises ``ValueError`` when the text is none of these or when the two years disagree.
    """
    compact = _WHITESPACE.sub("", fold_text(text))
    m = _HEADER.fullmatch(compact)
    if not m:
        raise ValueError(f"not a fiscal-year header: {text!r}")
    west = int(m.group("west")) if m.group("west") else None
    era = era_year_to_western(m.group("era"), m.group("n")) if m.group("era") else None
    if west is not None and era is not None and west != era:
        raise ValueError(f"years disagree in {text!r}: {west} vs {era}")
    year = west if west is not None else era
    assert year is not None  # the pattern requires one of the two
    return year, era_label(year)
