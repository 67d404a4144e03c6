"""`renkei review BUILD`: every page that fed the dataset, its cells drawn on it, the records read from it
beside it, one offline HTML page (``index.html`` + ``pages/*.png``, no script or style from anywhere else).

The PDFs come from the build's manifest and are checked against its SHA-256 (`sources`); a missing or
different PDF is one line and exit 2, never a review drawn on the wrong pages.

The page opens with what to review before `renkei pin` (pipeline/publish/attention.py, as report.html): the
build's provisional project ids (from its manifest) and the FAIL rows of its validation (``--validation
results.json``; by default BUILD/validation/results.json when there is one, as `renkei validate BUILD`
writes it), each project linked to the first page that prints it.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from extractors.progress import progress_bar
from pipeline.inputs import InputError
from pipeline.publish.attention import attention
from pipeline.publish.html import render
from pipeline.publish.model import (KINDS, LABEL_KIND, MARK_KINDS, DrawnBox, Located, Mark, Page, groups_for_pages,
                                    locate)
from pipeline.publish.output import write_review
from pipeline.publish.provenance import CellIndex
from pipeline.publish.render import PAGE_BOUND, PageTooLarge, Renderer, render_pages
from pipeline.publish.sources import Source, find_sources


@dataclass
class BuildData:
    """A build read for publishing: manifest, tables as plain rows (None for nulls), the cell index."""

    folder: Path
    manifest: dict
    tables: dict[str, list[dict]]
    cells: CellIndex


def read_build(folder: Path) -> BuildData:
    """Every table the manifest lists, as rows of plain values (pipeline.load's reading, without pandas'
    dtypes: a template wants None, not <NA>). Only layers below the entry points are imported, so that the
    diff's renderers may use this package too."""
    import pyarrow.parquet as pq

    from pipeline.stages.builddir import manifest_tables, require_build

    manifest = require_build(Path(folder))
    tables = {name: pq.read_table(Path(folder) / f"{name}.parquet").to_pylist()
              for name in sorted(manifest_tables(manifest))}
    return BuildData(Path(folder), manifest, tables, CellIndex(tables.get("cells", [])))


def excluded_marks(manifest: dict) -> list[Mark]:
    """The text a build left out on purpose, from ``manifest["excluded"]`` (docs/review.md gives the shape):
    a list of {"kind": watermark | skipped_table | unplaced, "source", "page", "x0", "top", "x1", "bottom",
    "text", "reason"}. Builds of today write none."""
    entries = manifest.get("excluded", [])
    if not isinstance(entries, list):
        raise InputError("manifest.json: excluded is not a list")
    marks = []
    for n, e in enumerate(entries):
        try:
            if e["kind"] not in MARK_KINDS:
                raise ValueError(f"unknown kind {str(e['kind'])[:30]!r}")
            marks.append(Mark(str(e["kind"]), str(e.get("source", "plan")), int(e["page"]),
                              float(e["x0"]), float(e["top"]), float(e["x1"]), float(e["bottom"]),
                              str(e.get("text", "")), str(e.get("reason", ""))))
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(f"manifest.json: excluded[{n}] is not a mark ({error})") from None
    return sorted(marks, key=lambda m: (m.source, m.page, m.top, m.x0, m.kind))


def require_sources(manifest: dict, pdfs: Iterable[Path]) -> dict[str, Source]:
    sources = find_sources(manifest, pdfs)
    for source in sources.values():
        if source.path is None:
            raise InputError(f"{source.problem}: the review draws the build on its own PDF only")
    return sources


def _title(kind: str, box_text: str) -> str:
    return f"{kind}: {box_text[:120]}"


def pages_of(build: BuildData, marks: list[Mark]) -> list[tuple[str, int]]:
    """Every (source, page) that fed the dataset: a cell, a footnote or a mark is on it."""
    pages = {(b.source, b.page) for b in build.cells.by_key.values()}
    pages |= {("plan", int(f["page"])) for f in build.tables.get("footnotes", [])}
    pages |= {(m.source, m.page) for m in marks}
    return sorted(pages, key=lambda p: (p[0] != "plan", p))


def review_pages(build: BuildData, sources: dict[str, Source], marks: list[Mark],
                 progress: bool | None = None) -> tuple[list[Page], dict[str, bytes], Located]:
    located = locate(build.tables, build.cells)
    boxes_on: dict[tuple[str, int], set[str]] = defaultdict(set)
    for b in build.cells.by_key.values():
        boxes_on[(b.source, b.page)].add(b.id)
    wanted = pages_of(build, marks)
    for page in wanted:
        boxes_on.setdefault(page, set())
    provisional = frozenset(p.get("project_id") for p in build.manifest.get("provisional_project_ids") or [])
    groups = groups_for_pages(build.tables, located, boxes_on, provisional)
    labels = {(b.source, b.page): b.page_label for b in build.cells.by_key.values()}
    for f in build.tables.get("footnotes", []):
        labels.setdefault(("plan", int(f["page"])), f.get("page_label"))
    renderers = {role: Renderer(s.path) for role, s in sources.items() if s.path is not None}
    images: dict[str, bytes] = {}
    pages: list[Page] = []
    try:
        # The images of the pages that pass the checks below, made at once (by worker processes); the
        # checks and the images' errors are then met in page order, as if each page were made in its turn.
        drawable = [p for p in wanted if p[0] in renderers and p[1] <= len(renderers[p[0]].pdf)]
        made = dict(zip(drawable, render_pages([(sources[s].path, n) for s, n in drawable])))
        cells_on: dict[tuple[str, int], list] = defaultdict(list)  # each page's cells, top to bottom
        for b in sorted(build.cells.by_key.values(), key=lambda b: (b.top, b.x0, b.id)):
            cells_on[(b.source, b.page)].append(b)
        for source, number in progress_bar(wanted, desc="review", unit="page", enabled=progress):
            if source not in renderers:
                raise InputError(f"the build has cells of a {source} PDF its manifest does not list")
            renderer = renderers[source]
            if number > len(renderer.pdf):
                raise InputError(f"{sources[source].path}: the build has cells on page {number}, the PDF has "
                                 f"{len(renderer.pdf)} pages")
            image = made[(source, number)]
            if isinstance(image, PageTooLarge):
                raise InputError(f"{sources[source].path}: {image}") from None
            if isinstance(image, Exception):
                raise image
            name = f"pages/{re.sub(r'[^a-z0-9_]', '_', source.lower())}-{number:03d}.png"  # a name of ours
            images[name] = image.png
            drawn = [DrawnBox(b.id, located.kind_of.get(b.id, LABEL_KIND[0]), b.x0, b.top, b.x1 - b.x0,
                              b.bottom - b.top, _title(located.kind_of.get(b.id, LABEL_KIND[0]), b.text))
                     for b in cells_on.get((source, number), [])]
            drawn += [DrawnBox(m.id, m.kind, m.x0, m.top, m.x1 - m.x0, m.bottom - m.top,
                               _title(MARK_KINDS[m.kind][1], f"{m.text} {m.reason}".strip()))
                      for m in marks if (m.source, m.page) == (source, number)]
            pages.append(Page(source, sources[source].file, number, labels.get((source, number)), name,
                              image.width_pt, image.height_pt, image.width_px, image.height_px, len(image.png),
                              drawn, groups.get((source, number), [])))
    finally:
        for r in renderers.values():
            r.close()
    return pages, images, located


def legend() -> list[tuple[str, str, str]]:
    seen: dict[str, tuple[str, str, str]] = {}
    for kind, text, colour in [*KINDS.values(), LABEL_KIND, *MARK_KINDS.values()]:
        seen.setdefault(kind, (kind, text, colour))
    return list(seen.values())


def read_validation(folder: Path, validation: Path | None) -> tuple[dict | None, Path | None]:
    """The validation results to show (module docstring): the given file (one line and exit 2 when it cannot
    be read), else BUILD/validation/results.json if there is one, else none."""
    import json

    if validation is None:
        default = Path(folder) / "validation" / "results.json"
        if not default.is_file():
            return None, None
        validation = default
    try:
        results = json.loads(Path(validation).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"validation results {validation} cannot be read: {error}") from None
    if not isinstance(results, dict) or not isinstance(results.get("results"), list):
        raise InputError(f"{validation}: not the results.json of `renkei validate`")
    return results, Path(validation)


def build_review(folder: Path, pdfs: Iterable[Path] = (), progress: bool | None = None,
                 validation: Path | None = None) -> tuple[dict[str, bytes], str]:
    """The review's files (name → bytes) and its summary line."""
    build = read_build(folder)
    results, results_path = read_validation(folder, validation)
    sources = require_sources(build.manifest, pdfs)
    marks = excluded_marks(build.manifest)
    pages, images, located = review_pages(build, sources, marks, progress)
    values = sum(len(line.values) for p in pages for g in p.groups for line in g.lines)
    first_page: dict[int, str] = {}  # a project's first page with its records: where its link goes
    for p in pages:
        for g in p.groups:
            if g.kind == "project" and g.project_no is not None:
                first_page.setdefault(g.project_no, p.anchor)
    boxless = sorted(v for v, boxes in located.values.items() if not boxes)
    largest = max((p.image_bytes for p in pages), default=0)
    summary = (f"review: {len(pages)} pages, {sum(len(p.boxes) for p in pages)} boxes, "
               f"{len(located.values)} values ({len(boxless)} without a box); page images "
               f"{sum(map(len, images.values())) / 1e6:.1f} MB, largest "
               f"{largest // 1024} KB (bound {PAGE_BOUND // 1024} KB a page)")
    html = render("review.html.j2", title=f"renkei review — {build.manifest['sources'].get('plan', {}).get('file', '')}",
                  sources=sorted(sources.values(), key=lambda s: s.role), pages=pages, legend=legend(),
                  summary=summary, boxless=boxless, attention=attention(build.manifest, results),
                  validation_path=None if results_path is None else str(results_path),
                  project_href=lambda no: f"#{first_page.get(no, '')}" if no in first_page else "",
                  failure_href=lambda suite: "")
    return {"index.html": html.encode("utf-8"), **images}, summary


def run_review(build: Path, out: Path, pdfs: Iterable[Path] = (), progress: bool | None = None,
               validation: Path | None = None) -> int:
    from pipeline.publish.output import check_review_out

    check_review_out(out)
    files, summary = build_review(build, pdfs, progress, validation)
    write_review(out, files)
    print(f"{summary} → {Path(out) / 'index.html'}", file=sys.stderr)
    return 0


__all__ = ["build_review", "run_review", "read_build", "excluded_marks"]
