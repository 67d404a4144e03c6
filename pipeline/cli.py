"""`python -m pipeline …`: build, the single stages, duckdb, crosscheck, validate, report, check-pdf and diff.

Errors that are the input's fault (bad PDF, a document of another shape, a frame that breaks the
schema, an output folder renkei does not own, an input folder that is not a build) print one line on
stderr, naming the file, and exit 2; no traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def _add_limits(command: argparse.ArgumentParser) -> None:
    from pipeline.inputs import MAX_FILE_BYTES, MAX_PAGES

    command.add_argument("--max-pages", type=int, metavar="N",
                         help=f"refuse a PDF of more pages than this (default {MAX_PAGES})")
    command.add_argument("--max-mb", type=float, metavar="MB",
                         help=f"refuse a PDF larger than this (default {MAX_FILE_BYTES // (1024 * 1024)})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="per-page progress bars (default: only on a terminal)")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="PDF → every table of the data contract")
    build.add_argument("--pdf", type=Path, required=True)
    build.add_argument("--overview", type=Path)
    build.add_argument("--out", type=Path, required=True)
    build.add_argument("--no-duckdb", dest="duckdb", action="store_false",
                       help="skip renkei.duckdb (the tables as one commented DuckDB database)")
    _add_limits(build)

    extract = sub.add_parser("extract", help="stage 1: PDF → layout.json")
    extract.add_argument("--pdf", type=Path, required=True)
    extract.add_argument("--overview", type=Path)
    extract.add_argument("--out", type=Path, required=True)
    _add_limits(extract)

    parse = sub.add_parser("parse", help="stage 2: layout → records.json")
    parse.add_argument("extract_dir", type=Path)
    parse.add_argument("--out", type=Path, required=True)

    normalize = sub.add_parser("normalize", help="stage 3: records → tables.json")
    normalize.add_argument("extract_dir", type=Path)
    normalize.add_argument("parse_dir", type=Path)
    normalize.add_argument("--out", type=Path, required=True)

    write = sub.add_parser("write", help="stage 4: tables.json → Parquet, manifest, metrics")
    write.add_argument("normalize_dir", type=Path)
    write.add_argument("--out", type=Path, required=True)
    write.add_argument("--no-duckdb", dest="duckdb", action="store_false",
                       help="skip renkei.duckdb (dvc.yaml: its bytes differ from run to run)")

    database = sub.add_parser("duckdb", help="a build's tables as one DuckDB database, commented from the schema")
    database.add_argument("build_dir", type=Path)
    database.add_argument("--out", type=Path, help="the database file to write (default: BUILD_DIR/renkei.duckdb)")

    crosscheck = sub.add_parser("crosscheck", help="camelot second extractor vs the build's cells")
    crosscheck.add_argument("--pdf", type=Path, required=True)
    crosscheck.add_argument("--build", type=Path, required=True, help="a build directory (reads cells.parquet)")
    crosscheck.add_argument("--out", type=Path, required=True, help="crosscheck.json to write")
    crosscheck.add_argument("--require-agreement", type=float, metavar="SHARE",
                            help="exit 1 (printing the disagreements) when the agreement is below SHARE "
                                 "or any cell disagrees; dvc.yaml uses 1.0")

    validate = sub.add_parser("validate", help="run the Great Expectations suites on a build")
    validate.add_argument("build_dir", type=Path)
    validate.add_argument("--params", type=Path, default=Path("params.yaml"))
    validate.add_argument("--out", type=Path, help="results.json and data_docs/ go here (default: BUILD_DIR/validation)")
    validate.add_argument("--suite", action="append", dest="suites", metavar="NAME",
                          help="run only this suite of expectations/ (repeatable)")
    validate.add_argument("--no-docs", dest="docs", action="store_false", help="skip the Data Docs HTML")

    report = sub.add_parser("report", help="offline HTML report, metrics and plot data of a validated build")
    report.add_argument("build_dir", type=Path)
    report.add_argument("--validation", type=Path, required=True, help="results.json of validate")
    report.add_argument("--crosscheck", type=Path, help="crosscheck.json (its agreement goes into the metrics)")
    report.add_argument("--out", type=Path, required=True, help="report.html to write")
    report.add_argument("--metrics", type=Path, help="metrics.json to write (build metrics + validation + crosscheck)")
    report.add_argument("--plots", type=Path, help="directory for the plot data (CSV)")

    check_pdf = sub.add_parser("check-pdf", help="check PDFs as build would, building nothing (make diff)")
    check_pdf.add_argument("pdfs", type=Path, nargs="+", metavar="PDF")
    _add_limits(check_pdf)

    diff = sub.add_parser("diff", help="compare two builds")
    diff.add_argument("old_dir", type=Path)
    diff.add_argument("new_dir", type=Path)
    diff.add_argument("--format", choices=("json", "md", "html"), default="json")
    diff.add_argument("--out", type=Path, help="write the report here instead of stdout")
    return parser


def _run(args: argparse.Namespace) -> int:
    from pipeline import stages

    if args.command == "build":
        counts = stages.build(args.pdf, args.overview, args.out, progress=args.progress, duckdb=args.duckdb)
        print(" ".join(f"{name}={n}" for name, n in sorted(counts.items())), file=sys.stderr)
        return 0
    if args.command == "extract":
        stages.run_extract(args.pdf, args.overview, args.out, progress=args.progress)
        return 0
    if args.command == "parse":
        stages.run_parse(args.extract_dir, args.out)
        return 0
    if args.command == "normalize":
        stages.run_normalize(args.extract_dir, args.parse_dir, args.out)
        return 0
    if args.command == "write":
        stages.run_write(args.normalize_dir, args.out, duckdb=args.duckdb)
        return 0
    if args.command == "duckdb":
        from pipeline.database import run_duckdb
        return run_duckdb(args.build_dir, args.out)
    if args.command == "crosscheck":
        from pipeline.crosscheck import run_crosscheck
        return run_crosscheck(args.pdf, args.build, args.out, require=args.require_agreement)
    if args.command == "validate":
        from pipeline.validate import run_validate
        return run_validate(args.build_dir, args.params, args.out, docs=args.docs, suites=args.suites)
    if args.command == "report":
        from pipeline.report import run_report
        return run_report(args.build_dir, args.validation, args.out, crosscheck=args.crosscheck,
                          metrics_out=args.metrics, plots_dir=args.plots)
    if args.command == "check-pdf":
        from pipeline.inputs import check_pdf
        for pdf in args.pdfs:
            check_pdf(pdf)
        return 0
    if args.command == "diff":
        from pipeline.diff import run_diff
        return run_diff(args.old_dir, args.new_dir, args.format, args.out)
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from pipeline.inputs import InputError
    from pipeline.errors import ParseError

    expected: tuple[type[BaseException], ...] = (InputError, ParseError)
    try:
        from schemas.enforce import SchemaError
        expected += (SchemaError,)
    except ImportError:
        pass
    # pdfminer logs warnings about damaged files through the root logger's last resort (stderr); the
    # one-line error below says what matters.
    logging.getLogger("pdfminer").addHandler(logging.NullHandler())
    logging.getLogger("pdfminer").propagate = False
    from pipeline.inputs import limits

    max_mb, max_pages = getattr(args, "max_mb", None), getattr(args, "max_pages", None)
    try:
        if (max_mb is not None and max_mb <= 0) or (max_pages is not None and max_pages <= 0):
            raise InputError("--max-mb and --max-pages must be positive")
        with limits(max_bytes=None if max_mb is None else int(max_mb * 1024 * 1024), max_pages=max_pages):
            return _run(args)
    except expected as error:
        message = " ".join(str(error).split())
        # A parse error names the page; say which file (the plan, unless it names the excerpt already).
        files = [f for f in (getattr(args, "pdf", None), getattr(args, "overview", None)) if f is not None]
        if isinstance(error, ParseError) and files and not any(
                message.startswith((f"{f}:", f"{f.name}:")) for f in files):
            message = f"{files[0]}: {message}"
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
