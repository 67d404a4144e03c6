"""`python -m pipeline …`: build, the single stages, crosscheck, validate and diff.

Errors that are the input's fault (bad PDF, a document of another shape, a frame that breaks the
schema) print one line on stderr and exit 2; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="per-page progress bars (default: only on a terminal)")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="PDF → every table of the data contract")
    build.add_argument("--pdf", type=Path, required=True)
    build.add_argument("--overview", type=Path)
    build.add_argument("--out", type=Path, required=True)

    extract = sub.add_parser("extract", help="stage 1: PDF → layout.json")
    extract.add_argument("--pdf", type=Path, required=True)
    extract.add_argument("--overview", type=Path)
    extract.add_argument("--out", type=Path, required=True)

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

    crosscheck = sub.add_parser("crosscheck", help="camelot second extractor vs the build's cells")
    crosscheck.add_argument("--pdf", type=Path, required=True)
    crosscheck.add_argument("--build", type=Path, required=True, help="a build directory (reads cells.parquet)")
    crosscheck.add_argument("--out", type=Path, required=True, help="crosscheck.json to write")

    validate = sub.add_parser("validate", help="run the Great Expectations suites on a build")
    validate.add_argument("build_dir", type=Path)
    validate.add_argument("--params", type=Path, default=Path("params.yaml"))

    diff = sub.add_parser("diff", help="compare two builds")
    diff.add_argument("old_dir", type=Path)
    diff.add_argument("new_dir", type=Path)
    diff.add_argument("--format", choices=("json", "md", "html"), default="json")
    diff.add_argument("--out", type=Path, help="write the report here instead of stdout")
    return parser


def _run(args: argparse.Namespace) -> int:
    from pipeline import stages

    if args.command == "build":
        counts = stages.build(args.pdf, args.overview, args.out, progress=args.progress)
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
        stages.run_write(args.normalize_dir, args.out)
        return 0
    if args.command == "crosscheck":
        from pipeline.crosscheck import run_crosscheck
        return run_crosscheck(args.pdf, args.build, args.out)
    if args.command == "validate":
        from pipeline.validate import run_validate
        return run_validate(args.build_dir, args.params)
    if args.command == "diff":
        from pipeline.diff import run_diff
        return run_diff(args.old_dir, args.new_dir, args.format, args.out)
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from pipeline.inputs import InputError
    from pipeline.parse import ParseError

    expected: tuple[type[BaseException], ...] = (InputError, ParseError)
    try:
        from schemas.enforce import SchemaError
        expected += (SchemaError,)
    except ImportError:
        pass
    try:
        return _run(args)
    except expected as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
