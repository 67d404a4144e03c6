"""The four build stages as functions over directories, and `build`, which runs them all atomically.

Each stage reads only the previous stage's files and writes its own, so any of them can be rerun or
inspected alone (and dvc.yaml mirrors them):

    extract    PDF(s)            → extract/layout.json, extract/overview.json
    parse      extract/          → parse/records.json, parse/overview.json
    normalize  extract/, parse/  → normalize/tables.json
    write      normalize/        → *.parquet, datapackage.json, manifest.json, metrics.json (renkei.duckdb with
                                   --duckdb)

Every stage checks its input folder and its ``--out`` before writing anything (`pipeline.stages.builddir`): a
stage folder receives only that stage's fixed files, and ``build``/``write`` own only the build's files in
``--out`` (its tables, manifest, datapackage and metrics), which they swap in file by file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Iterator

from pipeline.stages.builddir import (check_out, check_stage_out, drop_failed_stages, keep_failed_stages, require_stage,
                               say_removed, staging, swap_in)
from extractors.document import Document
from extractors.settings import Layout
from pipeline.stages.extract import cell_rows, chapter_layout, read_json, stamp_record
from pipeline.inputs import InputError, check_pdf, open_pdf, reading
from pipeline.errors import ParseError, SourceWatch, check_received, shielded
from pipeline.stages.stagefile import (ExcerptRowsFile, ExcerptTablesFile, LayoutFile, RecordsFile, StageFileError,
                                       TablesFile, dump, load)
from pipeline.stages.atomic import write_json
# The fixed files each stage writes into its folder (and the only ones it may replace or remove there).
EXTRACT_FILES = ("layout.json", "overview.json")
PARSE_FILES = ("records.json", "overview.json")
NORMALIZE_FILES = ("tables.json",)
PACKAGES = ("pdfplumber", "pdfminer.six", "pandas", "pyarrow", "regex", "kanjize", "rapidfuzz")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _source_info(path: Path, pages: int) -> dict:
    return {"file": Path(path).name, "path": str(path), "sha256": _sha256(path), "pages": pages}


class _StageFiles:
    """A stage folder's JSON files, as a stage writes and the next one reads them.

    The stage commands write each file at once (``lazy=False``). ``build`` keeps them in memory instead
    (``lazy=True``), as compact JSON text: its stage folders exist only to be kept when the build fails, so
    `materialize` writes them then, byte for byte the files the stages would have written (the text holds
    the keys in the order ``write_json`` sorts them into). A lazy read gives what reading the file would
    (JSON keeps no tuples; a fresh copy each time), through the C encoder and decoder."""

    def __init__(self, folder: Path, lazy: bool = False) -> None:
        self.folder, self.lazy = Path(folder), lazy
        self.pending: dict[str, str] = {}

    def put(self, name: str, obj: object) -> None:
        if self.lazy:
            self.pending[name] = json.dumps(obj, sort_keys=True, ensure_ascii=False)
        else:
            write_json(obj, self.folder / name)

    def get(self, name: str) -> dict:
        if self.lazy:
            return json.loads(self.pending[name])
        return read_json(self.folder / name)

    def write(self, name: str, record: object) -> None:
        """Put the stage file ``name`` from its record (a shape of `pipeline.stages.stagefile`)."""
        self.put(name, dump(record))

    def read(self, name: str, shape: type):
        """The stage file ``name`` as a ``shape`` record, its format and fields checked (`stagefile.load`)."""
        try:
            data = self.get(name)
        except ValueError as error:  # not JSON: a damaged or truncated file
            raise StageFileError(f"{self.folder / name}: not a stage file ({error}): rerun `renkei {shape.stage}`") from None
        return load(shape, data, self.folder / name)

    def exists(self, name: str) -> bool:
        return name in self.pending if self.lazy else (self.folder / name).exists()

    def remove(self, name: str) -> None:
        if self.lazy:
            self.pending.pop(name, None)
        elif (self.folder / name).exists():
            (self.folder / name).unlink()

    def materialize(self) -> None:
        for name, text in self.pending.items():
            # Keys in the text's order, which is write_json's: the same bytes as write_json(obj).
            write_json(json.loads(text), self.folder / name, sort_keys=False)


# -- extract ---------------------------------------------------------------------------------------
def run_extract(pdf: Path, overview: Path | None, out: Path, progress: bool | None = None,
                settings: Layout = Layout()) -> None:
    check_stage_out(out, EXTRACT_FILES)
    watch = SourceWatch(pdf, overview)
    files = _StageFiles(out, lazy=True)  # written once the PDFs are known not to have changed meanwhile
    overview_pages = check_pdf(overview) if overview is not None else 0  # before the slow plan
    with open_pdf(pdf) as document:
        _extract(document, overview, files, settings, progress=progress, overview_pages=overview_pages)
    watch.check()
    files.materialize()
    if overview is None:
        _StageFiles(out).remove("overview.json")


def _plan_source(document: Document, pages: list, cut: list[dict]) -> dict:
    """The plan's source record: file, hash, page count and, when the PDF holds more than chapter VI, where
    the chapter is (pages, printed page labels, its heading and the one ending it), what was skipped and
    the member tables printed outside it."""
    from pipeline.stages.normalize import printed_number

    # path: as given (relative to where the build ran), so that `renkei diff` and `renkei review` find the PDF
    # again; they accept it only with this SHA-256 (pipeline.publish.sources)
    source = {"file": document.path.name, "path": str(document.path), "sha256": document.sha256,
              "pages": document.page_count}
    chapter = document.chapter
    if chapter is not None and not chapter.whole:
        labels = [pages[0].page_label, pages[-1].page_label] if pages else [None, None]
        source["chapter"] = {**chapter.to_json(), "page_labels": labels, "skipped_tables": cut}
    if document.members:  # the agreement's members as the vision prints them (extractors/members.py)
        labels = {s.page: printed_number(s.page_label) for s in chapter.skipped} if chapter is not None else {}
        source["member_tables"] = [{"page": t.page, "page_label": labels.get(t.page), "header": t.header,
                                    "heading": t.heading, "names": list(t.names)} for t in document.members]
    stamps = stamp_record(pages)
    if stamps:  # a watermark or stamp left out of the pages: the manifest says which, where
        source["stamps"] = stamps
    return source


def _extract(document: Document, overview: Path | None, out: _StageFiles, settings: Layout,
             progress: bool | None = None, overview_pages: int = 0, meanwhile=None) -> None:
    """``document``: the plan, opened and checked; ``overview``: the excerpt, checked already
    (``overview_pages`` pages); both read with the tolerances of ``settings``; ``meanwhile``: this
    process's work while worker processes read the plan's pages (`extractors.ruled.read_pages`)."""
    pages, cut = chapter_layout(document, settings, progress=progress, meanwhile=meanwhile)
    out.write("layout.json", LayoutFile(_plan_source(document, pages, cut), pages))
    if overview is not None:
        from extractors.unruled import extract_unruled_tables
        with reading(overview):
            tables = extract_unruled_tables(overview, settings)
        records = [asdict(t) for t in tables]
        if "(cid:" in json.dumps(records, ensure_ascii=False):  # as for the plan (undecoded_places)
            raise InputError(f"{overview}: glyphs without a Unicode mapping in the excerpt's table (a font's "
                             "ToUnicode map is missing or damaged): the text cannot be read")
        out.write("overview.json", ExcerptTablesFile(_source_info(overview, overview_pages), tables))
    else:
        out.remove("overview.json")


# -- parse -----------------------------------------------------------------------------------------
def run_parse(extract_dir: Path, out: Path, settings: Layout = Layout()) -> None:
    require_stage(extract_dir, "layout.json", "extract")
    extract = _StageFiles(extract_dir)
    layout = extract.read("layout.json", LayoutFile)
    check_stage_out(out, PARSE_FILES)
    _parse(extract, _StageFiles(out), settings, layout)


def _parse(extract: _StageFiles, out: _StageFiles, settings: Layout, layout: LayoutFile | None = None) -> None:
    from pipeline.stages.parse import parse_layout

    layout = extract.read("layout.json", LayoutFile) if layout is None else layout
    document = parse_layout(layout.pages, settings)
    out.write("records.json", RecordsFile.of(layout.source, document))
    if extract.exists("overview.json"):
        from pipeline.stages.overview import parse_overview
        data = extract.read("overview.json", ExcerptTablesFile)
        try:
            rows = parse_overview(data.tables)
        except ValueError as error:  # ParseError too: name the excerpt, not the plan
            raise ParseError(f"{data.source['file']}: {error}") from None
        if not rows:
            raise ParseError(f"{data.source['file']}: no excerpt table (主な連携事業 / 事業概要) found: "
                             "is this the chapter's 抜粋?")
        out.write("overview.json", ExcerptRowsFile(data.source, rows))
    else:
        out.remove("overview.json")


# -- normalize -------------------------------------------------------------------------------------
def run_normalize(extract_dir: Path, parse_dir: Path, out: Path) -> None:
    require_stage(extract_dir, "layout.json", "extract")
    require_stage(parse_dir, "records.json", "parse")
    parse = _StageFiles(parse_dir)
    records = parse.read("records.json", RecordsFile)
    check_stage_out(out, NORMALIZE_FILES)
    _normalize(_StageFiles(extract_dir), parse, _StageFiles(out), records)


def _normalize(extract: _StageFiles, parse: _StageFiles, out: _StageFiles, records: RecordsFile | None = None) -> None:
    from pipeline.stages.normalize import add_page_labels, normalize_document, page_labels

    records = parse.read("records.json", RecordsFile) if records is None else records
    document = records.document
    members, plan_source = _members(records.source)
    tables = normalize_document(document, members)
    layout = extract.read("layout.json", LayoutFile).pages
    cells = cell_rows(layout)
    sources = {"plan": plan_source}
    if parse.exists("overview.json"):
        _add_overview(document, extract, parse.read("overview.json", ExcerptRowsFile), tables, cells, sources)
    tables["cells"] = cells
    # The excerpt prints no page numbers: its rows and cells get a null page_label.
    add_page_labels(tables, {"plan": page_labels(layout)})
    from pipeline.stages.identity import add_project_ids, provisional_line, read_crosswalk
    ids = add_project_ids(tables, read_crosswalk())
    if ids.provisional:
        print(provisional_line(ids.provisional), file=sys.stderr)
    out.write("tables.json", TablesFile(sources, tables, ids.provisional))


def _members(source: dict) -> tuple["Members", dict]:
    """The edition's members (the PDF's member tables, else schemas/members.csv, reviewed) and the plan's
    source record with them: where they were read and, against the reviewed file, who joined or left (which
    the gate stops on until `renkei pin` takes them in)."""
    from pipeline.normalizers.municipalities import MembersError, edition_members, member_changes, read_members
    try:
        reviewed = read_members()
        members = edition_members(source.get("member_tables"), reviewed)
    except MembersError as error:
        raise ParseError(f"{source.get('file', 'plan')}: {error}") from None
    changes = member_changes(members, reviewed)
    labels = [t.get("page_label") for t in source.get("member_tables") or []] if members.source == "document" else []
    record = {**members.to_json(), **({"page_labels": labels} if labels else {}),
              **({"changed": changes} if changes["joined"] or changes["left"] else {})}
    if "changed" in record:
        print(f"members differ from schemas/members.csv (reviewed): joined {'、'.join(changes['joined']) or 'none'}; "
              f"left {'、'.join(changes['left']) or 'none'} (take them in with `renkei pin` once reviewed)",
              file=sys.stderr)
    return members, {**source, "members": record}


def _add_overview(document, extract: _StageFiles, data: ExcerptRowsFile, tables: dict, cells: list,
                  sources: dict) -> None:
    """The excerpt's rows linked to the plan's projects, their cells and source, into the build; or, when a
    row links to no project, none of them and one line on stderr naming the rows and why: the excerpt is
    optional input, the plan's tables stand without it, and a row without its project (or with a wrong one)
    would be wrong data."""
    from pipeline.stages.overview import link_rows, overview_cells, unlinked_line

    rows = data.rows
    projects = {p.project_no: (p.name, p.summary) for p in document.projects}
    areas = {p.project_no: p.area_no for p in document.projects}
    links, unlinked = link_rows(rows, projects, project_areas=areas)
    if unlinked:
        excerpt = data.source.get("path") or data.source.get("file", "the excerpt")
        print(unlinked_line(str(excerpt), unlinked, len(rows)), file=sys.stderr)
        return
    tables["overview"] = [{**asdict(r), "project_no": links.get((r.area_no, r.row_no))} for r in rows]
    cells += overview_cells(extract.read("overview.json", ExcerptTablesFile).tables)
    sources["overview"] = data.source


# -- write -----------------------------------------------------------------------------------------
def _package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_build_files(normalize_dir: Path, out: Path, duckdb: bool = False) -> dict[str, int]:
    """Write the build's files (tables, datapackage, manifest, metrics and, with ``duckdb``, renkei.duckdb)
    into ``out`` as they are; the callers give it a fresh staging folder (`run_write`, `build`)."""
    return _write_build_files(_StageFiles(normalize_dir).read("tables.json", TablesFile), out, duckdb=duckdb)


def _write_build_files(data: TablesFile, out: Path, duckdb: bool = False,
                       timings: dict[str, float] | None = None) -> dict[str, int]:
    from pipeline.stages.normalize import metrics
    from pipeline.stages.write import write_rows
    from schemas.tables import CONTRACT_VERSION

    # pyarrow alone (schemas.rows): no pandas. A table with no rows (a document without footnotes) still
    # has the contract's columns.
    counts = write_rows(data.tables, out, sources=data.sources)
    manifest = {
        "contract_version": CONTRACT_VERSION,
        "sources": data.sources,
        "packages": _package_versions(),
        "row_counts": dict(sorted(counts.items())),
        # projects that matched no row of the reviewed crosswalk (pipeline/stages/identity.py)
        "provisional_project_ids": data.provisional_project_ids,
    }
    write_json(manifest, out / "manifest.json")
    write_json(metrics(data.tables), out / "metrics.json")
    if duckdb:
        from pipeline.stages.database import DUCKDB_NAME, write_database
        with _timed(timings, "duckdb"):
            write_database(out, out / DUCKDB_NAME, list(counts))
    return counts


def run_write(normalize_dir: Path, out: Path, duckdb: bool = False) -> dict[str, int]:
    """The write stage: normalize/tables.json → the build in ``out``, which must be missing, empty or an
    earlier build (`check_out`); the earlier build's files are replaced and its tables that the new build
    does not have are removed, so no stale table stays behind."""
    require_stage(normalize_dir, "tables.json", "normalize")
    old = check_out(out)
    with staging(out) as staged:
        counts = write_build_files(normalize_dir, staged, duckdb=duckdb)
        removed = swap_in(staged, out, old)
    say_removed(out, removed)
    return counts


# -- build -----------------------------------------------------------------------------------------
LATER_STEPS = ("pipeline.stages.parse", "pipeline.stages.normalize", "pipeline.stages.identity",
               "pipeline.stages.write", "schemas.rows")
# What pyarrow imports whenever it is installed (numpy when pyarrow is imported, pandas on its first array)
# and the build does not use: `without_frame_libraries`.
FRAME_LIBRARIES = ("pandas", "numpy")


@contextlib.contextmanager
def _while_workers_read(duckdb: bool, timings: dict[str, float] | None = None) -> Iterator[None]:
    """Around the start of the page-reading workers (`read_pages`' ``meanwhile``): a signal while they are
    forked waits until they are (`shielded`: raised inside os.fork's after-fork hooks, it would be printed
    as an ignored exception and lost); then, while they read, the later steps' libraries are imported, a
    signal held until they are too: raised inside a C extension's module init (duckdb's nanobind), it
    aborts that init with "Critical nanobind error" and the process hung (seen once in 15 Ctrl-C runs)."""
    with shielded():
        yield
        with _timed(timings, "imports while reading"):  # part of extract's time (`pipeline.bench`)
            import_later_steps(duckdb)


def import_later_steps(duckdb: bool) -> None:
    """Import what the steps after extract use: pyarrow (schemas.rows) and, with ``duckdb``, duckdb. A
    build does it while worker processes read the chapter's pages and this process would only wait
    (`read_pages`' ``meanwhile``), and after they were forked, so that they start without these libraries.
    The build's output does not depend on it."""
    import importlib

    for name in LATER_STEPS:
        importlib.import_module(name)
    if duckdb:
        importlib.import_module("duckdb")
        importlib.import_module("pipeline.stages.database")


@contextlib.contextmanager
def without_frame_libraries() -> Iterator[None]:
    """The `build` and `write` commands' process: pandas and numpy, where not imported yet, made unimportable
    for the command's duration (``sys.modules[name] = None``, Python's way to make an import fail), so that
    pyarrow, which imports numpy when it is imported and pandas on its first array whenever they are
    installed, runs without them as it does where they are not installed. The build uses neither (it
    writes with `schemas.rows`, pyarrow alone), and their import was ~0.3–0.4 s of CPU, a third of what
    the build spends besides reading pages (`make bench`). A module that needed them would fail loudly
    (ImportError), never silently differ; tests/test_imports.py checks they stay out.

    Only for a command's own process, which ends after it: pyarrow keeps, for the rest of the process,
    that numpy and pandas were missing when it looked (`renkei diff` builds in-process and then compares
    with pandas, so it does not use this)."""
    blocked = [name for name in FRAME_LIBRARIES if name not in sys.modules]
    if "pandas" in sys.modules or "pyarrow" in sys.modules:
        blocked = []  # already in use in this process: leave pyarrow's view of them alone
    for name in blocked:
        sys.modules[name] = None
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


@contextlib.contextmanager
def _timed(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the block's wall time to ``timings[name]`` and this process's CPU seconds (user + sys, not its
    workers') to ``timings[name + " cpu"]`` (when timings are asked for: `pipeline.bench`)."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
            timings[f"{name} cpu"] = timings.get(f"{name} cpu", 0.0) + time.process_time() - cpu


def build(pdf: Path, overview: Path | None, out: Path, progress: bool | None = None,
          duckdb: bool = False, timings: dict[str, float] | None = None,
          settings: Layout = Layout()) -> dict[str, int]:
    """Run every stage and put the build in ``out`` only when all succeeded.

    ``out`` must be missing, empty or an earlier build (`pipeline.stages.builddir.check_out`); it and the PDFs are
    checked before anything is written. The stages run in a staging folder inside ``out``; then only the
    build's own files are swapped in (`swap_in`), so a failed run leaves the earlier build as it was and
    siblings such as validation/ or report.html stay.

    ``timings``, when given, receives the wall seconds of each step: check, extract (the imports made
    while the workers read also as "imports while reading"), parse, normalize, write (its duckdb part as
    duckdb), swap; and this process's CPU seconds of each as "<step> cpu".

    ``settings``: the layout tolerances every reader and the parser use (extractors/settings.py), handed
    down the call chain; another `Layout` builds with other tolerances."""
    with contextlib.ExitStack() as opened:
        with _timed(timings, "check"):
            old = check_out(out)
            document = opened.enter_context(open_pdf(pdf))  # opened once: checked, chapter VI found
            overview_pages = check_pdf(overview) if overview is not None else 0
            # a PDF changed or deleted while it is read is refused below
            watch = SourceWatch(pdf, overview, read={pdf: document.sha256})
        counts = _build_staged(document, overview, out, old, overview_pages, watch, progress, duckdb, timings,
                               settings)
    drop_failed_stages(out)
    return counts


def _build_staged(document: Document, overview: Path | None, out: Path, old, overview_pages: int, watch: SourceWatch,
                  progress: bool | None, duckdb: bool, timings: dict[str, float] | None,
                  settings: Layout) -> dict[str, int]:
    from schemas.errors import SchemaError

    with staging(out) as staged:
        stages = staged / "stages"
        # The stage files stay in memory; they are written only to be kept when the build fails.
        extract, parse, normalize = (_StageFiles(stages / name, lazy=True)
                                     for name in ("extract", "parse", "normalize"))
        try:
            with _timed(timings, "extract"):
                _extract(document, overview, extract, settings, progress=progress,
                         overview_pages=overview_pages, meanwhile=lambda: _while_workers_read(duckdb, timings))
            check_received()
            with _timed(timings, "parse"):
                _parse(extract, parse, settings)
            with _timed(timings, "normalize"):
                _normalize(extract, parse, normalize)
            with _timed(timings, "write"):
                counts = _write_build_files(normalize.read("tables.json", TablesFile), staged, duckdb=duckdb,
                                            timings=timings)
            check_received()
        except (InputError, ParseError, SchemaError) as error:
            # The refusal names the page; the stage files show what was read there.
            for files in (extract, parse, normalize):
                files.materialize()
            kept = keep_failed_stages(stages, out, error)
            if kept is None:
                raise
            raise type(error)(f"{error} (stage files kept in {kept}/)") from None
        with _timed(timings, "swap"):
            watch.check()
            removed = swap_in(staged, out, old)
    say_removed(out, removed)
    return counts
