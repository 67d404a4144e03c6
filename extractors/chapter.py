"""Where chapter VI sits in the PDF a user gives: the whole published vision, or the chapter alone.

The published vision is a cover, a table of contents, chapters I–V with their own tables, charts, maps and
photos, chapter VI (連携協約に基づき推進する具体的取組), then an appendix (資料編 / 参考資料). Only chapter VI is
the data, and only its pages are worth pdfplumber's time (it costs ~0.1 s a page; pdfium reads a page's
text in about a millisecond). So the chapter is found from each page's text as pdfium reads it
(`page_texts`), by what the chapter is rather than by page numbers or the contents line naming it
(`locate`):

* its heading: a line that is the chapter's title alone, with or without its numeral (VI, Ⅵ, 6, 第6章), and
  without the leader dots or page number of a contents line;
* followed, before the chapter ends, by an area heading ("1 圏域全体の…") and then the first 基本KPI or
  project table (a line opening with 【基本KPI】, 指標名 or "No. 1"): a page that merely names the title is
  not the chapter;
* ending where the next chapter heading (a Roman numeral or 第N章 and a title, not a contents line) or the
  appendix heading begins, on the page where it is printed: mid-page, the part above it is still the
  chapter's (the pdfplumber layouts are cut at the heading's line: `trim`).

A PDF with no chapter heading at all, no other chapter's heading and the chapter's own shape (an area
heading followed by a 基本KPI or project table, and a project table's "No. N 連携事業名" or a 【基本KPI】
label) is the chapter alone, as printed before the whole vision was read: all its pages
are the chapter. Anything else without the chapter is refused by `NoChapter`, naming the headings (or the
first lines) it holds.

This module reads text only; the bounds on what pdfium may parse are checked before (extractors/pdfguard.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Sequence

import regex
from kanjize import kanji2number

from extractors.pdfguard import PdfReadError

TITLE = "連携協約に基づき推進する具体的取組"
_NUMERAL = r"(?:[IVX]{1,6}|[0-9]{1,2}|第[0-9一二三四五六七八九十]{1,3}章)"
# The chapter's heading, on the squashed (NFKC, no white space) line.
CHAPTER_VI = regex.compile(rf"^{_NUMERAL}?[.．、:：]?{TITLE}$")
# Any chapter's heading, on the NFKC line with its spaces: a Roman numeral or 第N章, then a title that opens
# with a Japanese character and has no leader dots and no page number at its end (a contents line has both).
CHAPTER_HEADING = regex.compile(
    r"^(?:[IVX]{1,6}(?:[.．、:：]\s*|\s+)|第[0-9一二三四五六七八九十]{1,3}章[.．、:：]?\s*)"
    r"(?=[\p{Han}\p{Hiragana}\p{Katakana}「『])(?!.*(?:[・…‥.．·]{3}|[・…‥]{2}|\s[0-9]{1,4}$|[0-9]$)).{1,60}$")
# The appendix's heading, on the squashed line: the word alone, or with a Roman numeral.
APPENDIX_HEADING = regex.compile(r"^(?:[IVX]{1,6}[.．、]?)?(?:資料編|参考資料|付属資料|附属資料)$")
AREA_HEADING = regex.compile(r"^[1-9](?=[\p{Han}\p{Hiragana}\p{Katakana}])")
# A project table's first row (No. N and the label before its name): one after the chapter's end means the
# end was taken wrongly, and is refused rather than leaving projects out.
PROJECT_START = regex.compile(r"^No\.?[0-9]{1,3}連携事業名", regex.IGNORECASE)
TABLE_START = regex.compile(r"^(?:【基本KPI】|指標名|No\.?[0-9]{1,3}(?![0-9]))", regex.IGNORECASE)
PAGE_NUMBER = regex.compile(r"^[-‐‑–—―－ー]?[0-9]{1,4}[-‐‑–—―－ー]?$")
# The headings (or lines) a refusal names.
NAMED = 4


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def squash(text: str) -> str:
    return regex.sub(r"\s+", "", _nfkc(text))


def is_chapter_vi_heading(text: str) -> bool:
    return CHAPTER_VI.match(squash(text)) is not None


def is_end_heading(text: str) -> bool:
    """A heading that ends chapter VI: another chapter's, or the appendix's."""
    if is_chapter_vi_heading(text):
        return False
    return CHAPTER_HEADING.match(_nfkc(text)) is not None or APPENDIX_HEADING.match(squash(text)) is not None


_ROMAN = {"I": 1, "V": 5, "X": 10}
_LEADING_NUMERAL = regex.compile(r"^(?:第([0-9一二三四五六七八九十]{1,3})章|([IVX]{1,6})(?![A-Za-z])|([0-9]{1,2})(?![0-9]))")


def _roman(text: str) -> int:
    values = [_ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def heading_number(text: str) -> int | None:
    """The chapter number a heading opens with (VII → 7, 第7章 → 7, 6 → 6), None without one."""
    match = _LEADING_NUMERAL.match(squash(text))
    if match is None:
        return None
    kanji, roman, digits = match.groups()
    if kanji:
        return int(kanji) if kanji.isdigit() else kanji2number(kanji)
    return _roman(roman) if roman else int(digits)


def _ends_after(text: str, number: int | None) -> bool:
    """``text`` ends a chapter numbered ``number``: the appendix, or a chapter heading whose number follows
    it. Chapters are printed in order, so a numeral that does not follow (the "I" of a wrapped "UIJ ターン"
    that pdfium reads as a line of its own, as it does when a stamp behind the page reorders its text) is
    not the next chapter."""
    if not is_end_heading(text):
        return False
    if number is None or APPENDIX_HEADING.match(squash(text)):
        return True
    found = heading_number(text)
    return found is not None and found > number


@dataclass(frozen=True)
class Heading:
    page: int  # 1-based
    text: str


@dataclass(frozen=True)
class SkippedPage:
    page: int
    page_label: str | None
    first_line: str  # what the page opens with, to say what was left out


@dataclass(frozen=True)
class Chapter:
    """Chapter VI's pages (1-based, ``first``–``last``) in a PDF of ``page_count`` pages."""

    first: int
    last: int
    page_count: int
    heading: Heading | None  # None: the PDF is the chapter alone and prints no chapter heading
    end: Heading | None  # the heading that ends the chapter (None: it runs to the last page)
    skipped: list[SkippedPage] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    @property
    def whole(self) -> bool:
        """The chapter is every page of the PDF, nothing cut before or after."""
        return self.first == 1 and self.last == self.page_count and self.end is None

    def to_json(self) -> dict:
        return {
            "pages": [self.first, self.last],
            "heading": None if self.heading is None else {"page": self.heading.page, "text": self.heading.text},
            "ends_at": None if self.end is None else {"page": self.end.page, "text": self.end.text},
            "skipped_pages": [{"page": s.page, "page_label": s.page_label, "first_line": s.first_line,
                               "where": "before" if s.page < self.first else "after"} for s in self.skipped],
        }


class NoChapter(PdfReadError):
    """The PDF holds no chapter VI."""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _label(lines: list[str]) -> str | None:
    for line in reversed(lines):
        if PAGE_NUMBER.match(squash(line)):
            return _nfkc(line)
    return None


def _first_line(lines: list[str]) -> str:
    for line in lines:
        if not PAGE_NUMBER.match(squash(line)):
            return _short(line)
    return ""


def _short(text: str, n: int = 40) -> str:
    text = " ".join(_nfkc(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _has_chapter_tables(lines: Sequence[tuple[int, str]]) -> bool:
    """An area heading, then a 基本KPI or project table's first line."""
    area = False
    for _, line in lines:
        s = squash(line)
        if AREA_HEADING.match(s):
            area = True
        elif area and TABLE_START.match(s):
            return True
    return False


def locate(texts: Sequence[str]) -> Chapter:
    """Chapter VI's pages from each page's text (``texts[i]`` is page i + 1's, lines as read)."""
    pages = [_lines(t) for t in texts]
    flat = [(n, line) for n, lines in enumerate(pages, start=1) for line in lines]
    candidates = [i for i, (_, line) in enumerate(flat) if is_chapter_vi_heading(line)]
    for i in candidates:
        # The chapter's number: printed in its heading, else one more than the last chapter heading before it.
        number = heading_number(flat[i][1])
        if number is None:
            before = [heading_number(line) for _, line in flat[:i] if is_end_heading(line)]
            number = max((n for n in before if n is not None), default=None)
            number = None if number is None else number + 1
        end = next((j for j in range(i + 1, len(flat)) if _ends_after(flat[j][1], number)), None)
        if not _has_chapter_tables(flat[i + 1: end]):
            continue
        heading = Heading(flat[i][0], _short(flat[i][1], 60))
        if end is None:
            return _chapter(pages, heading.page, len(pages), heading, None)
        end_page = flat[end][0]
        stray = next(((n, line) for n, line in flat[end + 1:] if PROJECT_START.match(squash(line))), None)
        if stray is not None:
            raise NoChapter(f"page {stray[0]}: a project table ({_short(stray[1], 20)!r}) after the end of chapter "
                            f"VI at {_short(flat[end][1])!r} (page {end_page}): the chapter's extent is unclear")
        before_end = [line for n, line in flat[i + 1: end] if n == end_page and not PAGE_NUMBER.match(squash(line))]
        last = end_page if before_end or end_page == heading.page else end_page - 1
        return _chapter(pages, heading.page, last, heading, Heading(end_page, _short(flat[end][1], 60)))
    others = [Heading(n, _short(line)) for n, line in flat if is_end_heading(line)]
    if not candidates and not others and _has_chapter_tables(flat) and \
            any(PROJECT_START.match(squash(line)) or squash(line).startswith("【基本KPI】") for _, line in flat):
        return Chapter(1, len(pages), len(pages), None, None)
    raise NoChapter(_refusal(flat, others, candidates))


def _chapter(pages: list[list[str]], first: int, last: int, heading: Heading, end: Heading | None) -> Chapter:
    skipped = [SkippedPage(n, _label(pages[n - 1]), _first_line(pages[n - 1]))
               for n in range(1, len(pages) + 1) if n < first or n > last]
    return Chapter(first, last, len(pages), heading, end, skipped)


def _refusal(flat: list[tuple[int, str]], others: list[Heading], candidates: list[int]) -> str:
    what = f"no chapter VI ({TITLE}: its heading, then an area heading and a 基本KPI or project table)"
    if candidates:
        n, line = flat[candidates[0]]
        return f"{what}: page {n} prints the title ({_short(line)!r}) but no 基本KPI or project table follows it"
    if others:
        named = ", ".join(f"{h.text!r} (page {h.page})" for h in others[:NAMED])
        return f"{what}: its headings are {named}{' …' if len(others) > NAMED else ''}"
    lines = [(n, line) for n, line in flat if not PAGE_NUMBER.match(squash(line))][:NAMED]
    if not lines:
        return f"{what}: it prints no text"
    named = ", ".join(f"{_short(line, 30)!r} (page {n})" for n, line in lines)
    return f"{what}: it opens with {named}"


def page_texts(document) -> list[str]:
    """Each page's text as pdfium reads it (``document``: a `pypdfium2.PdfDocument`)."""
    texts = []
    for index in range(len(document)):
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                texts.append(textpage.get_text_range())
            finally:
                textpage.close()
        finally:
            page.close()
    return texts


def is_chapter_line(text: str) -> bool:
    """`trim`'s test for the chapter's own heading among a page's pdfplumber lines."""
    return is_chapter_vi_heading(text)
