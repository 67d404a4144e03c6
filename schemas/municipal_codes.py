"""The 全国地方公共団体コード of every municipality of Japan, from the facts file ``lg_codes.csv``.

Why a file and not code: which municipalities exist, and their codes, are facts with a source and a date
(``lg_codes.md``); an edition of the plan may name any of them as a member. The sixth digit is the JIS X 0402
check digit, computed here and required to match every row when the table is loaded, so a damaged or
hand-edited row cannot give a wrong code.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path

import regex

CODES_FILE = Path(__file__).resolve().parent / "lg_codes.csv"  # shipped as package data
COLUMNS = ("lg_code", "prefecture", "municipality")


class CodeTableError(ValueError):
    """``lg_codes.csv`` cannot be read or breaks a rule of the code (one line)."""


def check_digit(code5: str) -> str:
    """JIS X 0402 check digit of a 5-digit code: (11 - Σ(6..2 × d) mod 11) mod 10."""
    if not regex.fullmatch(r"[0-9]{5}", code5):
        raise ValueError(f"not a 5-digit code: {code5!r}")
    total = sum(weight * int(d) for weight, d in zip((6, 5, 4, 3, 2), code5))
    return str((11 - total % 11) % 10)


@dataclass(frozen=True)
class Municipality:
    prefecture: str
    name: str
    lg_code: str  # 6 digits, check digit included


@dataclass(frozen=True)
class CodeTable:
    rows: tuple[Municipality, ...]

    @functools.cached_property
    def _by_name(self) -> dict[str, tuple[Municipality, ...]]:
        found: dict[str, list[Municipality]] = {}
        for row in self.rows:
            found.setdefault(row.name, []).append(row)
        return {name: tuple(rows) for name, rows in found.items()}

    @functools.cached_property
    def name_pattern(self) -> regex.Pattern:
        """Any municipality's name at the start of a text, the longest first (札幌市 before 札幌)."""
        names = sorted(self._by_name, key=lambda n: (-len(n), n))
        return regex.compile("(?:" + "|".join(regex.escape(n) for n in names) + ")")

    def named(self, name: str) -> tuple[Municipality, ...]:
        """Every municipality of that name (伊達市 is in 北海道 and in 福島県)."""
        return self._by_name.get(name, ())

    def find(self, name: str, prefecture: str | None = None) -> Municipality:
        """The municipality ``name``: in ``prefecture`` when given (the plan's own, where names repeat
        across prefectures), else the only one of that name. ``KeyError`` with the reason otherwise."""
        rows = self.named(name)
        if prefecture is not None:
            rows = tuple(r for r in rows if r.prefecture == prefecture) or rows
        if not rows:
            raise KeyError(f"{name!r} is not a municipality of Japan in schemas/{CODES_FILE.name}")
        if len(rows) > 1:
            where = ", ".join(r.prefecture for r in rows)
            raise KeyError(f"{name!r} names municipalities in {where}: the prefecture is unclear")
        return rows[0]


def parse_codes(text: str, where: str = CODES_FILE.name) -> CodeTable:
    """The code table of ``lg_codes.csv``'s text; every row's check digit and uniqueness checked."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise CodeTableError(f"{where}: columns {reader.fieldnames}, expected {', '.join(COLUMNS)}")
    rows, codes, names = [], set(), set()
    for line, record in enumerate(reader, start=2):
        code, prefecture, name = (record[c].strip() for c in COLUMNS)
        if not regex.fullmatch(r"[0-9]{6}", code) or check_digit(code[:5]) != code[5]:
            raise CodeTableError(f"{where}:{line}: {code!r} is not a 6-digit code with its check digit")
        if code in codes or (prefecture, name) in names:
            raise CodeTableError(f"{where}:{line}: {prefecture}{name} ({code}) is listed twice")
        codes.add(code)
        names.add((prefecture, name))
        rows.append(Municipality(prefecture, name, code))
    if not rows:
        raise CodeTableError(f"{where}: no municipality")
    return CodeTable(tuple(rows))


@functools.lru_cache(maxsize=1)
def code_table() -> CodeTable:
    """The shipped table, read once per process."""
    return parse_codes(CODES_FILE.read_text(encoding="utf-8"))
