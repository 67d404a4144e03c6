"""Extract stage: PDF → layout.json (tables with spans and cell text, free text lines, per page).

The file is the extract stage's whole output, so parse can be rerun and debugged without touching the
PDF again; the `cells` table is written from it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from extractors.ruled import GridCell, PageLayout, TableFragment, read_pages
from extractors.textlines import VisualLine
from pipeline.inputs import InputError, check_pdf, reading, require_text_layer
from pipeline.checks.textlayer import describe, odd_pages, undecoded_places


def extract_layout(pdf_path: Path, progress: bool | None = None, checked: bool = False) -> list[PageLayout]:
    """The layout of every page; ``checked``: `check_pdf` has passed the file already (``build``)."""
    if not checked:
        check_pdf(pdf_path)
    with reading(pdf_path):
        pages = list(read_pages(pdf_path, progress=progress))
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
    return pages


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
    return {"pages": [asdict(p) for p in pages]}


def layout_from_json(data: dict) -> list[PageLayout]:
    pages = []
    for p in data["pages"]:
        fragments = [TableFragment(**{**f, "cells": [GridCell(**c) for c in f["cells"]],
                                      "unplaced": [tuple(u) for u in f.get("unplaced", [])]}) for f in p["fragments"]]
        lines = [VisualLine(**{**line, "fontnames": tuple(line["fontnames"])}) for line in p["lines"]]
        pages.append(PageLayout(**{**p, "fragments": fragments, "lines": lines}))
    return pages


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
