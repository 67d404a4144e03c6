"""`renkei diff OLD NEW`: compare two builds and write the report. Separate from compare.py so that the
comparison never imports its renderers (report.py imports compare.py, not the other way round)."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.diff.compare import DiffError, diff_builds
from pipeline.errors import one_line
from pipeline.diff.report import render


def run_diff(old_dir: Path, new_dir: Path, fmt: str, out: Path | None) -> int:
    """Compare, write the report (``out`` or stdout); 0 identical, 1 differences, 2 failure."""
    try:
        result = diff_builds(old_dir, new_dir)
        text = render(result, fmt)
    except DiffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        if out is not None:
            out = Path(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(out.name + ".tmp")
            tmp.write_bytes(text.encode("utf-8"))
            tmp.replace(out)
        else:
            stream = getattr(sys.stdout, "buffer", None)
            if stream is not None:
                sys.stdout.flush()
                stream.write(text.encode("utf-8"))
                stream.flush()
            else:
                sys.stdout.write(text)
    except OSError as error:
        print(f"error: cannot write the report: {one_line(error, 200)}", file=sys.stderr)
        return 2
    return 0 if result.identical else 1
