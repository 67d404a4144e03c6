"""Extract stage: PDF → layout.json (tables with spans and cell text, free text lines, per page).

The file is the extract stage's whole output, so parse can be rerun and debugged without touching the
PDF again; the `cells` table is written from it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Callable, ContextManager

from extractors.chapter import is_chapter_vi_heading, is_end_heading
from extractors.document import Document
from extractors.ruled import PageLayout, read_pages
from extractors.settings import Layout
from pipeline.inputs import InputError, open_pdf, reading, require_text_layer
from pipeline.checks import describe, odd_pages, undecoded_places


def extract_layout(pdf: "Path | Document", progress: bool | None = None,
                   settings: Layout = Layout()) -> list[PageLayout]:
    """The layout of chapter VI's pages (`chapter_layout`), from an opened `Document` (``build``) or a
    path, which is opened and checked here (`pipeline.inputs.open_pdf`), read with ``settings``."""
    if isinstance(pdf, Document):
        return chapter_layout(pdf, settings, progress)[0]
    with open_pdf(Path(pdf)) as document:
        return chapter_layout(document, settings, progress)[0]


def chapter_layout(document: Document, settings: Layout, progress: bool | None = None,
                   meanwhile: Callable[[], ContextManager[object]] | None = None
                   ) -> tuple[list[PageLayout], list[dict]]:
    """Chapter VI's page layouts, read from ``document`` (its chapter found when it was opened), cut at the
    chapter's heading and at the heading that ends it when either is printed mid-page; and the tables so
    cut off ({"page", "table_id", "where"}).

    The text layer is checked on the pages read: it must exist, decode and read as Japanese text.
    ``meanwhile``: the caller's work while the pages are read (`extractors.ruled.read_pages`)."""
    pdf_path = document.path
    with reading(pdf_path):
        pages = list(read_pages(document, settings, progress=progress, meanwhile=meanwhile))
    texts = {p.page: "".join([*(line.text for line in p.lines), *(c.text for f in p.fragments for c in f.cells)])
             for p in pages}  # each page's read text, once, for the three text-layer checks
    require_text_layer(pdf_path, sum(p.char_count for p in pages), sum(t.count("(cid:") for t in texts.values()))
    bad = odd_pages(texts.items())
    if bad:
        raise InputError(f"{pdf_path}: {describe(bad)}")
    places = undecoded_places(pages)
    if places:
        raise InputError(f"{pdf_path}: {places[0]}: glyphs without a Unicode mapping (a font's ToUnicode map is "
                         f"missing or damaged), in {len(places)} place(s): the text cannot be read")
    cut: list[dict] = []
    chapter = document.chapter
    if chapter is not None and pages:
        if chapter.heading is not None:
            pages[0] = _cut(pdf_path, pages[0], is_chapter_vi_heading, "before", cut, "chapter VI's heading")
        if chapter.end is not None and chapter.end.page == chapter.last:
            pages[-1] = _cut(pdf_path, pages[-1], is_end_heading, "after", cut, f"the heading {chapter.end.text!r}")
    return pages, cut


def _cut(pdf_path: Path, page: PageLayout, is_heading, where: str, cut: list[dict], what: str) -> PageLayout:
    """``page`` without what lies above (``where="before"``) or from (``"after"``) its first line that
    ``is_heading``; the tables left out are added to ``cut``."""
    heading = next((line for line in page.lines if is_heading(line.text)), None)
    if heading is None:
        raise InputError(f"{pdf_path}: page {page.page}: {what} is not printed as a heading outside the tables "
                         "(pdfplumber reads it inside a table): the chapter's extent is unclear")
    if where == "before":
        keep_line = lambda line: line.top >= heading.top  # noqa: E731
        keep_table = lambda f: f.top >= heading.top  # noqa: E731
    else:
        keep_line = lambda line: line.top < heading.top  # noqa: E731
        keep_table = lambda f: f.top < heading.top  # noqa: E731
    fragments = [f for f in page.fragments if keep_table(f)]
    cut += [{"page": page.page, "table_id": f.table_id, "where": where} for f in page.fragments if not keep_table(f)]
    lines = [line for line in page.lines if keep_line(line)]
    if len(fragments) == len(page.fragments) and len(lines) == len(page.lines):
        return page
    return replace(page, fragments=fragments, lines=lines)


def stamp_record(pages: list[PageLayout]) -> list[dict]:
    """The stamps left out of the pages (extractors/stamps.py), for the manifest: each text with the pages
    it was printed on, in page order; empty when the plan carries none."""
    seen: dict[str, list[int]] = {}
    for page in pages:
        for text in page.stamps:
            pages_of = seen.setdefault(text, [])
            if page.page not in pages_of:
                pages_of.append(page.page)
    return [{"text": text, "pages": numbers} for text, numbers in seen.items()]


def layout_to_json(pages: list[PageLayout]) -> dict:
    """The pages as layout.json holds them (its ``pages``)."""
    return {"pages": [asdict(p) for p in pages]}


def layout_from_json(data: dict, path: Path = Path("layout.json")) -> list[PageLayout]:
    """The pages of layout.json's ``pages`` (`layout_to_json`), each field checked (`stagefile.from_data`)."""
    from pipeline.stages.stagefile import from_data
    return from_data(list[PageLayout], data["pages"], path, "extract")


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell_rows(pages: list[PageLayout]) -> list[dict]:
    """Rows of the contract's `cells` table for the plan PDF."""
    rows = []
    for page in pages:
        for fragment in page.fragments:
            for c in fragment.cells:
                rows.append({
                    "source": "plan", "page": page.page, "table_id": fragment.table_id, "row": c.row,
                    "col": c.col, "rowspan": c.rowspan, "colspan": c.colspan, "text": c.text,
                    "marks": ",".join(c.marks) if c.marks else None,
                    "x0": c.x0, "top": c.top, "x1": c.x1, "bottom": c.bottom,
                })
    return rows
