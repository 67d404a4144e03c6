"""`renkei diff OLD NEW`: compare two editions and write the reports. OLD and NEW are two builds, or two PDFs
(then both are built first, into ``--out DIR``/old and /new). The JSON and Markdown reports come from
pipeline.diff.report, the HTML one (crops of both editions' pages beside every edit) from
pipeline.publish.diffview; this entry point sits above both, so the comparison never imports a renderer.

Where the reports go: no ``--out``, the one ``--format`` (default json) on stdout; ``--out FILE`` with
``--format``, or a FILE ending in .json, .md or .html, that one report; ``--out DIR`` otherwise, all three
(diff.json, diff.md, diff.html). Exit 0 identical, 1 differences, 2 the comparison failed (nothing written).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from pipeline.diff.compare import DiffError, diff_builds
from pipeline.diff.report import render
from pipeline.errors import one_line
from pipeline.inputs import InputError

REPORTS = ("json", "md", "html")
SIDES = ("old", "new")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(path)


def _stdout(text: str) -> None:
    stream = getattr(sys.stdout, "buffer", None)
    if stream is not None:
        sys.stdout.flush()
        stream.write(text.encode("utf-8"))
        stream.flush()
    else:
        sys.stdout.write(text)


def targets(fmt: str | None, out: Path | None) -> dict[str, Path | None]:
    """format → where it goes (None: stdout), from ``--format`` and ``--out`` (see the module docstring)."""
    if out is None:
        return {fmt or "json": None}
    suffix = out.suffix.lower().lstrip(".")
    if fmt is not None:
        return {fmt: out}
    if suffix in REPORTS and not out.is_dir():
        return {suffix: out}
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: a file, not a folder; give --format to write one report into a file")
    return {f: out / f"diff.{f}" for f in REPORTS}


def build_editions(pdfs: dict[str, Path], out: Path | None, progress: bool | None) -> dict[str, Path]:
    """Build each edition given as a PDF into ``out``/old or /new (refused without a folder to put them)."""
    from pipeline.stages.build import build

    if out is None or out.suffix.lower().lstrip(".") in REPORTS:
        raise InputError(f"{', '.join(str(p) for p in pdfs.values())}: a PDF is built first; give --out DIR "
                         "(the builds go to DIR/old and DIR/new, the reports beside them)")
    built = {}
    for side, pdf in pdfs.items():
        counts = build(pdf, None, out / side, progress=progress, duckdb=False)
        print(f"diff: {pdf} → {out / side} ({counts.get('projects', 0)} projects)", file=sys.stderr)
        built[side] = out / side
    return built


def run_diff(old: Path, new: Path, fmt: str | None, out: Path | None, pdfs: Iterable[Path] = (),
             progress: bool | None = None) -> int:
    """Compare, write the reports; 0 identical, 1 differences, 2 failure (one line on stderr)."""
    old, new, out = Path(old), Path(new), None if out is None else Path(out)
    # a file (or a name ending in .pdf) is a PDF to build; both are checked before either is built
    given = {side: path for side, path in zip(SIDES, (old, new)) if path.is_file() or path.suffix.lower() == ".pdf"}
    try:
        where = targets(fmt, out)
        if given:
            from pipeline.inputs import check_pdf

            for pdf in given.values():
                check_pdf(pdf)
        if given and set(where) != set(REPORTS):
            raise InputError(f"{', '.join(map(str, given.values()))}: a PDF is built first; give --out DIR "
                             "without --format (the builds and all three reports go there)")
        builds = {"old": old, "new": new, **build_editions(given, out, progress)} if given else {"old": old, "new": new}
        result = diff_builds(builds["old"], builds["new"])
        texts = {}
        for f in where:
            if f == "html":
                from pipeline.publish.diffview import render_diff_page, show_diff

                shown = show_diff(builds["old"], builds["new"], result.to_json(), [*pdfs, *given.values()],
                                  progress=progress)
                texts[f] = render_diff_page(shown, inline=True)
                for notice in shown.notices:
                    print(f"note: {notice}", file=sys.stderr)
            else:
                texts[f] = render(result, f)
    except DiffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        for f, path in where.items():
            if path is None:
                _stdout(texts[f])
            else:
                _write(path, texts[f])
    except OSError as error:
        print(f"error: cannot write the report: {one_line(error, 200)}", file=sys.stderr)
        return 2
    if len(where) > 1:
        print(f"diff: {', '.join(str(p) for p in where.values())}", file=sys.stderr)
    return 0 if result.identical else 1
