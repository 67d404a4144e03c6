"""Files written whole or not at all: a temporary file beside the target, fsynced, then moved into place.

Its own module, free of pyarrow and pandas, because every stage writes JSON and the build imports the
table libraries only once its pages are being read (pipeline/stages/build.py)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, write: Callable[[object], None]) -> None:
    """``write(f)`` into ``path.with_suffix('.tmp')``, then replace ``path`` with it; on any error the temporary
    file is removed and a previous file at ``path`` is left untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # not there, or a read-only folder: the first error is the one to tell
            tmp.unlink()
        raise


def write_text(text: str, path: Path) -> None:
    """Write ``text`` as UTF-8, atomically."""
    atomic_write(Path(path), lambda f: f.write(text.encode("utf-8")))


def write_json(obj: object, path: Path, sort_keys: bool = True) -> None:
    """Write ``obj`` as JSON (sorted keys, indent 2, UTF-8 unescaped, trailing newline), atomically.
    ``sort_keys=False``: the keys are in order already (read back from such JSON)."""
    write_text(json.dumps(obj, sort_keys=sort_keys, indent=2, ensure_ascii=False) + "\n", path)
