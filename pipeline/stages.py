"""The four build stages as functions over directories, and `build`, which runs them all atomically.

Each stage reads only the previous stage's files and writes its own, so any of them can be rerun or
inspected alone (and dvc.yaml mirrors them):

    extract    PDF(s)            → extract/layout.json, extract/overview.json
    parse      extract/          → parse/records.json, parse/overview.json
    normalize  extract/, parse/  → normalize/tables.json
    write      normalize/        → *.parquet, datapackage.json, manifest.json, metrics.json
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from pipeline.extract import cell_rows, extract_layout, layout_from_json, layout_to_json, read_json
from pipeline.inputs import check_pdf, reading
from pipeline.normalize import metrics, normalize_document
from pipeline.parse import ParseError, parse_layout
from pipeline.records import ParsedDocument
from pipeline.write import write_json

CONTRACT_VERSION = "1"
PACKAGES = ("pdfplumber", "pdfminer.six", "pandas", "pyarrow", "regex", "kanjize", "rapidfuzz")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _source_info(path: Path, pages: int) -> dict:
    return {"file": Path(path).name, "sha256": _sha256(path), "pages": pages}


# -- extract ---------------------------------------------------------------------------------------
def run_extract(pdf: Path, overview: Path | None, out: Path, progress: bool | None = None) -> None:
    pages = extract_layout(pdf, progress=progress)
    write_json({"source": _source_info(pdf, len(pages)), **layout_to_json(pages)}, out / "layout.json")
    overview_file = out / "overview.json"
    if overview is not None:
        from extractors.unruled import extract_unruled_tables
        overview_pages = check_pdf(overview)
        with reading(overview):
            tables = extract_unruled_tables(overview)
        write_json({"source": _source_info(overview, overview_pages), "tables": [asdict(t) for t in tables]}, overview_file)
    elif overview_file.exists():
        overview_file.unlink()


# -- parse -----------------------------------------------------------------------------------------
def _overview_tables(data: dict) -> list:
    from extractors.unruled import CellFragment, UnruledCell, UnruledTable

    def cell(d: dict) -> UnruledCell:
        return UnruledCell(**{**d, "continuations": [CellFragment(**c) for c in d.get("continuations", [])]})

    return [UnruledTable(**{**t, "rows": [[cell(c) for c in row] for row in t["rows"]],
                            "header_cells": [cell(c) for c in t.get("header_cells", [])]})
            for t in data["tables"]]


def run_parse(extract_dir: Path, out: Path) -> None:
    layout = read_json(extract_dir / "layout.json")
    document = parse_layout(layout_from_json(layout))
    write_json({"source": layout["source"], **document.to_json()}, out / "records.json")
    overview_out = out / "overview.json"
    if (extract_dir / "overview.json").exists():
        from pipeline.overview import parse_overview
        data = read_json(extract_dir / "overview.json")
        try:
            rows = parse_overview(_overview_tables(data))
        except ValueError as error:  # ParseError too: name the excerpt, not the plan
            raise ParseError(f"{data['source']['file']}: {error}") from None
        if not rows:
            raise ParseError(f"{data['source']['file']}: no excerpt table (主な連携事業 / 事業概要) found: "
                             "is this the chapter's 抜粋?")
        write_json({"source": data["source"], "rows": [asdict(r) for r in rows]}, overview_out)
    elif overview_out.exists():
        overview_out.unlink()


# -- normalize -------------------------------------------------------------------------------------
def run_normalize(extract_dir: Path, parse_dir: Path, out: Path) -> None:
    records = read_json(parse_dir / "records.json")
    document = ParsedDocument.from_json(records)
    tables = normalize_document(document)
    cells = cell_rows(layout_from_json(read_json(extract_dir / "layout.json")))
    sources = {"plan": records["source"]}
    if (parse_dir / "overview.json").exists():
        from pipeline.overview import OverviewRow, link_to_projects, overview_cells
        data = read_json(parse_dir / "overview.json")
        rows = [OverviewRow(**r) for r in data["rows"]]
        projects = {p.project_no: (p.name, p.summary) for p in document.projects}
        areas = {p.project_no: p.area_no for p in document.projects}
        links = link_to_projects(rows, projects, project_areas=areas)
        tables["overview"] = [{**asdict(r), "project_no": links.get((r.area_no, r.row_no))} for r in rows]
        cells += overview_cells(_overview_tables(read_json(extract_dir / "overview.json")))
        sources["overview"] = data["source"]
    tables["cells"] = cells
    write_json({"sources": sources, "tables": tables}, out / "tables.json")


# -- write -----------------------------------------------------------------------------------------
def _package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_write(normalize_dir: Path, out: Path) -> dict[str, int]:
    import pandas as pd

    from pipeline.write import write_tables

    data = read_json(normalize_dir / "tables.json")
    from schemas.tables import TABLES

    # A table with no rows (a document without footnotes) still has the contract's columns.
    frames = {name: pd.DataFrame(rows) if rows or name not in TABLES
              else pd.DataFrame(columns=TABLES[name].fields)
              for name, rows in data["tables"].items()}
    counts = write_tables(frames, out)
    manifest = {
        "contract_version": CONTRACT_VERSION,
        "sources": data["sources"],
        "packages": _package_versions(),
        "row_counts": dict(sorted(counts.items())),
    }
    write_json(manifest, out / "manifest.json")
    write_json(metrics(data["tables"]), out / "metrics.json")
    return counts


# -- build -----------------------------------------------------------------------------------------
def build(pdf: Path, overview: Path | None, out: Path, progress: bool | None = None) -> dict[str, int]:
    """Run every stage into a temporary directory beside `out` and swap it in only when all succeeded,
    so a failed run never leaves a half-written or clobbered output directory."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        stages = staging / "stages"
        run_extract(pdf, overview, stages / "extract", progress=progress)
        run_parse(stages / "extract", stages / "parse")
        run_normalize(stages / "extract", stages / "parse", stages / "normalize")
        counts = run_write(stages / "normalize", staging)
        _swap_in(staging, out)
        return counts
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, out: Path) -> None:
    if out.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, retired / out.name)
        os.replace(staging, out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, out)
