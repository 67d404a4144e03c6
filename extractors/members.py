"""The agreement's members as the whole vision prints them, outside chapter VI.

A vision lists its municipalities in a table of their own (chapter II's 構成市町村 / 連携市町村 table, the
agreements' table of chapter V): a header row whose first column is 市町村 (市町村名, 連携市町村, 構成市町村),
then one row per municipality, its name first, ending with a total (圏域計) or the end of the table. Such a
table is told from a statistics table that merely lists municipalities by what names it: its own header
(連携市町村 / 構成市町村) or the heading just above it. Read from pdfium's page text (`chapter.page_texts`),
which the locator has already read: no page outside the chapter is given to pdfplumber.

A name is a municipality when the code table of Japan (`schemas.municipal_codes`) has it; the caller
decides what the tables mean together (`pipeline.stages.members`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import regex

from extractors.chapter import PAGE_NUMBER, Chapter, is_chapter_vi_heading, is_end_heading
from extractors.textnorm import fold_text
from schemas.municipal_codes import code_table

#: A member table's first header cell, on the squashed line.
HEADER = regex.compile(r"^(?:連携|構成)?市町村(?:名)?")
#: What names a list of members, in the header itself or in the heading above it.
MEMBER_WORDS = regex.compile(r"(?:連携|構成)市町村")
#: How many lines above the header a heading naming the members may be.
HEADING_REACH = 2


@dataclass(frozen=True)
class MemberTable:
    """A member table: its page (1-based), header line, the heading it was told by, and the names in
    its first column in printed order (a name printed twice is kept twice, for the caller to refuse)."""

    page: int
    header: str
    heading: str
    names: tuple[str, ...]


def _lines_outside(texts: Sequence[str], chapter: Chapter | None) -> list[tuple[int, str]]:
    """Every (page, line) of the PDF that is not chapter VI's: before its heading, after its end."""
    flat = [(n, line.strip()) for n, text in enumerate(texts, start=1) for line in text.splitlines() if line.strip()]
    if chapter is None or chapter.heading is None:
        return []  # the chapter alone: nothing else printed
    start = next((i for i, (n, line) in enumerate(flat) if n >= chapter.heading.page and is_chapter_vi_heading(line)),
                 None)
    if start is None:  # pdfium's lines are the locator's: the heading is there; nothing read if it is not
        return []
    end = len(flat)
    if chapter.end is not None:
        end = next((i for i, (n, line) in enumerate(flat)
                    if i > start and n >= chapter.end.page and is_end_heading(line)), len(flat))
    return flat[:start] + flat[end:]


def squash(text: str) -> str:
    """The line in the contract's spelling (`fold_text`: NFKC and the radicals it leaves, ⻑ → 長), no spaces."""
    return regex.sub(r"\s+", "", fold_text(text))


def _leading_name(line: str) -> str | None:
    """The municipality a table row opens with (NFKC, spaces removed), or None."""
    text = squash(line)
    match = code_table().name_pattern.match(text)
    if match is None:
        return None
    rest = text[match.end():]
    # 札幌市 1,970,000 or 札幌市令和元年…: a name then a value; not a longer word that opens with a name
    # (北広島市民 …), which a municipality's name followed by a kana or kanji would be.
    if rest and regex.match(r"[\p{Han}\p{Hiragana}\p{Katakana}]", rest) and not _opens_value(line, match.group()):
        return None
    return match.group()


def _opens_value(line: str, name: str) -> bool:
    """The printed line has a space after the name (the next cell), so what follows is another column."""
    spelled = r"\s*".join(regex.escape(ch) for ch in name)
    return regex.match(rf"\s*{spelled}\s", fold_text(line)) is not None


def member_tables(texts: Sequence[str], chapter: Chapter | None) -> list[MemberTable]:
    """The member tables printed outside chapter VI, in page order."""
    lines = _lines_outside(texts, chapter)
    tables: list[MemberTable] = []
    i = 0
    while i < len(lines):
        page, line = lines[i]
        s = squash(line)
        header = HEADER.match(s)
        named_by = s if header and MEMBER_WORDS.match(header.group()) else next(
            (squash(text) for _, text in lines[max(0, i - HEADING_REACH):i] if MEMBER_WORDS.search(squash(text))), None)
        if header is None or named_by is None or _leading_name(line) is not None:
            i += 1
            continue
        names, j = [], i + 1
        while j < len(lines):
            text = lines[j][1]
            if PAGE_NUMBER.match(squash(text)):
                j += 1  # a page number between a table's rows (the table runs on to the next page)
                continue
            if HEADER.match(squash(text)) and squash(text) == s:
                j += 1  # the header repeated at the next page's top
                continue
            name = _leading_name(text)
            if name is None:
                break
            names.append(name)
            j += 1
        if len(names) >= 2:
            tables.append(MemberTable(page, line, named_by, tuple(names)))
            i = j
        else:
            i += 1
    return tables
