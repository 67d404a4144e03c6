"""`--out` owns only what renkei wrote, and every command checks its input folders before writing.

Refused (exit 2, one line, nothing touched): an existing file, a folder holding other files, the repository
root, home and /. Accepted: a missing or empty folder (hidden files such as .gitignore allowed and kept) and
an earlier build, whose own files are swapped while its siblings stay.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.stages import build as stages
from pipeline.stages.builddir import STAGING_PREFIX, check_out, require_build
from pipeline.cli import main
from pipeline.inputs import InputError
from tests.conftest import RAW, ROOT

PLAN = RAW / "plan_vi.pdf"
OVERVIEW = RAW / "overview.pdf"


# -- helpers ---------------------------------------------------------------------------------------
def snapshot(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` (hidden ones too) with its bytes' hash: equal snapshots, untouched."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def refused(capsys, argv: list[str], *words: str) -> str:
    """Run the CLI, expect exit 2 with exactly one `error:` line containing ``words``; return it."""
    capsys.readouterr()
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def copy_build(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for path in src.iterdir():
        if path.is_file():
            shutil.copy2(path, dst / path.name)
    return dst


def add_siblings(out: Path) -> None:
    """What the dvc layout and a user leave beside a build."""
    (out / ".gitignore").write_text("/data\n", encoding="utf-8")
    (out / "validation").mkdir()
    (out / "validation" / "results.json").write_text('{"success": true}\n', encoding="utf-8")
    (out / "report.html").write_text("<html></html>\n", encoding="utf-8")
    (out / "plots").mkdir()
    (out / "plots" / "budget.csv").write_text("area,amount\n", encoding="utf-8")
    (out / "thesis.txt").write_text("my thesis\n", encoding="utf-8")


@pytest.fixture(scope="module")
def normalized(tmp_path_factory) -> Path:
    """The plan's normalize stage folder, so that `write` tests need not extract again."""
    d = tmp_path_factory.mktemp("stages")
    stages.run_extract(PLAN, OVERVIEW, d / "extract", progress=False)
    stages.run_parse(d / "extract", d / "parse")
    stages.run_normalize(d / "extract", d / "parse", d / "normalize")
    return d / "normalize"


@pytest.fixture
def without_overview(normalized, tmp_path) -> Path:
    """A normalize folder like the plan's but with no excerpt (no overview table)."""
    data = json.loads((normalized / "tables.json").read_text(encoding="utf-8"))
    del data["tables"]["overview"]
    data["sources"].pop("overview", None)
    folder = tmp_path / "normalize-no-overview"
    folder.mkdir()
    (folder / "tables.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
def previous(plan_build, tmp_path) -> Path:
    """An earlier build with siblings beside it."""
    out = copy_build(plan_build.path, tmp_path / "out")
    add_siblings(out)
    return out


# -- --out: refused --------------------------------------------------------------------------------
def test_folder_with_other_files_is_refused_and_untouched(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_bytes(b"five years of work\n")
    before = snapshot(out)
    refused(capsys, ["build", "--pdf", str(PLAN), "--out", str(out)], str(out), "thesis.txt",
            "choose an empty or new folder")
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_out_dot_in_a_non_empty_folder_is_refused(tmp_path, capsys, monkeypatch):
    (tmp_path / "notes.md").write_text("notes\n", encoding="utf-8")
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    refused(capsys, ["build", "--pdf", str(PLAN), "--out", "."], "renkei did not write")
    assert snapshot(tmp_path) == before


def test_existing_file_is_refused_and_untouched(tmp_path, capsys):
    precious = tmp_path / "precious.csv"
    precious.write_bytes(b"a,b\n1,2\n")
    refused(capsys, ["build", "--pdf", str(PLAN), "--out", str(precious)], "a file, not a folder")
    assert precious.is_file() and precious.read_bytes() == b"a,b\n1,2\n"


def test_repository_root_home_and_filesystem_root_are_refused(tmp_path, capsys, monkeypatch):
    refused(capsys, ["build", "--pdf", str(PLAN), "--out", str(ROOT)], "root of a git repository")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)  # looks empty otherwise: still refused
    with pytest.raises(InputError, match="root of a git repository"):
        check_out(repo)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(InputError, match="home folder"):
        check_out(home)
    with pytest.raises(InputError, match="filesystem root"):
        check_out(Path("/"))


def test_hidden_folders_are_not_ignored(tmp_path):
    out = tmp_path / "out"
    (out / ".venv").mkdir(parents=True)
    with pytest.raises(InputError, match=r"\.venv"):
        check_out(out)


@pytest.mark.parametrize("manifest", ['{"name": "my package"}', "not json", "[]",
                                      '{"contract_version": "1", "sources": {}, "row_counts": {"../x": 1}}'])
def test_a_manifest_that_is_not_renkeis_is_refused(tmp_path, capsys, manifest):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(manifest, encoding="utf-8")
    (out / "x.parquet").write_bytes(b"not ours")
    before = snapshot(out)
    refused(capsys, ["build", "--pdf", str(PLAN), "--out", str(out)], "not a renkei manifest")
    assert snapshot(out) == before


def test_a_foreign_file_under_a_table_name_the_build_would_write_is_refused(plan_build, without_overview,
                                                                           tmp_path, capsys):
    out = tmp_path / "out"
    stages.run_write(without_overview, out)  # an earlier build without overview
    (out / "overview.parquet").write_bytes(b"the user's own file")
    before = snapshot(out)
    refused(capsys, ["build", "--pdf", str(PLAN), "--overview", str(OVERVIEW), "--out", str(out)],
            "overview.parquet is not part of the earlier build")
    assert snapshot(out) == before


# -- --out: accepted -------------------------------------------------------------------------------
def test_missing_and_empty_folders_are_accepted_with_umask_modes(normalized, tmp_path):
    old_umask = os.umask(0o022)
    try:
        missing = tmp_path / "new" / "out"
        empty = tmp_path / "empty"
        empty.mkdir()
        for out in (missing, empty):
            counts = stages.run_write(normalized, out)
            assert require_build(out)["row_counts"] == dict(sorted(counts.items()))
        files = sorted(p.name for p in missing.iterdir())
        assert files == sorted([f"{t}.parquet" for t in counts] + ["datapackage.json", "manifest.json",
                                                                    "metrics.json"])  # renkei.duckdb: --duckdb
        assert stat.S_IMODE(missing.stat().st_mode) == 0o755
        assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o755
        assert {stat.S_IMODE(p.stat().st_mode) for p in missing.iterdir()} == {0o644}
    finally:
        os.umask(old_umask)


def test_folder_with_only_a_gitignore_is_accepted_and_the_gitignore_kept(normalized, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".gitignore").write_bytes(b"/data\n")
    stages.run_write(normalized, out)
    assert (out / ".gitignore").read_bytes() == b"/data\n"
    assert require_build(out)["row_counts"]["projects"] > 0


def test_dvc_out_folder_of_a_fresh_clone_is_refused():
    """out/ holds the report's metrics.json and plots (tracked in git): a build there would overwrite
    out/metrics.json with the build's own; dvc writes the build to out/data instead."""
    with pytest.raises(InputError, match="renkei did not write"):
        check_out(ROOT / "out")


def test_rebuild_over_an_earlier_build_keeps_siblings_and_replaces_tables(plan_build, previous, tmp_path, capsys):
    kept = {name: digest for name, digest in snapshot(previous).items()
            if name.split("/")[0] in (".gitignore", "validation", "report.html", "plots", "thesis.txt")}
    (previous / "projects.parquet").write_bytes(b"stale")  # the rebuild must replace it
    assert main(["--no-progress", "build", "--pdf", str(PLAN), "--overview", str(OVERVIEW),
                 "--out", str(previous)]) == 0
    after = snapshot(previous)
    assert {name: after.get(name) for name in kept} == kept
    assert (previous / "projects.parquet").read_bytes() == (plan_build.path / "projects.parquet").read_bytes()
    assert not [n for n in after if n.startswith(STAGING_PREFIX)]


def test_stale_table_removed_but_foreign_files_kept(previous, without_overview, capsys):
    assert (previous / "overview.parquet").exists()
    (previous / "mine.parquet").write_bytes(b"the user's")
    assert main(["write", str(without_overview), "--out", str(previous)]) == 0
    manifest = require_build(previous)
    assert "overview" not in manifest["row_counts"]
    assert not (previous / "overview.parquet").exists()  # listed by the old manifest, not by the new
    assert (previous / "mine.parquet").read_bytes() == b"the user's"
    assert (previous / "thesis.txt").read_text(encoding="utf-8") == "my thesis\n"
    parquet = {p.stem for p in previous.glob("*.parquet")} - {"mine"}
    assert parquet == set(manifest["row_counts"])


# -- a failed build leaves the earlier one --------------------------------------------------------------
def test_failed_rebuild_with_a_bad_pdf_leaves_the_old_build(previous, tmp_path, capsys):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"this is not a pdf\n")
    before = snapshot(previous)
    refused(capsys, ["build", "--pdf", str(bad), "--out", str(previous)], "not a PDF")
    assert snapshot(previous) == before


def test_failure_after_writing_leaves_the_old_build_and_no_staging(previous, normalized, monkeypatch):
    real = stages.write_build_files

    def write_then_fail(normalize_dir: Path, out: Path, **options) -> dict[str, int]:
        real(normalize_dir, out)
        raise KeyboardInterrupt

    monkeypatch.setattr(stages, "write_build_files", write_then_fail)
    before = snapshot(previous)
    with pytest.raises(KeyboardInterrupt):
        stages.run_write(normalized, previous)
    assert snapshot(previous) == before


def test_failed_build_into_a_new_folder_leaves_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really\n")
    refused(capsys, ["build", "--pdf", str(bad), "--out", str(tmp_path / "new")], str(bad))
    assert not (tmp_path / "new").exists()


def test_failure_in_a_new_nested_folder_removes_what_it_created(normalized, tmp_path, monkeypatch):
    def fail(normalize_dir: Path, out: Path, **options) -> dict[str, int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(stages, "write_build_files", fail)
    (tmp_path / "a").mkdir()
    with pytest.raises(RuntimeError):
        stages.run_write(normalized, tmp_path / "a" / "b" / "c")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a"]  # a existed before; b and c are gone


def test_an_out_below_a_file_is_refused(normalized, tmp_path, capsys):
    (tmp_path / "file").write_bytes(b"x")
    refused(capsys, ["write", str(normalized), "--out", str(tmp_path / "file" / "out")], "cannot be created")
    assert (tmp_path / "file").read_bytes() == b"x"


# -- commands that read a build refuse a folder that is not one ------------------------------------------
@pytest.fixture
def not_a_build(tmp_path) -> Path:
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "thesis.txt").write_text("chapter 1\n", encoding="utf-8")
    (folder / "projects.parquet").write_bytes(b"something else")
    return folder


def _reader_commands(folder: Path, other: Path, tmp: Path) -> dict[str, list[str]]:
    return {
        "validate": ["validate", str(folder)],
        "report": ["report", str(folder), "--validation", str(tmp / "results.json"),
                   "--out", str(folder / "report.html")],
        "crosscheck": ["crosscheck", "--pdf", str(PLAN), "--build", str(folder),
                       "--out", str(folder / "crosscheck.json")],
        "diff old": ["diff", str(folder), str(other), "--out", str(folder / "diff.json")],
        "diff new": ["diff", str(other), str(folder), "--out", str(folder / "diff.json")],
    }


@pytest.mark.parametrize("command", ["validate", "report", "crosscheck", "diff old", "diff new"])
def test_readers_refuse_a_folder_that_is_not_a_build(plan_build, not_a_build, tmp_path, capsys, command):
    argv = _reader_commands(not_a_build, plan_build.path, tmp_path)[command]
    before = snapshot(not_a_build)
    refused(capsys, argv, str(not_a_build), "not a renkei build (no manifest.json)")
    assert snapshot(not_a_build) == before


@pytest.mark.parametrize("command", ["report", "crosscheck", "diff old"])
def test_readers_refuse_a_build_with_a_listed_table_missing(plan_build, tmp_path, capsys, command):
    broken = copy_build(plan_build.path, tmp_path / "broken")
    (broken / "kpis.parquet").unlink()
    argv = _reader_commands(broken, plan_build.path, tmp_path)[command]
    before = snapshot(broken)
    refused(capsys, argv, "table kpis is listed in manifest.json but kpis.parquet is missing")
    assert snapshot(broken) == before


def test_write_refuses_an_input_that_is_not_a_normalize_folder(not_a_build, tmp_path, capsys):
    out = tmp_path / "out"
    refused(capsys, ["write", str(not_a_build), "--out", str(out)], "not the folder of the normalize stage (no tables.json)")
    assert not out.exists()


def test_write_refuses_an_out_that_is_not_a_build(normalized, not_a_build, capsys):
    before = snapshot(not_a_build)
    refused(capsys, ["write", str(normalized), "--out", str(not_a_build)], "renkei did not write")
    assert snapshot(not_a_build) == before


def test_stages_write_only_into_their_own_folders(normalized, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "overview.json").write_text("{}", encoding="utf-8")  # a name the stage writes...
    (mine / "thesis.txt").write_text("x", encoding="utf-8")     # ...beside a foreign file
    before = snapshot(mine)
    refused(capsys, ["extract", "--pdf", str(PLAN), "--out", str(mine)], "this stage did not write")
    refused(capsys, ["parse", str(normalized), "--out", str(tmp_path / "p")], "not the folder of the extract stage (no layout.json)")
    assert snapshot(mine) == before and not (tmp_path / "p").exists()


# -- make diff checks both PDFs before building ---------------------------------------------------------
def test_check_pdf_command(tmp_path, capsys):
    assert main(["check-pdf", str(PLAN), str(OVERVIEW)]) == 0
    refused(capsys, ["check-pdf", str(PLAN), str(tmp_path / "new.pdf")], "new.pdf: no such file")


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
@pytest.mark.slow  # runs make in a subprocess
def test_make_diff_with_a_missing_new_builds_nothing(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env = {k: v for k, v in env.items() if not k.startswith("PYTEST")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(tmp_path), "-f", str(ROOT / "Makefile"), "diff",
         "STAMP=no-stamp", "-o", "no-stamp", f"PY={sys.executable}", f"OLD={PLAN}", "NEW=missing.pdf"],
        capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "error: missing.pdf: no such file" in result.stderr
    assert "build" not in result.stdout
    assert not (tmp_path / "out").exists()  # OLD was not built


# -- renkei.duckdb: written where it is used, never left beside another edition -----------------------
def test_a_rebuild_without_duckdb_removes_the_earlier_database_and_says_so(previous, normalized, capsys):
    assert (previous / "renkei.duckdb").is_file()  # the earlier build was made with --duckdb
    capsys.readouterr()
    assert main(["write", str(normalized), "--out", str(previous)]) == 0
    err = capsys.readouterr().err
    assert not (previous / "renkei.duckdb").exists()
    assert err.splitlines() == [f"{previous / 'renkei.duckdb'}: removed (the earlier build's database, of the data "
                                f"this build replaced); `renkei duckdb {previous}` writes this build's"], err
    assert main(["write", str(normalized), "--out", str(previous), "--duckdb"]) == 0
    assert (previous / "renkei.duckdb").is_file()


def test_duckdb_remove_removes_a_database_and_refuses_any_other_file(plan_build, tmp_path, capsys):
    from pipeline.stages.database import write_database

    database = write_database(plan_build.path, tmp_path / "renkei.duckdb")
    argv = ["duckdb", str(tmp_path / "data"), "--out", str(database), "--remove"]  # the build need not exist
    assert main(argv) == 0 and not database.exists()
    assert main(argv) == 0  # none there: nothing to do
    database.write_text("my notes\n", encoding="utf-8")
    refused(capsys, argv, str(database), "not a DuckDB database")
    assert database.read_text(encoding="utf-8") == "my notes\n"


# -- make run: out/renkei.duckdb never holds another edition than out/data -----------------------------
@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
@pytest.mark.slow  # `make run` of a new edition in a copy of the project: every dvc stage, then pin and again
def test_make_run_stopping_at_the_gate_leaves_no_database_of_the_earlier_edition(plan_build, tmp_path):
    """The earlier edition's run left out/data and out/renkei.duckdb; a new edition's `make run` puts the new
    data in out/data and stops at the gate (its counts are not the pinned ones): the earlier database is
    gone and one line says so. Once pinned, `make run` passes and writes the database from the new data."""
    import duckdb

    from pipeline import bench
    from pipeline.stages.database import write_database
    from tests.conftest import FIXTURES

    copy, _ = bench.repro_copy(ROOT, tmp_path / "project")
    shutil.copy2(ROOT / "Makefile", copy / "Makefile")
    (copy / "tests").mkdir()  # `make bytecode` compiles it
    new = FIXTURES / "plan_vi_revised_sample.pdf"  # the new edition: 567 project_municipalities, not 565
    shutil.copy2(new, copy / "raw" / "plan_new.pdf")
    params = (copy / "params.yaml").read_text(encoding="utf-8")
    (copy / "params.yaml").write_text(params.replace("pdf: raw/plan_whole.pdf", "pdf: raw/plan_new.pdf", 1),
                                      encoding="utf-8")
    data, database = copy / "out" / "data", copy / "out" / "renkei.duckdb"
    copy_build(plan_build.path, data).joinpath("renkei.duckdb").unlink()  # the earlier edition's run
    write_database(data, database)
    venv = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST") and k != "PYTHONPATH"}
    env.update(PATH=f"{venv}{os.pathsep}{env.get('PATH', '')}", DVC_NO_ANALYTICS="1", GX_ANALYTICS_ENABLED="false")
    subprocess.run([str(venv / "dvc"), "init", "--no-scm", "-q"], cwd=copy, env=env, check=True)

    def make_run() -> subprocess.CompletedProcess:
        return subprocess.run(["make", "--no-print-directory", "run", "STAMP=no-stamp", "-o", "no-stamp",
                               f"PY={sys.executable}", f"VENV={venv.parent}"],
                              cwd=copy, capture_output=True, text=True, env=env, timeout=1800)

    def municipalities() -> int:
        con = duckdb.connect(str(database), read_only=True)
        try:
            return con.execute("SELECT count(*) FROM project_municipalities").fetchone()[0]
        finally:
            con.close()

    assert municipalities() == 565
    result = make_run()
    assert result.returncode != 0, result.stderr[-2000:]
    assert json.loads((data / "manifest.json").read_text(encoding="utf-8"))["row_counts"]["project_municipalities"] == 567
    assert not database.exists(), "out/renkei.duckdb still holds the earlier edition beside the new out/data"
    said = [line for line in result.stderr.splitlines() if "out/renkei.duckdb" in line]
    assert len(said) == 1 and said[0].startswith("out/renkei.duckdb: none") and "make run" in said[0], said
    assert "Traceback" not in result.stderr

    pin = subprocess.run([sys.executable, "-m", "pipeline", "pin", "out/data"], cwd=copy, env=env,
                         capture_output=True, text=True, timeout=300)
    assert pin.returncode == 0, pin.stderr
    result = make_run()
    assert result.returncode == 0, result.stderr[-2000:]
    assert municipalities() == 567  # the database of the data beside it
