"""Faults of the machine met calmly (pipeline.errors): one line on stderr, exit 2 (130 Ctrl-C, 143 SIGTERM), no
traceback, and the previous build byte-identical.

Disk full and a read-only folder are made real where the machine lets the tests mount a small tmpfs (root, as
in CI); elsewhere the same tests run with ``OSError(ENOSPC)``/``EROFS`` raised at the writes instead, and say
so (``FAULTS_MODE`` in the test report). Every single write of the write stage is also failed in turn, by
simulation. SIGTERM and SIGINT go to a real ``renkei build`` subprocess in the middle of its run.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from pipeline import errors
from pipeline.cli import main
from pipeline.stages import build as stages
from pipeline.stages.builddir import STAGING_PREFIX, require_build, swap_in
from tests.conftest import RAW, ROOT
from tests.test_out_safety import normalized, refused, snapshot  # noqa: F401 - normalized is a fixture

PLAN = RAW / "plan_vi.pdf"
OVERVIEW = RAW / "overview.pdf"
PARAMS = ROOT / "params.yaml"


# -- helpers ---------------------------------------------------------------------------------------
def _mount(folder: Path, options: str) -> bool:
    if sys.platform != "linux" or shutil.which("mount") is None:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    return result.returncode == 0


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "16m"):
    """A small tmpfs at ``folder``; yields whether it could be mounted (root)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _mount(folder, f"size={size}")
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def fill(folder: Path, leave: int) -> Path:
    """A file that leaves about ``leave`` bytes free on ``folder``'s filesystem."""
    path = folder / f"filler-{uuid.uuid4().hex}"
    stat = os.statvfs(folder)
    size = max(0, stat.f_bavail * stat.f_frsize - leave)
    with open(path, "wb") as handle:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            try:
                size -= handle.write(chunk[:min(size, len(chunk))])
            except OSError:
                break
    return path


def staging_left(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]


class Writes:
    """Simulated faults: raise ``OSError(code)`` at the ``fail_at``-th write (None: count only). A write is
    opening a file for writing, creating a folder, a rename, or DuckDB opening its file."""

    def __init__(self, monkeypatch, code: int = errno.ENOSPC, fail_at: int | None = None,
                 signum: int | None = None) -> None:
        """With ``signum``, the ``fail_at``-th write sends that signal to this process instead of failing."""
        self.count, self.code, self.fail_at, self.signum = 0, code, fail_at, signum
        real_open, real_mkdir, real_replace = builtins.open, os.mkdir, os.replace
        import duckdb
        real_connect = duckdb.connect

        def hit(path) -> None:
            self.count += 1
            if self.fail_at is not None and self.count == self.fail_at:
                if self.signum is not None:
                    os.kill(os.getpid(), self.signum)
                    return
                raise OSError(self.code, os.strerror(self.code), str(path))

        def fake_open(file, mode="r", *args, **kwargs):
            if any(c in mode for c in "wax+"):
                hit(file)
            return real_open(file, mode, *args, **kwargs)

        def fake_mkdir(path, *args, **kwargs):
            if not os.path.isdir(path):  # an existing folder is no write (mkdir(exist_ok=True) asks anyway)
                hit(path)
            return real_mkdir(path, *args, **kwargs)

        def fake_replace(src, dst, *args, **kwargs):
            hit(dst)
            return real_replace(src, dst, *args, **kwargs)

        def fake_connect(database=":memory:", *args, **kwargs):
            if database != ":memory:":
                hit(database)
            return real_connect(database, *args, **kwargs)

        monkeypatch.undo()  # one injector at a time
        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(os, "mkdir", fake_mkdir)
        monkeypatch.setattr(os, "replace", fake_replace)
        monkeypatch.setattr(duckdb, "connect", fake_connect)


@pytest.fixture
def previous(plan_build, tmp_path) -> Path:
    """An earlier build (with a validation folder and a report beside it) in a folder of its own."""
    out = tmp_path / "disk" / "out"
    out.mkdir(parents=True)
    for path in plan_build.path.iterdir():
        if path.is_file():
            shutil.copy2(path, out / path.name)
    (out / "validation").mkdir()
    (out / "validation" / "results.json").write_text('{"success": true}\n', encoding="utf-8")
    (out / "report.html").write_text("<html></html>\n", encoding="utf-8")
    return out


# -- every write of the write stage, failed in turn (simulated) ------------------------------------
def test_each_write_of_the_write_stage_failing_leaves_the_old_build(normalized, previous, monkeypatch, capsys):
    counter = Writes(monkeypatch)
    assert stages.run_write(normalized, previous, duckdb=True) is not None  # count the writes of a rebuild
    total = counter.count
    before = snapshot(previous)
    assert total >= 14  # the staging folder, 9-10 tables, datapackage, manifest, metrics, duckdb, the swap
    for n in range(1, total + 1):
        code = (errno.ENOSPC, errno.EROFS, errno.EACCES)[n % 3]
        Writes(monkeypatch, code, fail_at=n)
        line = refused(capsys, ["write", str(normalized), "--out", str(previous), "--duckdb"], str(previous))
        assert os.strerror(code) in line, (n, line)
        assert STAGING_PREFIX not in line, line  # a staged file is named by the output folder
        assert snapshot(previous) == before, f"write {n} of {total} changed the old build"
        assert not staging_left(previous)


def test_a_signal_at_each_write_of_the_write_stage(normalized, previous, monkeypatch, capsys):
    """SIGTERM or SIGINT at each write: 143 or 130 and one line; the old build byte-identical, or, when the
    signal came during the swap, the whole new build in place and the line saying so."""
    counter = Writes(monkeypatch)
    assert stages.run_write(normalized, previous, duckdb=True) is not None
    total = counter.count
    outcomes = {"kept": 0, "swapped": 0}
    for n in range(1, total + 1):
        before = snapshot(previous)
        signum = (signal.SIGTERM, signal.SIGINT)[n % 2]
        Writes(monkeypatch, fail_at=n, signum=signum)
        capsys.readouterr()
        assert main(["write", str(normalized), "--out", str(previous), "--duckdb"]) == 128 + signum, n
        err = capsys.readouterr().err
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
        if "after the new build was put in place" in lines[0]:
            manifest = require_build(previous)
            assert set(manifest["row_counts"]) >= {"projects", "budgets"}
            outcomes["swapped"] += 1
        else:
            assert snapshot(previous) == before, f"a signal at write {n} of {total} changed the old build"
            outcomes["kept"] += 1
        assert not staging_left(previous)
        monkeypatch.undo()
    assert outcomes["kept"] > outcomes["swapped"] > 0, outcomes  # most writes come before the swap


# -- disk full -------------------------------------------------------------------------------------
def test_disk_full_while_writing_a_build(normalized, tmp_path, monkeypatch, capsys, record_property):
    """Disk full at many points of the write stage and of the duckdb command: exit 2, one line naming the
    output folder, the old build byte-identical, nothing left behind."""
    disk = tmp_path / "disk"
    with tmpfs(disk, "16m") as mounted:
        record_property("FAULTS_MODE", "tmpfs" if mounted else "simulated")
        out = disk / "out"
        stages.run_write(normalized, out, duckdb=True)
        before = snapshot(out)
        assert sum(p.stat().st_size for p in out.iterdir()) > 600_000
        if mounted:
            for leave in (0, 8_192, 64_000, 160_000, 300_000, 500_000):  # the build takes ~1 MB, its database ~0.7
                filler = fill(disk, max(0, leave))
                try:
                    line = refused(capsys, ["write", str(normalized), "--out", str(out), "--duckdb"], str(out),
                                    "No space left on device", "free some space")
                    assert STAGING_PREFIX not in line
                    assert snapshot(out) == before, leave
                    assert not staging_left(out)
                    # the database alone, written beside an earlier one
                    refused(capsys, ["duckdb", str(out)], "No space left on device")
                    assert snapshot(out) == before, leave
                finally:
                    filler.unlink()
        else:
            for n in (1, 4, 12):
                Writes(monkeypatch, errno.ENOSPC, fail_at=n)
                refused(capsys, ["write", str(normalized), "--out", str(out), "--duckdb"], "No space left on device")
                assert snapshot(out) == before
                Writes(monkeypatch, errno.ENOSPC, fail_at=1)
                refused(capsys, ["duckdb", str(out)], "No space left on device")
                assert snapshot(out) == before
        # with room again, the same commands succeed
        monkeypatch.undo()
        assert main(["write", str(normalized), "--out", str(out), "--duckdb"]) == 0
        assert main(["duckdb", str(out)]) == 0


def test_duckdb_fatal_error_is_one_line(tmp_path):
    """DuckDB's own disk-full error (a FatalException), as the build met it before."""
    import duckdb

    error = duckdb.FatalException('FATAL Error: Failed: database has been invalidated because of a previous fatal '
                                  'error. Original error: "Could not write file "x/.renkei.duckdb.tmp": No space '
                                  'left on device"')
    line = errors.describe(error, out=tmp_path)
    assert line.startswith(f"{tmp_path}: writing the DuckDB database: ") and "No space left on device" in line
    assert "free some space" in line and "\n" not in line


# -- read-only and vanished output folders ---------------------------------------------------------
def test_read_only_folder_for_every_command(plan_build, normalized, tmp_path, monkeypatch, capsys,
                                            record_property):
    disk = tmp_path / "disk"
    with tmpfs(disk, "16m") as mounted:
        record_property("FAULTS_MODE", "tmpfs remounted ro" if mounted else "simulated EROFS")
        out = disk / "out"
        stages.run_write(normalized, out)
        other = tmp_path / "other"
        shutil.copytree(plan_build.path, other)
        assert main(["validate", str(other), "--params", str(PARAMS), "--suite", "projects"]) == 0
        results = other / "validation" / "results.json"
        (out / "report.html").write_text("<html>old</html>\n", encoding="utf-8")
        before = snapshot(out)
        if mounted:
            remount(disk, "ro")
        commands = {
            "build": ["build", "--pdf", str(PLAN), "--overview", str(OVERVIEW), "--out", str(out)],
            "write": ["write", str(normalized), "--out", str(out)],
            "validate": ["validate", str(out), "--params", str(PARAMS), "--suite", "projects"],
            "report": ["report", str(out), "--validation", str(results), "--out", str(out / "report.html")],
            "duckdb": ["duckdb", str(out)],
            "diff": ["diff", str(other), str(out), "--out", str(out / "diff.json")],
        }
        try:
            for name, argv in commands.items():
                if not mounted:
                    Writes(monkeypatch, errno.EROFS, fail_at=1)
                line = refused(capsys, argv, "Read-only file system")
                assert STAGING_PREFIX not in line, (name, line)
                assert snapshot(out) == before, name
                monkeypatch.undo()
        finally:
            if mounted:
                remount(disk, "rw")


def test_an_output_folder_removed_during_the_build(normalized, tmp_path, monkeypatch, capsys):
    """Removed before the swap: one line. Removed before the tables are written: they are written into it
    afresh, a whole build (the data came from the stage files, not from the folder)."""
    out = tmp_path / "out"
    real_swap, real_write = stages.swap_in, stages.write_build_files

    def vanish_then(real):
        def call(*args, **kwargs):
            shutil.rmtree(out)
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(stages, "swap_in", vanish_then(real_swap))
    refused(capsys, ["write", str(normalized), "--out", str(out)], str(out), "disappeared")
    assert not out.exists()
    monkeypatch.undo()
    monkeypatch.setattr(stages, "write_build_files", vanish_then(real_write))
    assert main(["write", str(normalized), "--out", str(out)]) == 0
    require_build(out)
    assert not staging_left(out)


# -- a PDF deleted or changed while it is read -----------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("how", ["changed", "replaced", "deleted"])
def test_a_pdf_that_moves_while_it_is_read_is_refused(previous, tmp_path, monkeypatch, capsys, how):
    pdf = tmp_path / "plan.pdf"
    shutil.copy2(PLAN, pdf)
    before = snapshot(previous)
    real = stages.chapter_layout

    def read_then_move(path, *args, **kwargs):
        pages = real(path, *args, **kwargs)
        if how == "changed":  # rewritten in place (same inode), as a download still being written
            with open(pdf, "r+b") as handle:
                handle.seek(100)
                handle.write(b"%")
        elif how == "replaced":  # another file moved over it, as an editor saves
            shutil.copy2(RAW / "overview.pdf", tmp_path / "new.pdf")
            os.replace(tmp_path / "new.pdf", pdf)
        else:
            pdf.unlink()
        return pages

    monkeypatch.setattr(stages, "chapter_layout", read_then_move)
    words = ("deleted while it was read",) if how == "deleted" else ("changed while it was read",)
    refused(capsys, ["build", "--pdf", str(pdf), "--overview", str(OVERVIEW), "--out", str(previous)],
            str(pdf), *words)
    assert snapshot(previous) == before
    assert not staging_left(previous)


@pytest.mark.slow
def test_the_extract_stage_refuses_a_pdf_changed_while_it_is_read(tmp_path, monkeypatch, capsys):
    """dvc.yaml runs the stages one by one: its extract stage is held to the same rule."""
    pdf = tmp_path / "plan.pdf"
    shutil.copy2(PLAN, pdf)
    out = tmp_path / "extract"
    assert main(["extract", "--pdf", str(pdf), "--out", str(out)]) == 0
    before = snapshot(out)
    real = stages.chapter_layout

    def read_then_change(path, *args, **kwargs):
        pages = real(path, *args, **kwargs)
        with open(pdf, "ab") as handle:
            handle.write(b"\n% appended\n")
        return pages

    monkeypatch.setattr(stages, "chapter_layout", read_then_change)
    refused(capsys, ["extract", "--pdf", str(pdf), "--out", str(out)], str(pdf), "changed while it was read")
    assert snapshot(out) == before


# -- signals ---------------------------------------------------------------------------------------
def test_a_signal_during_the_swap_waits_until_the_build_is_in(plan_build, previous, tmp_path, monkeypatch):
    """SIGTERM between two renames of the swap: the swap finishes, then the run stops (exit 143)."""
    staged = tmp_path / "staged"
    shutil.copytree(plan_build.path, staged)
    (staged / "metrics.json").write_text('{"new": true}\n', encoding="utf-8")
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(errors.Interrupted) as raised, errors.handle_signals():
        swap_in(staged, previous, None)
    assert raised.value.signum == signal.SIGTERM and errors.exit_code(raised.value.signum) == 143
    assert errors.interrupted_line(raised.value.signum, raised.value.note) == \
        f"error: terminated (SIGTERM) after the new build was put in place in {previous}"
    assert len(calls) > 2  # the swap went on after the signal
    assert (previous / "metrics.json").read_text(encoding="utf-8") == '{"new": true}\n'
    assert not any(staged.glob("*.json"))


def _wait_for_staging(out: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not staging_left(out):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.005)


@pytest.mark.slow
@pytest.mark.parametrize("signum, group, delay", [
    (signal.SIGTERM, False, 0.0), (signal.SIGTERM, False, 0.4), (signal.SIGTERM, True, 0.2),
    (signal.SIGINT, True, 0.0), (signal.SIGINT, True, 0.4), (signal.SIGINT, False, 0.2)],
    ids=["term-start", "term-mid", "term-group", "ctrl-c-start", "ctrl-c-mid", "int-parent"])
def test_a_signalled_build_keeps_the_old_build(previous, signum, group, delay):
    """A real `renkei build` subprocess gets SIGTERM or SIGINT (Ctrl-C reaches the whole process group, the
    workers reading pages included) while it runs: 143 or 130, one line, the old build byte-identical."""
    before = snapshot(previous)
    env = {**os.environ, "RENKEI_WORKERS": "2"}
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "build", "--pdf", str(PLAN), "--overview",
                                str(OVERVIEW), "--out", str(previous)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for_staging(previous, process)
        time.sleep(delay)
        assert process.poll() is None, "the build ended before the signal"
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signum, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in stderr, stderr
    assert ("SIGTERM" if signum == signal.SIGTERM else "Ctrl-C") in lines[0]
    assert snapshot(previous) == before
    assert not staging_left(previous)


def test_the_watch_holds_the_hash_of_the_bytes_read_against_the_file(tmp_path):
    """`SourceWatch(read=…)` takes the hash of the bytes the reader took, not the file's at that moment: the
    same bytes pass without a second read, a file changed between the read and the watch is refused."""
    import hashlib

    import pytest

    from pipeline.errors import SourceWatch
    from pipeline.inputs import InputError

    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(b"%PDF-1.7 as read")
    read = hashlib.sha256(b"%PDF-1.7 as read").hexdigest()
    SourceWatch(pdf, None, read={pdf: read}).check()
    watch = SourceWatch(pdf, read={pdf: hashlib.sha256(b"%PDF-1.7 before").hexdigest()})
    with pytest.raises(InputError, match="changed while it was read"):
        watch.check()


def test_a_signal_whose_exception_was_swallowed_still_stops_the_build():
    """Library code may catch the handler's exception (the build imports pandas, pyarrow and duckdb while its
    workers read): `check_received`, called between the build's steps, raises it again."""
    import os
    import signal

    import pytest

    from pipeline import errors

    with errors.handle_signals():
        errors.check_received()  # nothing came: nothing raised
        try:
            os.kill(os.getpid(), signal.SIGTERM)  # the handler runs before os.kill returns
        except BaseException:  # a library's bare except
            pass
        with pytest.raises(errors.Interrupted) as raised:
            errors.check_received()
    assert raised.value.signum == signal.SIGTERM
