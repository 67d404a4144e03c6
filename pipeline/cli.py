"""`python -m pipeline …`: build, the single stages, duckdb, crosscheck, validate, report, check-pdf, diff and review.

Installed as the console script ``renkei`` (pyproject.toml ``[project.scripts]``): ``.venv/bin/renkei``.

Errors that are the input's fault (bad PDF, a document of another shape, a frame that breaks the
schema, an output folder renkei does not own, an input folder that is not a build) print one line on
stderr, naming the file, and exit 2; no traceback. That includes any exception pdfminer or pdfplumber raise
while reading a page of a damaged PDF ("page N: cannot be read (TypeError: …)"); set RENKEI_DEBUG=1 to
print the traceback of the original exception before that line.

Faults of the machine (pipeline.errors) are met the same way: a full or read-only disk, an output folder that
vanished, a PDF deleted or changed while it is read print one line and exit 2; Ctrl-C exits 130 and SIGTERM
143, each with one line. None of them replaces any file of an earlier build.

Every command is one entry of `COMMANDS`: its name, help, example, arguments and handler. The parser is
built from that table and the handler the parser picked is called; there is no second dispatch, so adding
a command is adding an entry.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Arg:
    """One argument of a command, as given to ``argparse.ArgumentParser.add_argument``."""

    flags: tuple[str, ...]
    options: dict = field(default_factory=dict)

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(*self.flags, **self.options)


def arg(*flags: str, **options) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Command:
    """A subcommand: ``renkei NAME``. Its --help shows ``help`` (or ``description``) and ends with
    ``example``; ``run`` gets the parsed arguments and returns the exit status."""

    name: str
    help: str
    example: str
    arguments: tuple[Arg, ...]
    run: Callable[[argparse.Namespace], int]
    description: str | None = None


def _limits() -> tuple[Arg, ...]:
    from pipeline.inputs import MAX_FILE_BYTES, MAX_PAGES

    return (arg("--max-pages", type=int, metavar="N",
                help=f"refuse a PDF of more pages than this (default {MAX_PAGES})"),
            arg("--max-mb", type=float, metavar="MB",
                help=f"refuse a PDF larger than this (default {MAX_FILE_BYTES // (1024 * 1024)})"))


LIMITS = _limits()
PDF_INPUTS = (
    arg("--pdf", type=Path, required=True, metavar="PLAN.pdf",
        help="the plan as published (raw/plan_whole.pdf: the whole vision, chapter VI is found in it by its "
             "heading, areas and tables) or chapter VI alone (raw/plan_vi.pdf), however printed; a PDF without "
             "chapter VI is refused"),
    arg("--overview", type=Path, metavar="EXCERPT.pdf",
        help="the one-page excerpt (抜粋, raw/overview.pdf); without it there is no overview table"),
)


def _out_dir(help: str) -> Arg:
    return arg("--out", type=Path, required=True, metavar="DIR", help=help)


def _folder(dest: str, metavar: str, help: str) -> Arg:
    return arg(dest, type=Path, metavar=metavar, help=help)


# -- the handlers ----------------------------------------------------------------------------------
def _build(args: argparse.Namespace) -> int:
    from pipeline.stages.build import build, without_frame_libraries

    with without_frame_libraries():
        counts = build(args.pdf, args.overview, args.out, progress=args.progress, duckdb=args.duckdb)
    print(" ".join(f"{name}={n}" for name, n in sorted(counts.items())), file=sys.stderr)
    return 0


def _extract(args: argparse.Namespace) -> int:
    from pipeline.stages.build import run_extract

    run_extract(args.pdf, args.overview, args.out, progress=args.progress)
    return 0


def _parse(args: argparse.Namespace) -> int:
    from pipeline.stages.build import run_parse

    run_parse(args.extract_dir, args.out)
    return 0


def _normalize(args: argparse.Namespace) -> int:
    from pipeline.stages.build import run_normalize

    run_normalize(args.extract_dir, args.parse_dir, args.out)
    return 0


def _write(args: argparse.Namespace) -> int:
    from pipeline.stages.build import run_write, without_frame_libraries

    with without_frame_libraries():
        run_write(args.normalize_dir, args.out, duckdb=args.duckdb)
    return 0


def _duckdb(args: argparse.Namespace) -> int:
    from pipeline.stages.database import run_duckdb

    return run_duckdb(args.build_dir, args.out, remove=args.remove)


def _crosscheck(args: argparse.Namespace) -> int:
    from pipeline.checks.crosscheck import run_crosscheck

    return run_crosscheck(args.pdf, args.build, args.out, require=args.require_agreement)


def _validate(args: argparse.Namespace) -> int:
    from pipeline.checks.validate import run_validate

    return run_validate(args.build_dir, args.params, args.out, suites=args.suites, fail=args.fail)


def _gate(args: argparse.Namespace) -> int:
    from pipeline.checks.gate import run_gate

    return run_gate(args.validation, args.build, args.report, args.review)


def _pin(args: argparse.Namespace) -> int:
    from pipeline.pin import run_pin

    return run_pin(args.build_dir, args.params, args.crosswalk, dry_run=args.dry_run, members_file=args.members,
                   add_members=args.member)


def _report(args: argparse.Namespace) -> int:
    from pipeline.publish.report import run_report

    return run_report(args.build_dir, args.validation, args.out, crosscheck=args.crosscheck,
                      metrics_out=args.metrics, plots_dir=args.plots)


def _check_pdf(args: argparse.Namespace) -> int:
    from pipeline.inputs import check_pdf

    for pdf in args.pdfs:
        check_pdf(pdf)
    return 0


def _diff(args: argparse.Namespace) -> int:
    from pipeline.publish.diffcommand import run_diff

    return run_diff(args.old, args.new, args.format, args.out, args.pdf, progress=args.progress)


def _review(args: argparse.Namespace) -> int:
    if args.new_dir is not None:
        from pipeline.publish.diffview import run_diff_review

        return run_diff_review(args.build_dir, args.new_dir, args.out, args.pdf, diff=args.diff,
                               progress=args.progress)
    from pipeline.publish.review import run_review

    return run_review(args.build_dir, args.out, args.pdf, progress=args.progress, validation=args.validation)


# -- the commands ----------------------------------------------------------------------------------
COMMANDS: tuple[Command, ...] = (
    Command("build", "PDF → every table of the data contract (Parquet, manifest, metrics)",
            "renkei build --pdf raw/plan_whole.pdf --overview raw/overview.pdf --out build-out",
            (*PDF_INPUTS,
             _out_dir("the build folder to write: new, empty or an earlier build (anything else is refused, "
                      "nothing touched)"),
             arg("--duckdb", action=argparse.BooleanOptionalAction, default=False,
                 help="also write renkei.duckdb, the tables as one commented DuckDB database (default: not; "
                      "`renkei duckdb DIR` writes it for a build; an earlier build's is removed, not left stale)"),
             *LIMITS),
            _build),
    Command("extract", "stage 1: PDF → layout.json (characters, rules, cells)",
            "renkei extract --pdf raw/plan_vi.pdf --overview raw/overview.pdf --out build/extract",
            (*PDF_INPUTS, _out_dir("folder for layout.json"), *LIMITS),
            _extract),
    Command("parse", "stage 2: layout → records.json (text as printed)",
            "renkei parse build/extract --out build/parse",
            (_folder("extract_dir", "EXTRACT_DIR", "the extract stage's folder"),
             _out_dir("folder for records.json")),
            _parse),
    Command("normalize", "stage 3: records → tables.json (numbers, years, codes)",
            "renkei normalize build/extract build/parse --out build/normalize",
            (_folder("extract_dir", "EXTRACT_DIR", "the extract stage's folder"),
             _folder("parse_dir", "PARSE_DIR", "the parse stage's folder"),
             _out_dir("folder for tables.json")),
            _normalize),
    Command("write", "stage 4: tables.json → Parquet, manifest, metrics",
            "renkei write build/normalize --out out/data",
            (_folder("normalize_dir", "NORMALIZE_DIR", "the normalize stage's folder"),
             _out_dir("the build folder (same rules as build --out)"),
             arg("--duckdb", action=argparse.BooleanOptionalAction, default=False,
                 help="also write renkei.duckdb (default: not; dvc.yaml never does: its bytes differ from run "
                      "to run, and `make run` writes out/renkei.duckdb once the pipeline passed)")),
            _write),
    Command("duckdb", "a build's tables as one DuckDB database, commented from the schema",
            "renkei duckdb build-out --out build-out/renkei.duckdb",
            (_folder("build_dir", "BUILD_DIR", "a build folder"),
             arg("--out", type=Path, metavar="FILE",
                 help="the database file to write (default: BUILD_DIR/renkei.duckdb)"),
             arg("--remove", action="store_true",
                 help="remove that database instead, before the build changes (`make run`, ahead of dvc repro); "
                      "a file there that is not a DuckDB database is refused and left")),
            _duckdb),
    Command("crosscheck", "camelot second extractor vs the build's cells",
            "renkei crosscheck --pdf raw/plan_vi.pdf --build out/data --out out/crosscheck.json "
            "--require-agreement 1.0",
            (arg("--pdf", type=Path, required=True, metavar="PLAN.pdf", help="the PDF the build was made from"),
             arg("--build", type=Path, required=True, metavar="DIR", help="a build directory (reads cells.parquet)"),
             arg("--out", type=Path, required=True, metavar="FILE", help="crosscheck.json to write"),
             arg("--require-agreement", type=float, metavar="SHARE",
                 help="exit 1 (printing the disagreements) when the agreement is below SHARE or any cell "
                      "disagrees; dvc.yaml uses 1.0")),
            _crosscheck),
    Command("validate", "run the Great Expectations suites (expectations/) on a build",
            "renkei validate out/data --params params.yaml --out out/validation\n"
            "renkei validate out/data --suite budgets --suite metrics_reconciliation",
            (_folder("build_dir", "BUILD_DIR", "the build folder to validate"),
             arg("--params", type=Path, default=Path("params.yaml"), metavar="FILE",
                 help="pinned, reviewed values (pinned:) the suites refer to (default: params.yaml)"),
             arg("--out", type=Path, metavar="DIR", help="results.json goes here (default: BUILD_DIR/validation)"),
             arg("--suite", action="append", dest="suites", metavar="NAME",
                 help="run only this suite of expectations/ (repeatable)"),
             arg("--no-fail", dest="fail", action="store_false",
                 help="record failed expectations in results.json but exit 0 (dvc.yaml: `gate` fails the run "
                      "after the report and the review are written)")),
            _validate,
            description="Run the expectation suites on a build; print one line per failed expectation and a "
                        "summary; write results.json. Exit 0 passed, 1 failed, 2 not a build. `renkei report` "
                        "renders every outcome as HTML."),
    Command("report", "offline HTML report, metrics and plot data of a validated build",
            "renkei report out/data --validation out/validation/results.json --crosscheck out/crosscheck.json "
            "--out out/report.html --metrics out/metrics.json --plots out/plots",
            (_folder("build_dir", "BUILD_DIR", "the build folder"),
             arg("--validation", type=Path, required=True, metavar="FILE", help="results.json of validate"),
             arg("--crosscheck", type=Path, metavar="FILE",
                 help="crosscheck.json (its agreement goes into the page and the metrics)"),
             arg("--out", type=Path, required=True, metavar="FILE", help="report.html to write"),
             arg("--metrics", type=Path, metavar="FILE",
                 help="metrics.json to write (build metrics + validation + crosscheck)"),
             arg("--plots", type=Path, metavar="DIR", help="directory for the plot data (CSV)")),
            _report),
    Command("gate", "fail the run when validation failed or project ids are provisional, naming the report",
            "renkei gate out/validation/results.json --build out/data --report out/report.html "
            "--review out/review/index.html",
            (arg("validation", type=Path, metavar="RESULTS.json", help="results.json of validate"),
             arg("--build", type=Path, required=True, metavar="DIR", help="the build (its manifest names "
                 "provisional project ids)"),
             arg("--report", type=Path, required=True, metavar="FILE", help="report.html of the build"),
             arg("--review", type=Path, required=True, metavar="FILE", help="the review's index.html")),
            _gate,
            description="The last stage of dvc.yaml: exit 1 with one line when the build failed validation (a "
                        "pinned, reviewed value differs: a new edition) or has provisional project ids, naming "
                        "the report and the review to look at and `renkei pin` to take the new figures after "
                        "looking; exit 2 when the report or the review is missing. Exit 0 otherwise."),
    Command("pin", "take a reviewed build's figures into params.yaml, its new project ids into the crosswalk and "
                   "its members into schemas/members.csv",
            "renkei pin out/data\nrenkei pin out/data --dry-run\nrenkei pin --member 栗山町",
            (arg("build_dir", type=Path, nargs="?", metavar="BUILD_DIR",
                 help="the reviewed build (leave out with --member alone: only the members file is edited)"),
             arg("--member", action="append", default=[], metavar="NAME",
                 help="a partner municipality to add to the reviewed members (a chapter-only edition prints no "
                      "member table; repeat for several)"),
             arg("--members", type=Path, metavar="FILE",
                 help="the reviewed members file (default: schemas/members.csv of this renkei)"),
             arg("--params", type=Path, default=Path("params.yaml"), metavar="FILE",
                 help="the params file whose pinned: block is rewritten (comments kept; default: params.yaml)"),
             arg("--crosswalk", type=Path, metavar="FILE",
                 help="the project id crosswalk (default: schemas/project_ids.csv of this renkei)"),
             arg("--dry-run", action="store_true", help="print the diff, write nothing")),
            _pin,
            description="Run by a person after looking at the report and the review of a new edition, never "
                        "by `make run`: writes the build's counts and first-year budget total into params.yaml "
                        "`pinned:` (editing only those values, comments kept) and its projects into the "
                        "crosswalk (new provisional ids taken in, renamed projects' names updated) and the "
                        "members it read from the PDF's member tables (plus any --member) into the members file, "
                        "printing the changes as a unified diff. Exit 0 (also when nothing changes), 2 when the build "
                        "cannot be read or its ids do not follow the crosswalk (rebuild first)."),
    Command("check-pdf", "check PDFs as build would, building nothing (make diff)",
            "renkei check-pdf raw/plan_vi.pdf tests/fixtures/plan_vi_revised_sample.pdf",
            (arg("pdfs", type=Path, nargs="+", metavar="PDF", help="the PDFs to check"), *LIMITS),
            _check_pdf),
    Command("diff", "compare two editions of the plan (two builds or two PDFs)",
            "renkei diff raw/plan_vi.pdf tests/fixtures/plan_vi_revised_sample.pdf --out out/diff\n"
            "renkei diff out/diff/old out/diff/new --format md --out diff.md",
            (arg("old", type=Path, metavar="OLD", help="the old edition: a build, or its PDF (built into OUT/old)"),
             arg("new", type=Path, metavar="NEW", help="the new edition: a build, or its PDF (built into OUT/new)"),
             arg("--format", choices=("json", "md", "html"), default=None,
                 help="write this one report: json (docs/diff.md), md or html (default: json on stdout; with "
                      "--out DIR all three)"),
             arg("--out", type=Path, metavar="FILE|DIR",
                 help="a FILE (with --format, or ending in .json/.md/.html) for one report, else a DIR for "
                      "diff.json, diff.md and diff.html (and the builds of two PDFs); default stdout"),
             arg("--pdf", type=Path, action="append", default=[], metavar="FILE",
                 help="a PDF a build was read from, for the HTML report's crops (repeatable; matched by SHA-256; "
                      "the builds' manifests name theirs)"),
             *LIMITS),
            _diff,
            description="Compare two editions: added, removed, renamed and renumbered projects, budget totals per "
                        "fiscal year, every edit counted once with both numberings and pages, per partner "
                        "municipality (docs/diff.md). The HTML report shows each changed value as crops of its "
                        "cell in both editions' pages, cited by printed page label. Exit 0 identical, "
                        "1 differences, 2 the comparison failed."),
    Command("review", "every value drawn on its PDF page (offline HTML); with two builds, the diff",
            "renkei review out/data --pdf raw/plan_vi.pdf --pdf raw/overview.pdf --out out/review\n"
            "renkei review out/diff/old out/diff/new --pdf raw/plan_vi.pdf "
            "--pdf tests/fixtures/plan_vi_revised_sample.pdf --out out/diff/review",
            (_folder("build_dir", "BUILD", "the build to review (or OLD_BUILD)"),
             arg("new_dir", type=Path, nargs="?", metavar="NEW_BUILD",
                 help="review the diff of BUILD (old) and NEW_BUILD instead"),
             arg("--pdf", type=Path, action="append", default=[], metavar="FILE",
                 help="a PDF the build(s) were read from (repeatable; each is matched to its source by SHA-256)"),
             arg("--diff", type=Path, metavar="DIFF.json",
                 help="with two builds: the diff JSON of `renkei diff` (default: compare them now)"),
             arg("--validation", type=Path, metavar="RESULTS.json",
                 help="one build: results.json of `renkei validate`, whose FAIL rows head the page with the "
                      "build's provisional project ids (default: BUILD/validation/results.json if present)"),
             arg("--out", type=Path, required=True, metavar="DIR",
                 help="the review folder: new, empty or an earlier review (replaced whole)")),
            _review,
            description="One build: every page that fed the dataset with the box of every cell drawn on it, "
                        "coloured by table and column, and the records read from it beside it (select a value "
                        "to mark its box; filter by project No., name or municipality). Two builds (OLD_BUILD "
                        "NEW_BUILD): the diff, each changed value as crops of its cell in both editions, pages "
                        "cited by printed label. The PDFs must be the ones the builds' manifests name (checked "
                        "by SHA-256): for one build a missing or different PDF is an error (exit 2); for a diff "
                        "it is said and the values are shown as text. Writes OUT/index.html and its images "
                        "(docs/review.md)."),
)


def _parser(commands: tuple[Command, ...] = COMMANDS) -> argparse.ArgumentParser:
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
    for command in commands:
        # Each subcommand's --help ends with its example.
        child = sub.add_parser(command.name, help=command.help, description=command.description or command.help,
                               epilog="example:\n  " + command.example.replace("\n", "\n  "),
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        for argument in command.arguments:
            argument.add_to(child)
        child.set_defaults(handler=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from pipeline import errors
    from pipeline.inputs import InputError, limits

    expected: tuple[type[BaseException], ...] = (InputError, errors.ParseError)
    # pdfminer logs warnings about damaged files through the root logger's last resort (stderr); the
    # one-line error below says what matters.
    logging.getLogger("pdfminer").addHandler(logging.NullHandler())
    logging.getLogger("pdfminer").propagate = False

    max_mb, max_pages = getattr(args, "max_mb", None), getattr(args, "max_pages", None)
    with errors.handle_signals():
        try:
            if (max_mb is not None and max_mb <= 0) or (max_pages is not None and max_pages <= 0):
                raise InputError("--max-mb and --max-pages must be positive")
            with limits(max_bytes=None if max_mb is None else int(max_mb * 1024 * 1024), max_pages=max_pages):
                return args.handler(args)
        except BaseException as error:  # noqa: B036 - each kind is told apart below, the rest re-raised
            return _failed(error, args, expected)


def _inputs(args: argparse.Namespace) -> list[Path]:
    """The PDFs the command reads (named first in a parse error, and as deleted when one vanishes)."""
    pdf = getattr(args, "pdf", None)
    editions = [getattr(args, side, None) for side in ("old", "new")]  # `diff OLD.pdf NEW.pdf`
    return [f for f in (*(pdf if isinstance(pdf, list) else [pdf]), getattr(args, "overview", None),
                        *(getattr(args, "pdfs", None) or ()), *editions)
            if isinstance(f, Path) and (f.suffix.lower() == ".pdf" or f not in editions)]


def _failed(error: BaseException, args: argparse.Namespace, expected: tuple[type[BaseException], ...]) -> int:
    """The one line and the exit status for an error that ended the command; re-raises a bug's error."""
    import signal

    from pipeline import errors

    signum = errors.received()  # a signal outranks what it caused (a worker ended by the same SIGTERM)
    if signum is None and isinstance(error, KeyboardInterrupt):
        signum = signal.SIGINT
    note = ""
    if isinstance(error, errors.Interrupted):
        signum, note = error.signum, error.note
    if signum is not None:
        print(errors.interrupted_line(signum, note), file=sys.stderr)
        return errors.exit_code(signum)
    # A SchemaError can only come from schemas.enforce or schemas.rows once something imported them (and
    # schemas.errors with them): importing those here for every command would load pyarrow into stages
    # that never use it.
    schema_errors = sys.modules.get("schemas.errors")
    if schema_errors is not None:
        expected += (schema_errors.SchemaError,)
    if isinstance(error, expected):
        message = " ".join(str(error).split())
        # A parse error names the page; say which file (the plan, unless it names the excerpt already).
        files = _inputs(args)
        if isinstance(error, errors.ParseError) and files and not any(
                message.startswith((f"{f}:", f"{f.name}:")) for f in files):
            message = f"{files[0]}: {message}"
    elif errors.is_fault(error):
        from pipeline.stages.builddir import STAGING_PREFIX

        out = getattr(args, "out", None)
        message = errors.describe(error, out=out if getattr(args, "command", "") in ("build", "write") else None,
                                  inputs=tuple(_inputs(args)), staging=STAGING_PREFIX)
    else:
        raise error
    if os.environ.get("RENKEI_DEBUG"):
        traceback.print_exception(error)
    print(f"error: {message}", file=sys.stderr)
    return errors.FAULT_EXIT
