"""Cross-check a build's table cells against a second, independent extractor (camelot lattice).

`python -m pipeline crosscheck --pdf PDF --build DIR --out crosscheck.json` reads every page of the
plan PDF with camelot (``extractors.camelot_tables``), lays its tables over the pdfplumber fragments
of ``DIR/cells.parquet`` (source "plan") and writes every disagreement. It is not on the build's
critical path: disagreements are findings (exit 0), only a failure to run exits 2.

Matching:

* tables: each camelot table goes to the pdfplumber fragment of the same page with the largest bbox
  overlap (camelot's bottom-left coordinates are flipped to top-left first); a camelot table that
  overlaps none is an "extra camelot table", a fragment no camelot table went to is a "table missing
  in camelot";
* cells: each camelot cell (the top-left grid cell of a span, with the span's text) goes to the
  pdfplumber cell of its table whose box contains the camelot cell's centre. Several camelot cells in
  one pdfplumber cell (camelot saw a rule pdfplumber did not) are joined in reading order; a
  pdfplumber cell that no camelot cell landed in is a "cell missing in camelot"; a non-empty camelot
  cell that landed in no pdfplumber cell is an "extra camelot cell".

Texts are compared after ``fold_text`` and removal of all whitespace (the two extractors break and
space lines differently). pdfplumber moves superscript footnote marks out of the text into
``marks``; camelot keeps them inline, so a camelot text that equals pdfplumber's once each of the
cell's marks is deleted from it (once, at a place where camelot has it) agrees. The digits are never
dropped elsewhere: a cell without marks must match exactly.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import regex

from extractors.textnorm import fold_text

SOURCE = "plan"
KINDS = ("text differs", "cell missing in camelot", "table missing in camelot", "extra camelot table",
         "extra camelot cell")
_WHITESPACE = regex.compile(r"\s+")


class CrosscheckError(Exception):
    """The cross-check could not run (missing build, unreadable PDF, camelot failure)."""


def normalise(text: str | None) -> str:
    """The form both extractors' texts are compared in: folded, with no whitespace at all."""
    return _WHITESPACE.sub("", fold_text(text or ""))


def _without_marks(reference: str, other: str, marks: list[str], budget: list[int]) -> bool:
    """Whether deleting each mark once from ``other`` (at some place where it occurs) gives ``reference``."""
    if not marks:
        return other == reference
    if len(other) - sum(map(len, marks)) != len(reference):
        return False
    mark, rest = marks[0], marks[1:]
    start = other.find(mark)
    while start >= 0 and budget[0] > 0:
        budget[0] -= 1
        if _without_marks(reference, other[:start] + other[start + len(mark):], rest, budget):
            return True
        start = other.find(mark, start + 1)
    return False


def texts_agree(plumber: str | None, camelot: str | None, marks: Iterable[str] = ()) -> bool:
    """Whether pdfplumber's cell text (marks removed) and camelot's (marks inline) say the same.

    Equal after ``normalise``, or equal once each of the cell's marks is deleted from camelot's text
    at one place where camelot has it (pdfplumber does not record where a mark stood).
    """
    a, b = normalise(plumber), normalise(camelot)
    if a == b:
        return True
    marks = [m for m in (normalise(m) for m in marks) if m]
    return bool(marks) and _without_marks(a, b, marks, budget=[10_000])


# -- the build's side -------------------------------------------------------------------------------
@dataclass
class PlumberCell:
    page: int
    table_id: str
    row: int
    col: int
    text: str
    marks: list[str]
    x0: float
    top: float
    x1: float
    bottom: float

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.top <= y <= self.bottom


@dataclass
class PlumberTable:
    page: int
    table_id: str
    cells: list[PlumberCell]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (min(c.x0 for c in self.cells), min(c.top for c in self.cells),
                max(c.x1 for c in self.cells), max(c.bottom for c in self.cells))


def load_plumber_tables(build_dir: Path) -> list[PlumberTable]:
    import pandas as pd

    path = Path(build_dir) / "cells.parquet"
    if not path.is_file():
        raise CrosscheckError(f"{path}: no such file (is {build_dir} a build directory?)")
    frame = pd.read_parquet(path)
    frame = frame[frame["source"] == SOURCE]
    tables: dict[str, PlumberTable] = {}
    for r in frame.itertuples(index=False):
        marks = [m for m in str(r.marks).split(",") if m] if isinstance(r.marks, str) else []
        cell = PlumberCell(page=int(r.page), table_id=str(r.table_id), row=int(r.row), col=int(r.col),
                           text=str(r.text) if isinstance(r.text, str) else "", marks=marks,
                           x0=float(r.x0), top=float(r.top), x1=float(r.x1), bottom=float(r.bottom))
        tables.setdefault(cell.table_id, PlumberTable(cell.page, cell.table_id, [])).cells.append(cell)
    for table in tables.values():
        table.cells.sort(key=lambda c: (c.row, c.col))
    return sorted(tables.values(), key=lambda t: t.table_id)


# -- comparison -------------------------------------------------------------------------------------
def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _record(kind: str, page: int, table_id: str | None, row: int | None = None, col: int | None = None,
            pdfplumber: str | None = None, camelot: str | None = None, **extra) -> dict:
    return {"kind": kind, "page": page, "table_id": table_id, "row": row, "col": col,
            "pdfplumber": pdfplumber, "camelot": camelot, **extra}


def _sort_key(d: dict) -> tuple:
    return (d["page"], d["table_id"] or "", -1 if d["row"] is None else d["row"],
            -1 if d["col"] is None else d["col"], KINDS.index(d["kind"]), d.get("camelot_order") or 0,
            d["camelot"] or "")


def compare(plumber_tables: list[PlumberTable], camelot_tables: list, pages: Iterable[int] | None = None) -> dict:
    """Compare the two extractors' tables; returns the crosscheck report (JSON-ready, deterministic).

    ``pages`` limits the comparison to those pages (both sides); default: every page either side has.
    """
    if pages is not None:
        wanted = set(pages)
        plumber_tables = [t for t in plumber_tables if t.page in wanted]
        camelot_tables = [t for t in camelot_tables if t.page in wanted]
    by_page: dict[int, list[PlumberTable]] = defaultdict(list)
    for table in plumber_tables:
        by_page[table.page].append(table)

    disagreements: list[dict] = []
    landed: dict[tuple[str, int, int], list] = defaultdict(list)  # plumber cell key -> camelot cells
    matched: dict[str, list[int]] = defaultdict(list)  # table_id -> camelot orders
    for ct in camelot_tables:
        candidates = [(_overlap(ct.bbox, pt.bbox), pt.table_id, pt) for pt in by_page.get(ct.page, [])]
        candidates = [c for c in candidates if c[0] > 0]
        if not candidates:
            text = " | ".join(c.text for c in ct.cells if c.text.strip())
            disagreements.append(_record("extra camelot table", ct.page, None, camelot=normalise(text),
                                         camelot_order=ct.order))
            continue
        # Largest overlap; the table_id breaks exact ties deterministically.
        _, _, pt = min(candidates, key=lambda c: (-c[0], c[1]))
        matched[pt.table_id].append(ct.order)
        for cc in ct.cells:
            cx, cy = (cc.x0 + cc.x1) / 2, (cc.top + cc.bottom) / 2
            target = next((p for p in pt.cells if p.contains(cx, cy)), None)
            if target is None:
                if normalise(cc.text):
                    disagreements.append(_record("extra camelot cell", ct.page, pt.table_id,
                                                 camelot=normalise(cc.text), camelot_order=ct.order,
                                                 camelot_row=cc.row, camelot_col=cc.col))
                continue
            landed[(pt.table_id, target.row, target.col)].append((ct.order, cc.row, cc.col, cc.text))

    compared = agreeing = 0
    for pt in plumber_tables:
        if pt.table_id not in matched:
            compared += len(pt.cells)
            text = " | ".join(c.text for c in pt.cells if c.text)
            disagreements.append(_record("table missing in camelot", pt.page, pt.table_id,
                                         pdfplumber=normalise(text), cells=len(pt.cells)))
            continue
        for cell in pt.cells:
            compared += 1
            hits = sorted(landed.get((pt.table_id, cell.row, cell.col), []))
            if not hits:
                disagreements.append(_record("cell missing in camelot", pt.page, pt.table_id, cell.row, cell.col,
                                             pdfplumber=normalise(cell.text)))
                continue
            camelot_text = "".join(h[3] for h in hits)
            if texts_agree(cell.text, camelot_text, cell.marks):
                agreeing += 1
            else:
                disagreements.append(_record("text differs", pt.page, pt.table_id, cell.row, cell.col,
                                             pdfplumber=normalise(cell.text), camelot=normalise(camelot_text),
                                             marks=",".join(cell.marks) or None))

    disagreements.sort(key=_sort_key)
    by_kind = {kind: sum(1 for d in disagreements if d["kind"] == kind) for kind in KINDS}
    summary = {
        "cells_compared": compared,
        "cells_agreeing": agreeing,
        "cells_disagreeing": compared - agreeing,
        "agreement": round(agreeing / compared, 4) if compared else None,
        "tables_pdfplumber": len(plumber_tables),
        "tables_camelot": len(camelot_tables),
        "tables_matched": len(matched),
        "tables_missing_in_camelot": by_kind["table missing in camelot"],
        "tables_extra_in_camelot": by_kind["extra camelot table"],
        "tables_split_by_camelot": sum(1 for orders in matched.values() if len(orders) > 1),
        "cells_split_by_camelot": sum(1 for hits in landed.values() if len(hits) > 1),
        "disagreements_by_kind": by_kind,
    }
    return {"summary": summary, "disagreements": disagreements}


# -- command ----------------------------------------------------------------------------------------
def chapter_pages(build_dir: Path) -> list[int] | None:
    """The pages the build read (chapter VI's, from its manifest), or every page (None) when it read all;
    a whole vision's other chapters have tables pdfplumber never read, so camelot must not read them."""
    manifest = Path(build_dir) / "manifest.json"
    try:
        chapter = json.loads(manifest.read_text(encoding="utf-8"))["sources"]["plan"].get("chapter")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        chapter = None
    if chapter is not None:
        first, last = chapter["pages"]
        return list(range(int(first), int(last) + 1))
    return None


def crosscheck(pdf: Path, build_dir: Path, pages: list[int] | None = None, progress: bool | None = None,
               page_count: int | None = None) -> dict:
    """Run camelot over the build's pages of ``pdf`` (or just ``pages``) and compare with ``build_dir``'s
    cells; ``page_count``: the PDF's, when the caller has opened it already (camelot opens it itself)."""
    from importlib import metadata

    from extractors.camelot_tables import LINE_SCALE, read_tables

    plumber_tables = load_plumber_tables(build_dir)
    chapter = chapter_pages(build_dir) if pages is None else None
    read = pages if pages is not None else chapter
    if read is None and page_count is not None:
        read = list(range(1, page_count + 1))
    camelot_tables = list(read_tables(pdf, pages=read, progress=progress, page_count=page_count))
    report = compare(plumber_tables, camelot_tables, pages=pages)
    report["settings"] = {
        "pdf": Path(pdf).name,
        "pages": sorted(pages) if pages is not None else (chapter if chapter is not None else "all"),
        "camelot": metadata.version("camelot-py"),
        "flavor": "lattice",
        "line_scale": LINE_SCALE,
    }
    return report


def write_report(report: dict, out: Path) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(out)


def run_crosscheck(pdf: Path, build_dir: Path, out: Path, pages: list[int] | None = None,
                   progress: bool | None = None, require: float | None = None) -> int:
    """The CLI's entry point: 0 when the check ran, 2 with one line on error; with `require`, 1 when the
    agreement is below it or any disagreement was found (each printed, so none passes silently)."""
    from pipeline.stages.builddir import require_build
    from pipeline.inputs import InputError, check_pdf, reading

    try:
        require_build(build_dir)
        page_count = check_pdf(pdf)
        with reading(pdf):  # a page camelot cannot read: one line naming the file and the page
            report = crosscheck(pdf, build_dir, pages=pages, progress=progress, page_count=page_count)
        write_report(report, out)
    except (InputError, CrosscheckError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # camelot/playa/pyarrow failures: one line, no traceback
        print(f"error: crosscheck failed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
              file=sys.stderr)
        return 2
    s = report["summary"]
    print(f"crosscheck: {s['cells_agreeing']}/{s['cells_compared']} cells agree ({s['agreement']}), "
          f"tables matched {s['tables_matched']}/{s['tables_pdfplumber']}, "
          f"{len(report['disagreements'])} disagreement(s) → {out}", file=sys.stderr)
    if require is not None and (s["agreement"] < require or report["disagreements"]):
        for d in report["disagreements"][:20]:
            print(f"disagreement: {d.get('kind')} page {d.get('page')} {d.get('table_id', '')} "
                  f"row {d.get('row')} col {d.get('col')}: {d.get('pdfplumber', '')!r} vs {d.get('camelot', '')!r}",
                  file=sys.stderr)
        print(f"error: the camelot cross-check agrees {s['agreement']}, below the required {require}",
              file=sys.stderr)
        return 1
    return 0
