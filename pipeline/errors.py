"""The errors the CLI reports as one line: the document's (`ParseError`) and the machine's.

Faults of the machine, met calmly: a signal, a full or read-only disk, an input that moves while it is read.

None of them is the input's fault and none may end in a traceback or a half-replaced build. The CLI turns each
into one line on stderr and an exit code (`exit_code`): 2 for a fault, 130 for Ctrl-C (SIGINT), 143 for
SIGTERM, as a shell reports a process a signal ended (128 + the signal's number).

- **Signals.** `handle_signals` makes SIGINT and SIGTERM raise `Interrupted` in the main thread, so the
  `finally` blocks run (the staging folder is removed, temporary files deleted) and the earlier build stays as
  it was. Python's default SIGTERM ends the process at once, skipping them. Inside `shielded()` (the few
  renames that put a finished build in place) a signal is held back and raised when the block ends: a build
  is either not swapped in or swapped in whole. A forked worker process that inherited the handler ends
  itself as the signal would have (the parent reports it).
- **Writes.** An `OSError` (ENOSPC, EROFS, EACCES, ENOENT of a folder removed under the build) or a DuckDB
  I/O or fatal error becomes `describe`'s one line. Every write goes to a temporary file or the hidden
  staging folder first and is moved in with ``os.replace`` (pipeline.stages.builddir, pipeline.stages.write,
  pipeline.stages.database), so a failed write leaves the previous file.
- **Inputs that change.** `SourceWatch` fingerprints the PDFs before they are read and checks them once
  reading is over, before anything is swapped in: a PDF replaced, rewritten or deleted meanwhile gives data
  from no one file, so the build is refused (exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from pipeline.inputs import InputError


class ParseError(ValueError):
    """The document does not have the shape of the plan; the message names the page and the problem."""


SIGNALS = (signal.SIGINT, signal.SIGTERM)
FAULT_EXIT = 2
_NAMES = {signal.SIGINT: "interrupted (Ctrl-C)", signal.SIGTERM: "terminated (SIGTERM)"}


class Interrupted(BaseException):
    """A signal asked the run to stop. A BaseException, as KeyboardInterrupt: ``except Exception`` in a
    library must not swallow it."""

    def __init__(self, signum: int, note: str = "") -> None:
        super().__init__(_NAMES.get(signum, f"signal {signum}"))
        self.signum, self.note = signum, note


class _State:
    main_pid: int | None = None
    received: int | None = None
    shield_depth = 0


def _handler(signum: int, frame: object) -> None:
    if os.getpid() != _State.main_pid:  # a forked worker: end as the signal would have, quietly
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _State.received = signum
    if _State.shield_depth == 0:
        raise Interrupted(signum)


@contextlib.contextmanager
def handle_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise `Interrupted` inside the block (main thread only; elsewhere a no-op), the
    previous handlers come back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    _State.main_pid, _State.received = os.getpid(), None
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _State.main_pid = None


def received() -> int | None:
    """The signal received since `handle_signals` began, if any: it outranks the error it caused (a worker
    process ended by the same SIGTERM makes its page unreadable)."""
    return _State.received


def check_received() -> None:
    """Raise `Interrupted` when a signal came but its exception did not get through: library code the
    handler interrupted may have caught it (the build imports pandas, pyarrow and duckdb while its workers
    read pages). The build calls this between its steps, so a build asked to stop is never swapped in."""
    if _State.received is not None and _State.main_pid == os.getpid() and _State.shield_depth == 0:
        raise Interrupted(_State.received)


@contextlib.contextmanager
def shielded(note: str = "") -> Iterator[None]:
    """Hold SIGINT/SIGTERM back while the block runs; raise `Interrupted` after it if one came (with
    ``note``, what the block finished, for the one line)."""
    _State.shield_depth += 1
    try:
        yield
    finally:
        _State.shield_depth -= 1
    if _State.shield_depth == 0 and _State.received is not None and _State.main_pid == os.getpid():
        raise Interrupted(_State.received, note)


def exit_code(signum: int) -> int:
    return 128 + signum


def interrupted_line(signum: int, note: str = "") -> str:
    line = f"error: {_NAMES.get(signum, f'signal {signum}')}"
    return f"{line} {note}" if note else line


# -- write and read faults -------------------------------------------------------------------------
_ADVICE = {
    errno.ENOSPC: "free some space and run again",
    errno.EDQUOT: "free some space and run again",
    errno.EROFS: "choose a writable folder",
    errno.EACCES: "choose a folder you may write",
    errno.EPERM: "choose a folder you may write",
}


def one_line(text: object, limit: int | None = None) -> str:
    """A message (an error's, a library's) as one line, at most ``limit`` characters: what a refusal quotes of
    a library's error, whose message may span lines or hold a whole file's name list."""
    line = " ".join(str(text).split())
    return line if limit is None else line[:limit]


def _shown_path(filename: object, out: Path | None, staging: str) -> str:
    """The path to name: a file inside the hidden staging folder (a name starting with ``staging``) is
    named by the output folder."""
    path = Path(os.fsdecode(filename))
    for parent in (path, *path.parents):
        if staging and parent.name.startswith(staging):
            inside = path.relative_to(parent)
            shown = str(out if out is not None else parent.parent)
            return f"{shown} (writing {inside})" if inside.parts else shown
    return str(path)


# What DuckDB's errors say when the operating system refused a write (DuckDB raises them as IOException,
# FatalException or, at a commit, TransactionException).
_DUCKDB_OS_ERRORS = ("No space left on device", "Read-only file system", "Permission denied", "Disk quota exceeded",
                     "Could not write file", "Could not open file", "Could not truncate file")


def is_fault(error: BaseException) -> bool:
    """An error of the machine rather than of renkei: an OSError, DuckDB's I/O and fatal errors, and any
    DuckDB error that reports the operating system refusing a write."""
    if isinstance(error, OSError):
        return True
    duckdb = _duckdb()
    if duckdb is None or not isinstance(error, duckdb.Error):
        return False
    return isinstance(error, (duckdb.IOException, duckdb.FatalException)) or any(
        words in str(error) for words in _DUCKDB_OS_ERRORS)


def _duckdb():
    import sys

    return sys.modules.get("duckdb")  # only when a command used it; never imported for this


def describe(error: BaseException, out: Path | None = None, inputs: tuple[Path, ...] = (),
             staging: str = "") -> str:
    """One line for a fault: the path (the output folder for a file of the staging folder, whose names start
    with ``staging``), what happened and what to do. ``inputs``: the PDFs read, so that one deleted under
    the run is named as such."""
    if isinstance(error, OSError):
        code = error.errno
        reason = os.strerror(code) if code else one_line(error)
        if error.filename is not None:
            where = _shown_path(error.filename, out, staging)
        else:
            where = str(out) if out is not None else "renkei"
        if code == errno.ENOENT and where in {str(p) for p in inputs}:
            return f"{where}: the file was deleted while it was read; nothing was replaced"
        if code == errno.ENOENT and out is not None and not Path(out).exists():
            return f"{out}: the output folder disappeared while it was written; nothing else was touched"
    else:  # DuckDB's I/O or fatal error: the OS error it met is in its text
        text = one_line(error)
        marker = "Original error:"
        reason = text.split(marker, 1)[1].strip(' "') if marker in text else text.split(": ", 1)[-1]
        if staging:  # name the output folder, not the hidden staging folder inside it
            reason = re.sub(re.escape(staging) + r"[^/\\\"]*[/\\]?", "", reason)
        code = next((c for c, words in ((errno.ENOSPC, "No space left"), (errno.EROFS, "Read-only file"),
                                        (errno.EACCES, "Permission denied")) if words in reason), None)
        where = f"{out}: writing the DuckDB database" if out is not None else "writing the DuckDB database"
    advice = _ADVICE.get(code)
    line = f"{where}: {reason[:300]}"
    return f"{line}; {advice}" if advice else line


# -- inputs that change while they are read --------------------------------------------------------
def _fingerprint(path: Path, sha256: str | None = None) -> tuple:
    """Inode, size, modification and change times, and the content's SHA-256: a rewrite in place changes
    the times (ctime cannot be set back by a user) and usually the hash, a replacement the inode.
    ``sha256``: the hash of the bytes already read (the file is then not read again to hash it)."""
    stat = os.stat(path)
    if sha256 is None:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        sha256 = digest.hexdigest()
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, sha256


class SourceWatch:
    """The input PDFs as they were before reading; `check` refuses the build when one changed since.

    ``read``: path → SHA-256 of the bytes a reader already took from it (`extractors.document.Document`):
    that hash is the one held against the file at `check`, so a change between that read and the watch
    is caught too, and the file is not read a second time to hash it."""

    def __init__(self, *paths: Path | None, read: dict[Path, str] | None = None) -> None:
        read = {Path(p): h for p, h in (read or {}).items()}
        self.before = {Path(p): _fingerprint(Path(p), read.get(Path(p))) for p in paths if p is not None}

    def check(self) -> None:
        for path, before in self.before.items():
            try:
                now = _fingerprint(path)
            except FileNotFoundError:
                raise InputError(f"{path}: the file was deleted while it was read; nothing was "
                                 "replaced") from None
            if now != before:
                raise InputError(f"{path}: the file changed while it was read, so the tables would mix two "
                                 "versions; nothing was replaced, run again once it is complete")
