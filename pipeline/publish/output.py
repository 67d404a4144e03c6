"""Writing a review folder: all or nothing, and only where renkei may.

A review folder holds ``index.html``, its images and a hidden marker file naming it renkei's. ``--out`` may be
missing, empty, or an earlier review (it has the marker); anything else is refused with one line before
anything is written. The new folder is assembled beside it and swapped in by renames, so a failed review
leaves the old one as it was.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

from pipeline.inputs import InputError

MARKER = ".renkei-review"


def check_review_out(out: Path) -> None:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: a file, not a folder; choose an empty or new folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise InputError(f"{out}: holds files renkei review did not write; choose an empty or new folder")
    if (out / ".git").exists() or out.resolve() == Path(out.resolve().anchor):
        raise InputError(f"{out}: not a place for a review; choose an empty or new folder")


def write_review(out: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (relative name → bytes) as the folder ``out``, replacing an earlier review there."""
    out = Path(out)
    check_review_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = out.parent / f".{out.name}.staging-{secrets.token_hex(4)}"
    old = out.parent / f".{out.name}.old-{secrets.token_hex(4)}"
    try:
        try:
            staged.mkdir()
            (staged / MARKER).write_text("written by `renkei review`; the folder is replaced by the next review\n",
                                         encoding="utf-8")
            for name, data in sorted(files.items()):
                path = staged / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        except OSError as error:
            raise InputError(f"{out}: cannot write the review ({' '.join(str(error).split())[:120]})") from None
        if out.exists():
            os.replace(out, old)
        try:
            os.replace(staged, out)
        except OSError:
            if old.exists():
                os.replace(old, out)  # put the earlier review back
            raise
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
