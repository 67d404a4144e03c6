"""The labelled sections of a project table: one table of what each label says and how it is recognised.

A project table is a column of row labels (No., 事業概要, 連携市町村, …) with the data to their right. The
parser finds a section by its label's text, never by its row index, so the labels are the only texts of the
table the code knows. They live here once: `label_kind` recognises them, the parser's error messages name
them, and the glue of rows cut by a page break asks whether a left-edge text is a label.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from schemas.fields import CONSTRAINTS


@dataclass(frozen=True)
class Section:
    """One section of a project table.

    `keys` are what the squashed label text opens with (`contains=False`) or holds anywhere
    (`contains=True`), compared case-insensitively (the plan prints "No." or "NO."). `label` is the printed
    label as error messages name it.
    """

    kind: str
    label: str
    keys: tuple[str, ...]
    contains: bool = False

    def matches(self, squashed: str) -> bool:
        text = squashed.lower()
        return any((key in text) if self.contains else text.startswith(key) for key in self.keys)


# In the order they are tried (the first match wins) and printed.
SECTIONS: tuple[Section, ...] = (
    Section("header", "No.", ("no",)),
    Section("summary", "事業概要", ("事業概要",)),
    Section("municipalities", "連携市町村", ("連携市町村",)),
    Section("roles", "役割分担", ("役割分担",)),
    Section("cost_shares", "費用負担", ("費用負担",)),
    # One section of two rows, each labelled on its own in some printings: the fiscal years' header row
    # (事業予定年度) and the amounts row (事業費見込額), whose label may also carry a unit or a mark first.
    Section("budget", "事業予定年度", ("事業予定年度", "事業費"), contains=True),
    Section("indicators", "評価指標", ("評価指標",)),
)
SECTION_LABELS: dict[str, str] = {s.kind: s.label for s in SECTIONS}
# Labels inside a section's rows that error messages name.
NAME_LABEL = "連携事業名"  # the header row's cell before the project's name
BUDGET_AMOUNTS_LABEL = "事業費見込額"  # the budget section's amounts row
# The parties of 役割分担/費用負担, labels of the column beside the section's label: the contract's enum of
# responsibilities.party (schemas/fields.py).
PARTIES = tuple(CONSTRAINTS["party"]["enum"])


def squash(text: str) -> str:
    """The text with every white space removed: labels are printed spaced out (均等割付) or wrapped."""
    return regex.sub(r"\s+", "", text)


def is_party(text: str) -> bool:
    """Whether a text names a party (札幌市/連携市町村), spaced out or wrapped as it may be printed."""
    return squash(text) in PARTIES


def label_kind(text: str) -> str | None:
    """Which section of a project table a left-edge label opens (None: the text is no label)."""
    t = squash(text)
    return next((s.kind for s in SECTIONS if s.matches(t)), None)
