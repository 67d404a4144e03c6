"""`python -m pipeline …`: build, the single stages, duckdb, crosscheck, validate, report, check-pdf, diff and review.

Installed as the console script ``renkei`` (pyproject.toml ``[project.scripts]``): ``.venv/bin/renkei``.

Errors that are the input's fault (bad PDF, a document of another shape, a frame that breaks the
schema, an output folder renkei does not own, an input folder that is not a build) print one line on
stderr, naming the file, and exit 2; no traceback. That includes any exception pdfminer or pdfplumber raise
while reading a page of a damaged PDF ("page N: cannot be read (TypeError: …)"); set RENKEI_DEBUG=1 to
print the traceback of the original exception before that line.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path


def _add_limits(command: argparse.ArgumentParser) -> None:
    from pipeline.inputs import MAX_FILE_BYTES, MAX_PAGES

    command.add_argument("--max-pages", type=int, metavar="N",
                         help=f"refuse a PDF of more pages than this (default {MAX_PAGES})")
    command.add_argument("--max-mb", type=float, metavar="MB",
                         help=f"refuse a PDF larger than this (default {MAX_FILE_BYTES // (1024 * 1024)})")


def _command(sub, name: str, help: str, example: str, description: str | None = None) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with an example."""
    return sub.add_parser(name, help=help, description=description or help,
                          epilog="example:\n  " + example.replace("\n", "\n  "),
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="renkei", description=__doc__.splitlines()[0].replace("`python -m pipeline …`", "renkei"),
        epilog="Run it as .venv/bin/renkei, as renkei after `. .venv/bin/activate`, or as\n"
               "`.venv/bin/python -m pipeline` (make run installs .venv).\n\n"
               "examples:\n"
               "  renkei build --pdf raw/plan_whole.pdf --overview raw/overview.pdf --out build-out\n"
               "  renkei validate build-out\n"
               "  renkei diff old-build new-build --format md\n"
               "  renkei COMMAND --help",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="per-page progress bars (default: only on a terminal)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def pdf_inputs(command: argparse.ArgumentParser) -> None:
        command.add_argument("--pdf", type=Path, required=True, metavar="PLAN.pdf",
                             help="the plan as published (raw/plan_whole.pdf: the whole vision, chapter VI is "
                                  "found in it by its heading, areas and tables) or chapter VI alone "
                                  "(raw/plan_vi.pdf), however printed; a PDF without chapter VI is refused")
        command.add_argument("--overview", type=Path, metavar="EXCERPT.pdf",
                             help="the one-page excerpt (抜粋, raw/overview.pdf); without it there is no "
                                  "overview table")

    build = _command(sub, "build", "PDF → every table of the data contract (Parquet, manifest, metrics)",
                     "renkei build --pdf raw/plan_whole.pdf --overview raw/overview.pdf --out build-out")
    pdf_inputs(build)
    build.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="the build folder to write: new, empty or an earlier build (anything else is "
                            "refused, nothing touched)")
    build.add_argument("--no-duckdb", dest="duckdb", action="store_false",
                       help="skip renkei.duckdb (the tables as one commented DuckDB database)")
    _add_limits(build)

    extract = _command(sub, "extract", "stage 1: PDF → layout.json (characters, rules, cells)",
                       "renkei extract --pdf raw/plan_vi.pdf --overview raw/overview.pdf --out build/extract")
    pdf_inputs(extract)
    extract.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for layout.json")
    _add_limits(extract)

    parse = _command(sub, "parse", "stage 2: layout → records.json (text as printed)",
                     "renkei parse build/extract --out build/parse")
    parse.add_argument("extract_dir", type=Path, metavar="EXTRACT_DIR", help="the extract stage's folder")
    parse.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for records.json")

    normalize = _command(sub, "normalize", "stage 3: records → tables.json (numbers, years, codes)",
                         "renkei normalize build/extract build/parse --out build/normalize")
    normalize.add_argument("extract_dir", type=Path, metavar="EXTRACT_DIR", help="the extract stage's folder")
    normalize.add_argument("parse_dir", type=Path, metavar="PARSE_DIR", help="the parse stage's folder")
    normalize.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for tables.json")

    write = _command(sub, "write", "stage 4: tables.json → Parquet, manifest, metrics",
                     "renkei write build/normalize --out out/data")
    write.add_argument("normalize_dir", type=Path, metavar="NORMALIZE_DIR", help="the normalize stage's folder")
    write.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="the build folder (same rules as build --out)")
    write.add_argument("--no-duckdb", dest="duckdb", action="store_false",
                       help="skip renkei.duckdb (dvc.yaml: its bytes differ from run to run)")

    database = _command(sub, "duckdb", "a build's tables as one DuckDB database, commented from the schema",
                        "renkei duckdb build-out --out build-out/renkei.duckdb")
    database.add_argument("build_dir", type=Path, metavar="BUILD_DIR", help="a build folder")
    database.add_argument("--out", type=Path, metavar="FILE",
                          help="the database file to write (default: BUILD_DIR/renkei.duckdb)")

    crosscheck = _command(sub, "crosscheck", "camelot second extractor vs the build's cells",
                          "renkei crosscheck --pdf raw/plan_vi.pdf --build out/data --out out/crosscheck.json "
                          "--require-agreement 1.0")
    crosscheck.add_argument("--pdf", type=Path, required=True, metavar="PLAN.pdf", help="the PDF the build was made from")
    crosscheck.add_argument("--build", type=Path, required=True, metavar="DIR",
                            help="a build directory (reads cells.parquet)")
    crosscheck.add_argument("--out", type=Path, required=True, metavar="FILE", help="crosscheck.json to write")
    crosscheck.add_argument("--require-agreement", type=float, metavar="SHARE",
                            help="exit 1 (printing the disagreements) when the agreement is below SHARE "
                                 "or any cell disagrees; dvc.yaml uses 1.0")

    validate = _command(sub, "validate", "run the Great Expectations suites (expectations/) on a build",
                        "renkei validate out/data --params params.yaml --out out/validation\n"
                        "renkei validate out/data --suite budgets --suite metrics_reconciliation",
                        description="Run the expectation suites on a build; print one line per failed "
                                    "expectation and a summary; write results.json. Exit 0 passed, 1 failed, "
                                    "2 not a build. `renkei report` renders every outcome as HTML.")
    validate.add_argument("build_dir", type=Path, metavar="BUILD_DIR", help="the build folder to validate")
    validate.add_argument("--params", type=Path, default=Path("params.yaml"), metavar="FILE",
                          help="pinned, reviewed values (pinned:) the suites refer to (default: params.yaml)")
    validate.add_argument("--out", type=Path, metavar="DIR",
                          help="results.json goes here (default: BUILD_DIR/validation)")
    validate.add_argument("--suite", action="append", dest="suites", metavar="NAME",
                          help="run only this suite of expectations/ (repeatable)")
    validate.add_argument("--no-docs", dest="docs", action="store_false",
                          help="no effect, kept for old scripts (Data Docs are no longer written; "
                               "`report` renders every expectation offline)")

    report = _command(sub, "report", "offline HTML report, metrics and plot data of a validated build",
                      "renkei report out/data --validation out/validation/results.json "
                      "--crosscheck out/crosscheck.json --out out/report.html --metrics out/metrics.json "
                      "--plots out/plots")
    report.add_argument("build_dir", type=Path, metavar="BUILD_DIR", help="the build folder")
    report.add_argument("--validation", type=Path, required=True, metavar="FILE", help="results.json of validate")
    report.add_argument("--crosscheck", type=Path, metavar="FILE",
                        help="crosscheck.json (its agreement goes into the page and the metrics)")
    report.add_argument("--out", type=Path, required=True, metavar="FILE", help="report.html to write")
    report.add_argument("--metrics", type=Path, metavar="FILE",
                        help="metrics.json to write (build metrics + validation + crosscheck)")
    report.add_argument("--plots", type=Path, metavar="DIR", help="directory for the plot data (CSV)")

    check_pdf = _command(sub, "check-pdf", "check PDFs as build would, building nothing (make diff)",
                         "renkei check-pdf raw/plan_vi.pdf tests/fixtures/plan_vi_revised_sample.pdf")
    check_pdf.add_argument("pdfs", type=Path, nargs="+", metavar="PDF", help="the PDFs to check")
    _add_limits(check_pdf)

    diff = _command(sub, "diff", "compare two builds (two editions of the plan)",
                    "renkei diff out/diff/old out/diff/new --format md --out diff.md",
                    description="Compare two builds: added, removed, renamed and renumbered projects, budget "
                                "totals per fiscal year, changed values with both numberings and pages "
                                "(docs/diff.md). Exit 0 identical, 1 differences, 2 the comparison failed.")
    diff.add_argument("old_dir", type=Path, metavar="OLD_BUILD", help="the build of the old edition")
    diff.add_argument("new_dir", type=Path, metavar="NEW_BUILD", help="the build of the new edition")
    diff.add_argument("--format", choices=("json", "md", "html"), default="json",
                      help="json (docs/diff.md), md or html (default: json)")
    diff.add_argument("--out", type=Path, metavar="FILE", help="write the report here instead of stdout")

    review = _command(sub, "review", "every value drawn on its PDF page (offline HTML); with two builds, the diff",
                      "renkei review out/data --pdf raw/plan_vi.pdf --pdf raw/overview.pdf --out out/review\n"
                      "renkei review out/diff/old out/diff/new --pdf raw/plan_vi.pdf "
                      "--pdf tests/fixtures/plan_vi_revised_sample.pdf --out out/diff/review",
                      description="One build: every page that fed the dataset with the box of every cell drawn "
                                  "on it, coloured by table and column, and the records read from it beside it "
                                  "(select a value to mark its box; filter by project No., name or municipality). "
                                  "Two builds (OLD_BUILD NEW_BUILD): the diff, each changed value as crops of "
                                  "its cell in both editions, pages cited by printed label. The PDFs must be the "
                                  "ones the builds' manifests name (checked by SHA-256): for one build a missing "
                                  "or different PDF is an error (exit 2); for a diff it is said and the values "
                                  "are shown as text. Writes OUT/index.html and its images (docs/review.md).")
    review.add_argument("build_dir", type=Path, metavar="BUILD", help="the build to review (or OLD_BUILD)")
    review.add_argument("new_dir", type=Path, nargs="?", metavar="NEW_BUILD",
                        help="review the diff of BUILD (old) and NEW_BUILD instead")
    review.add_argument("--pdf", type=Path, action="append", default=[], metavar="FILE",
                        help="a PDF the build(s) were read from (repeatable; each is matched to its source by "
                             "SHA-256)")
    review.add_argument("--diff", type=Path, metavar="DIFF.json",
                        help="with two builds: the diff JSON of `renkei diff` (default: compare them now)")
    review.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the review folder: new, empty or an earlier review (replaced whole)")
    return parser


def _run(args: argparse.Namespace) -> int:
    from pipeline.stages import build as stages

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
        from pipeline.stages.database import run_duckdb
        return run_duckdb(args.build_dir, args.out)
    if args.command == "crosscheck":
        from pipeline.checks.crosscheck import run_crosscheck
        return run_crosscheck(args.pdf, args.build, args.out, require=args.require_agreement)
    if args.command == "validate":
        from pipeline.checks.validate import run_validate
        return run_validate(args.build_dir, args.params, args.out, docs=args.docs, suites=args.suites)
    if args.command == "report":
        from pipeline.checks.report import run_report
        return run_report(args.build_dir, args.validation, args.out, crosscheck=args.crosscheck,
                          metrics_out=args.metrics, plots_dir=args.plots)
    if args.command == "check-pdf":
        from pipeline.inputs import check_pdf
        for pdf in args.pdfs:
            check_pdf(pdf)
        return 0
    if args.command == "diff":
        from pipeline.diff.command import run_diff
        return run_diff(args.old_dir, args.new_dir, args.format, args.out)
    if args.command == "review":
        if args.new_dir is not None:
            from pipeline.publish.diffview import run_diff_review
            return run_diff_review(args.build_dir, args.new_dir, args.out, args.pdf, diff=args.diff,
                                   progress=args.progress)
        from pipeline.publish.review import run_review
        return run_review(args.build_dir, args.out, args.pdf, progress=args.progress)
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
        if os.environ.get("RENKEI_DEBUG"):
            traceback.print_exception(error)
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
