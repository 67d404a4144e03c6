"""What a build folder is, which of its files renkei owns, and how an output folder may be written.

A build folder is the folder `build --out` (or `write --out`) wrote: ``manifest.json`` names every table the
build wrote (``row_counts``), and the build's own files are exactly those tables' ``<name>.parquet`` plus
``manifest.json``, ``datapackage.json`` and ``metrics.json`` (`own_files`). Anything else in the folder
(``validation/``, ``report.html``, ``.gitignore``, a user's notes) is a sibling renkei never touches.

Three rules follow, each a one-line `InputError` (exit 2) when broken, raised before anything is written:

- `require_build`: a command that reads a build (validate, report, crosscheck, diff) refuses a folder that is
  not one: missing, no ``manifest.json``, a manifest that is not renkei's, a listed table missing.
- `check_out`: ``--out`` may be a missing folder, an empty one, or a previous build. "Empty" allows hidden
  files (``.gitignore``, ``.gitkeep``, ``.DS_Store``: placeholders a fresh clone or a file manager leaves) but
  not hidden folders (``.git``, ``.venv``, ``.dvc``). Refused: an existing file, any other non-empty folder,
  a git repository's root, the home folder and ``/``, and a previous build holding a foreign file under a
  name the new build would write.
- `check_stage_out`: a stage's folder (extract, parse, normalize write fixed file names) may be missing,
  empty, or hold only that stage's own files.

`staging` and `swap_in` put a new build in place: every stage runs into a hidden staging folder inside
``out`` (same filesystem, so moves are renames; removed afterwards whatever happens), and only when all
succeeded are the new files moved in, one ``os.replace`` each. What "atomic" honestly means here:

- each file is swapped atomically: a reader sees the whole old file or the whole new one, never a mix;
- the folder as a whole is not: during the swap (milliseconds) a reader may see new tables beside the old
  manifest. A rename that fails during the swap puts the old files back (they are kept as hard links in
  the staging folder until the swap is over). The order keeps the manifest truthful at every instant: new tables first, ``manifest.json``
  last, and only then are the old build's tables that the new manifest does not list removed, so every table
  a manifest on disk lists exists. A crash (power loss, SIGKILL) inside that window can leave such a mix and
  a hidden ``.renkei-staging-*`` folder, which later builds ignore; rebuild to repair it;
- a build that fails (bad PDF, parse error, a full or read-only disk, Ctrl-C, SIGTERM) leaves the old build
  byte-identical: until the swap nothing is written outside the staging folder, renames need no space, and
  a signal that comes during the swap is held back until it is over (`pipeline.errors.shielded`).

Concurrent builds into the same folder are not supported. Folders and files are created with the default
modes, so they follow the umask (0755 and 0644 under the usual 022).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.errors import one_line, shielded
from pipeline.inputs import InputError

MANIFEST = "manifest.json"
# The files every build writes besides its tables (pipeline.stages.build.write_build_files).
FIXED_FILES = ("datapackage.json", "metrics.json", MANIFEST)
# The DuckDB database a build writes when told to (`build --duckdb`; pipeline.stages.database): one of the
# build's own files either way, so a rebuild without it removes a stale one.
OPTIONAL_FILES = ("renkei.duckdb",)
STAGING_PREFIX = ".renkei-staging-"
# A failed build leaves its stage files for inspection in the temporary folder, one place per --out (the
# next failure for the same --out replaces it), never in --out itself: a refused build touches nothing there.
FAILED_STAGES = "renkei-failed-stages"
FAILED_NOTE = "FAILED.txt"
# A table name from a manifest becomes a file name that a rebuild may delete: letters, digits and _ only.
_TABLE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_ADVICE = "choose an empty or new folder"


# -- the manifest ----------------------------------------------------------------------------------
def read_manifest(folder: Path) -> dict | None:
    """The folder's renkei manifest; None when there is no manifest.json. Raises `InputError` when there
    is one that is not renkei's (not JSON, or without contract_version, sources and row_counts naming
    tables), since then nothing in the folder can be told to be renkei's."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a renkei manifest (unreadable: {one_line(error, 200)})") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise InputError(f"{path}: not a renkei manifest ({problem})")
    return manifest


def _manifest_problem(manifest: object) -> str | None:
    if not isinstance(manifest, dict):
        return "not a JSON object"
    if not isinstance(manifest.get("contract_version"), str):
        return "no contract_version"
    if not isinstance(manifest.get("sources"), dict):
        return "no sources"
    counts = manifest.get("row_counts")
    if not isinstance(counts, dict) or not counts:
        return "no row_counts"
    bad = [name for name, n in counts.items()
           if not isinstance(name, str) or not _TABLE_NAME.match(name) or not isinstance(n, int)]
    if bad:
        return f"row_counts: {str(bad[0])[:40]!r} is not a table name with a row count"
    return None


def manifest_tables(manifest: dict) -> list[str]:
    """The tables a (checked) manifest says its build wrote."""
    return list(manifest["row_counts"])


def own_files(manifest: dict) -> set[str]:
    """The file names in a build folder that its build wrote: its tables, the manifest, the datapackage
    and the metrics. Only these may be replaced or removed by the next build."""
    return {f"{name}.parquet" for name in manifest_tables(manifest)} | set(FIXED_FILES) | set(OPTIONAL_FILES)


# -- reading a build -------------------------------------------------------------------------------
def require_build(folder: Path, *, tables: bool = True) -> dict:
    """Check that ``folder`` is a renkei build and return its manifest; raise `InputError` otherwise.

    With ``tables`` every table the manifest lists must be there; validate passes False because a missing
    table is one of the things it reports (exit 1), not a reason it cannot run.
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError(f"{folder}: no such build folder")
    if not folder.is_dir():
        raise InputError(f"{folder}: not a build folder (a file); pass the folder `build --out` wrote")
    manifest = read_manifest(folder)
    if manifest is None:
        raise InputError(f"{folder}: not a renkei build (no {MANIFEST}); pass the folder `build --out` wrote")
    if tables:
        missing = [n for n in manifest_tables(manifest) if not (folder / f"{n}.parquet").is_file()]
        if missing:
            raise InputError(f"{folder}: table {missing[0]} is listed in {MANIFEST} but {missing[0]}.parquet "
                             "is missing; rebuild it")
    return manifest


# -- where an output may go ------------------------------------------------------------------------
def _refuse_protected(out: Path) -> None:
    """Never write into /, the home folder or a git repository's root, even when they look empty or hold
    a manifest: losing a file there costs far more than retyping the command."""
    resolved = out.resolve()
    if resolved == Path(resolved.anchor):
        raise InputError(f"{out}: the filesystem root; {_ADVICE}")
    with contextlib.suppress(RuntimeError, KeyError):
        if resolved == Path.home().resolve():
            raise InputError(f"{out}: your home folder; {_ADVICE}")
    if (resolved / ".git").exists():
        raise InputError(f"{out}: the root of a git repository; {_ADVICE}")


def _foreign_entries(folder: Path, own: Iterable[str]) -> list[str]:
    """Entries renkei did not write, sorted: anything but ``own``, hidden files and staging leftovers."""
    own = set(own)
    foreign = []
    for entry in folder.iterdir():
        name = entry.name
        if name in own or name.startswith(STAGING_PREFIX):
            continue
        if name.startswith(".") and name != ".git" and entry.is_file():
            continue  # .gitignore, .gitkeep, .DS_Store
        foreign.append(name)
    return sorted(foreign)


def _refuse_file(out: Path) -> None:
    if out.is_symlink() and not out.exists():
        raise InputError(f"{out}: a broken symbolic link; {_ADVICE}")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: a file, not a folder; {_ADVICE}")


def _first_missing(out: Path) -> Path:
    """The outermost folder of ``out``'s path that does not exist yet (``out`` itself when its parent does)."""
    first = out
    while not first.parent.exists() and first.parent != first:
        first = first.parent
    return first


def _refuse_uncreatable(out: Path) -> None:
    parent = _first_missing(out).parent
    if not parent.is_dir():
        raise InputError(f"{out}: cannot be created ({parent} is a file); {_ADVICE}")


def _examples(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def check_out(out: Path) -> dict | None:
    """Check that ``--out`` may receive a build; return the previous build's manifest (None when the
    folder is missing or empty). Raises `InputError` for anything else, touching nothing."""
    out = Path(out)
    _refuse_file(out)
    if not out.exists():
        _refuse_uncreatable(out)
        return None
    _refuse_protected(out)
    try:
        old = read_manifest(out)
    except InputError as error:
        raise InputError(f"{error}; {_ADVICE}") from None
    if old is None:
        foreign = _foreign_entries(out, ())
        if foreign:
            raise InputError(f"{out}: holds files renkei did not write ({_examples(foreign)}) and no "
                             f"{MANIFEST} of an earlier build; {_ADVICE}")
        return None
    from schemas.names import TABLE_NAMES  # not schemas.tables: no pyarrow before the pages are read

    may_write = {f"{name}.parquet" for name in TABLE_NAMES} | set(FIXED_FILES) | set(OPTIONAL_FILES)
    clash = sorted(may_write & set(_foreign_entries(out, own_files(old))))
    if clash:
        raise InputError(f"{out}: {clash[0]} is not part of the earlier build there and the new build would "
                         f"overwrite it; move it away or {_ADVICE}")
    return old


def check_stage_out(out: Path, names: Iterable[str]) -> None:
    """Check that a stage may write its fixed file ``names`` into ``out``: a missing or empty folder, or
    one holding only that stage's files (an earlier run of it)."""
    out = Path(out)
    _refuse_file(out)
    if not out.exists():
        _refuse_uncreatable(out)
        return
    _refuse_protected(out)
    foreign = _foreign_entries(out, names)
    if foreign:
        raise InputError(f"{out}: holds files this stage did not write ({_examples(foreign)}); {_ADVICE}")


def require_stage(folder: Path, name: str, stage: str) -> Path:
    """The file ``name`` of an earlier stage's folder; `InputError` when it is not there."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such {stage} folder")
    path = folder / name
    if not path.is_file():
        raise InputError(f"{folder}: not the folder of the {stage} stage (no {name}); run "
                         f"`python -m pipeline {stage}` into it first")
    return path


# -- putting a new build in place ------------------------------------------------------------------
@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh hidden folder inside ``out`` (created with its parents if missing) to build into; removed on
    exit. Folders created here are removed again when still empty (nothing was swapped in), so a failed
    build into a new folder leaves nothing behind."""
    out = Path(out)
    chain = [out, *out.parents]
    created = [] if out.exists() else chain[:chain.index(_first_missing(out)) + 1]  # innermost first
    folder = out / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
    made = False
    try:
        os.makedirs(out, exist_ok=True)  # default mode: follows the umask, unlike mkdtemp's 0700
        with shielded():  # a signal right after mkdir still finds the folder to remove (`made`)
            folder.mkdir()
            made = True
        yield folder
    finally:
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        for path in created:  # innermost first; rmdir only succeeds on an empty folder
            try:
                path.rmdir()
            except OSError:
                break


def swap_in(staged: Path, out: Path, old: dict | None) -> list[str]:
    """Move the build in ``staged`` (a folder inside ``out`` holding a complete build) into ``out``,
    replacing the old build's files (``old`` is its manifest, None for none); see the module docstring
    for the order and what it guarantees. Files of ``out`` that the old build did not write stay. Returns
    the optional files (renkei.duckdb) of the old build that the new one does not have, removed so that no
    file of another edition stays beside the new build (`say_removed` names them)."""
    staged, out = Path(staged), Path(out)
    # A signal waits until the swap is over: a build goes in whole or not at all.
    with shielded(note=f"after the new build was put in place in {out}"):
        return _swap_in(staged, out, old)


def say_removed(out: Path, removed: list[str]) -> None:
    """One line on stderr for each optional file of the earlier build that `swap_in` removed."""
    for name in removed:
        print(f"{Path(out) / name}: removed (the earlier build's database, of the data this build replaced); "
              f"`renkei duckdb {out}` writes this build's", file=sys.stderr)


def _swap_in(staged: Path, out: Path, old: dict | None) -> list[str]:
    if not staged.is_dir():  # the output folder was removed while the build ran
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(out))
    new = read_manifest(staged)
    if new is None:
        raise AssertionError(f"{staged}: the staged build has no {MANIFEST}")
    tables = [f"{name}.parquet" for name in manifest_tables(new)]
    # (name, moved in?) in order: the optional files before the manifest, since the build is complete only
    # once the manifest is in; FIXED_FILES ends with the manifest.
    steps = [(name, (staged / name).exists()) for name in OPTIONAL_FILES]
    steps += [(name, True) for name in [*tables, *FIXED_FILES]]
    kept = _keep_links(staged, out, [name for name, _ in steps])
    done: list[tuple[str, bool]] = []
    removed: list[str] = []
    try:
        for name, moved in steps:
            if moved:
                os.replace(staged / name, out / name)
            else:
                with contextlib.suppress(FileNotFoundError):
                    (out / name).unlink()
                    removed.append(name)
            done.append((name, moved))
    except BaseException:
        _roll_back(out, kept, done)
        raise
    if old is not None:
        for name in sorted(own_files(old) - own_files(new)):
            with contextlib.suppress(FileNotFoundError):
                (out / name).unlink()
    _fsync_folder(out)
    return removed


def _keep_links(staged: Path, out: Path, names: list[str]) -> Path | None:
    """Hard links, in the staging folder, to the files of ``out`` the swap replaces or removes: a rename
    that fails halfway (a disk that errs or turns read-only) puts them back (`_roll_back`). None where the
    filesystem has no hard links (then a failure halfway leaves the mix the module docstring describes)."""
    kept = staged / ".previous"
    kept.mkdir()  # a folder that cannot be made here: the swap could not go on either, stop before it
    try:
        for name in names:
            if (out / name).is_file() and not (out / name).is_symlink():
                os.link(out / name, kept / name)
    except OSError:
        return None
    return kept


def _roll_back(out: Path, kept: Path | None, done: list[tuple[str, bool]]) -> None:
    """Undo the steps of a swap that failed: the earlier files come back, the new ones go."""
    for name, moved in reversed(done):
        with contextlib.suppress(OSError):
            if kept is not None and (kept / name).exists():
                os.replace(kept / name, out / name)
            elif moved:
                (out / name).unlink()


def failed_stages_folder(out: Path) -> Path:
    """Where a failed build into ``out`` keeps its stage files: <tmp>/renkei-failed-stages/<digest of out>."""
    digest = hashlib.sha256(str(Path(out).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / FAILED_STAGES / f"{Path(out).name or 'out'}-{digest}"


def keep_failed_stages(stages: Path, out: Path, error: BaseException) -> Path | None:
    """Move the stage files of a failed build out of the staging folder (which is removed) to
    `failed_stages_folder`, so the refusal can be inspected: layout.json shows what the extractor read on
    the page the error names. Replaces only what an earlier failure left there (it holds our FAILED.txt);
    returns None when there is nothing to keep or the place is taken by something else."""
    stages = Path(stages)
    if not stages.is_dir() or not any(stages.rglob("*.json")):
        return None
    kept = failed_stages_folder(out)
    try:
        if kept.exists():
            if not (kept / FAILED_NOTE).is_file():
                return None
            shutil.rmtree(kept)
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(stages), str(kept))  # the temporary folder may be on another filesystem
        (kept / FAILED_NOTE).write_text(f"{' '.join(str(error).split())}\n", encoding="utf-8")
    except OSError:
        return None  # keeping them is a courtesy; the refusal itself must still come through
    return kept


def drop_failed_stages(out: Path) -> None:
    """After a successful build the stage files of an earlier failure describe nothing that is there."""
    kept = failed_stages_folder(out)
    if (kept / FAILED_NOTE).is_file():
        shutil.rmtree(kept, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
