"""Gaps the parse stage refuses: a document that reads without error but is quietly short.

A page that could not be read (a damaged stream, a producer's broken text layer) does not raise anything by
itself: its projects are simply not there, and the build would write 51 projects instead of 53 with exit 0.
What the plan's own structure promises makes such a gap visible without knowing the edition: projects are
numbered 1, 2, 3 … in reading order; areas are numbered 1, 2, 3 … and each opens with a 基本KPI table; every
page between the chapter's first and last table holds a table, a heading or a footnote. None of these
pins a count, so a revised plan with more or fewer projects still builds.
"""

from __future__ import annotations

from collections.abc import Iterable

from extractors.ruled import PageLayout
from pipeline.errors import ParseError
from pipeline.stages.records import ParsedDocument


def _first_page(pages: Iterable[int]) -> int:
    return min(pages, default=0)


def check_project_numbers(document: ParsedDocument) -> None:
    """Projects are numbered 1, 2, 3 … in the order they are printed."""
    expected = 1
    for project in document.projects:
        if project.project_no != expected:
            page = _first_page(project.pages)
            if project.project_no > expected:
                missing = (f"project {expected}" if project.project_no == expected + 1
                           else f"projects {expected}–{project.project_no - 1}")
                raise ParseError(f"page {page}: project {project.project_no} follows project {expected - 1}: "
                                 f"{missing} not found (a page that could not be read?)")
            raise ParseError(f"page {page}: project {project.project_no} printed after project {expected - 1}: "
                             "numbers must rise by one (a table read twice or out of order?)")
        expected += 1


def check_areas(document: ParsedDocument, area_pages: dict[int, int]) -> None:
    """Areas are numbered 1, 2, 3 … and each area heading is followed by its 基本KPI table."""
    for position, area in enumerate(sorted(area_pages), start=1):
        if area != position:
            raise ParseError(f"page {area_pages[area]}: area {area} follows area {position - 1}: "
                             f"area {position} not found (a page that could not be read?)")
    with_kpis = {k.area_no for k in document.kpis}
    for area, page in sorted(area_pages.items()):
        if area not in with_kpis:
            raise ParseError(f"page {page}: area {area} has no 基本KPI table (指標名 / 現状値 / 目標値) after its heading")


def check_pages_read(pages: list[PageLayout], pages_read: set[int]) -> None:
    """Every page from the chapter's first table to its last gave the parser something to read."""
    if not pages_read:
        return
    first, last = min(pages_read), max(pages_read)
    for page in pages:
        if first < page.page < last and page.page not in pages_read:
            what = "is blank (no text)" if page.char_count == 0 else "holds no table, heading or footnote that could be read"
            raise ParseError(f"page {page.page}: the page {what}, between pages {first} and {last} of the chapter")


def check_no_gaps(document: ParsedDocument, pages: list[PageLayout], pages_read: set[int],
                  area_pages: dict[int, int]) -> None:
    check_pages_read(pages, pages_read)
    check_project_numbers(document)
    check_areas(document, area_pages)
