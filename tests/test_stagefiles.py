"""Stage files (pipeline/stages/stagefile.py): each reads back as the records written, and a stale or
damaged one is refused in one line naming it and the stage to rerun, exit 2 through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.stages import stagefile
from pipeline.stages.build import _StageFiles, run_extract, run_normalize, run_parse
from pipeline.stages.stagefile import (STAGE_FORMAT, ExcerptRowsFile, ExcerptTablesFile, LayoutFile, RecordsFile,
                                       StageFileError, TablesFile, dump, from_data, load)

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Inner:
    name: str
    box: tuple[float, float] | None = None


@dataclass
class Outer:
    no: int
    inners: list[Inner]
    tags: tuple[str, ...] = ()
    best: Inner | None = None
    marks: list[str] = field(default_factory=list)


def _sample() -> Outer:
    return Outer(3, [Inner("a", (1.5, 2)), Inner("b")], ("x", "y"), Inner("c", (0.0, -1.0)), ["※1"])


def test_round_trip_of_nested_dataclasses_through_json():
    data = json.loads(json.dumps(dump(_sample())))
    assert data["stage_format"] == STAGE_FORMAT
    del data["stage_format"]
    back = from_data(Outer, data, Path("f.json"), "extract")
    assert back == _sample()
    assert isinstance(back.tags, tuple) and isinstance(back.inners[0].box, tuple)


@pytest.mark.parametrize("doctor, says", [
    (lambda d: d["inners"][1].pop("box"), "inners[1]: no field 'box' (Inner)"),
    (lambda d: d.pop("marks"), "no field 'marks'"),  # a field with a default is still required: no shims
    (lambda d: d["inners"][0].update(extra=1), "inners[0]: unknown field 'extra'"),
    (lambda d: d.update(no="3"), "no: int expected, found str"),
    (lambda d: d["best"].update(box=[1.0]), "best.box: a list of 2 expected"),
    (lambda d: d.update(inners={}), "inners: a list expected"),
])
def test_a_field_out_of_shape_is_named_with_its_place(doctor, says):
    data = json.loads(json.dumps(dump(_sample())))
    del data["stage_format"]
    doctor(data)
    with pytest.raises(StageFileError) as error:
        from_data(Outer, data, Path("build/extract/layout.json"), "extract")
    line = str(error.value)
    assert "\n" not in line and line.startswith("build/extract/layout.json: ") and says in line
    assert line.endswith("rerun `renkei extract`")


def test_a_stale_format_names_the_file_and_the_stage_to_rerun():
    for data in ({"source": {}, "pages": []}, {"stage_format": STAGE_FORMAT - 1, "source": {}, "pages": []}):
        with pytest.raises(StageFileError) as error:
            load(LayoutFile, data, Path("build/extract/layout.json"))
        assert str(error.value) == (f"build/extract/layout.json: stage file format {STAGE_FORMAT - 1}, this renkei "
                                    f"reads {STAGE_FORMAT}: rerun `renkei extract`")
    with pytest.raises(StageFileError, match=r"records.json: stage file format 99, .*rerun `renkei parse`"):
        load(RecordsFile, {"stage_format": 99}, Path("records.json"))


def _layout_folder(tmp_path: Path, data: dict) -> Path:
    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "layout.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_cli_refuses_a_stale_layout_in_one_line_with_exit_2(tmp_path, capsys):
    folder = _layout_folder(tmp_path, {"stage_format": 1, "source": {"file": "plan.pdf"}, "pages": []})
    assert main(["parse", str(folder), "--out", str(tmp_path / "parse")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert f"{folder / 'layout.json'}: stage file format 1, this renkei reads {STAGE_FORMAT}: rerun `renkei extract`" in err
    assert not (tmp_path / "parse").exists()


def test_cli_refuses_a_layout_that_is_not_json(tmp_path, capsys):
    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "layout.json").write_text('{"stage_format": 2, "pag', encoding="utf-8")
    assert main(["parse", str(folder), "--out", str(tmp_path / "parse")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and f"{folder / 'layout.json'}: not a stage file" in err and "rerun `renkei extract`" in err


# -- the stage files of the plan and its excerpt (read from the PDFs: slow) ------------------------------
@pytest.fixture(scope="module")
def stages(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("stagefiles")
    run_extract(ROOT / "raw" / "plan_vi.pdf", ROOT / "raw" / "overview.pdf", root / "extract", progress=False)
    run_parse(root / "extract", root / "parse")
    run_normalize(root / "extract", root / "parse", root / "normalize")
    return root


SHAPES = [("extract", "layout.json", LayoutFile), ("extract", "overview.json", ExcerptTablesFile),
          ("parse", "records.json", RecordsFile), ("parse", "overview.json", ExcerptRowsFile),
          ("normalize", "tables.json", TablesFile)]


@pytest.mark.slow
@pytest.mark.parametrize("stage, name, shape", SHAPES)
def test_each_stage_file_reads_back_as_written(stages, stage, name, shape):
    path = stages / stage / name
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["stage_format"] == STAGE_FORMAT and shape.stage == stage
    record = _StageFiles(stages / stage).read(name, shape)
    assert isinstance(record, shape)
    # every field back: written again, the same bytes as the file
    assert json.dumps(dump(record), sort_keys=True, indent=2, ensure_ascii=False) + "\n" == text
    again = load(shape, json.loads(json.dumps(dump(record))), path)
    assert again == record


@pytest.mark.slow
def test_layout_records_are_the_extractors_records(stages):
    layout = _StageFiles(stages / "extract").read("layout.json", LayoutFile)
    from extractors.ruled import GridCell, PageLayout, TableFragment
    from extractors.textlines import VisualLine
    page = next(p for p in layout.pages if p.fragments and p.lines)
    assert isinstance(page, PageLayout) and isinstance(page.fragments[0], TableFragment)
    assert isinstance(page.fragments[0].cells[0], GridCell) and isinstance(page.lines[0], VisualLine)
    assert isinstance(page.lines[0].fontnames, tuple)
    assert all(isinstance(u, tuple) for p in layout.pages for f in p.fragments for u in f.unplaced)


@pytest.mark.slow
def test_cli_refuses_a_layout_with_a_missing_field(stages, tmp_path):
    data = json.loads((stages / "extract" / "layout.json").read_text(encoding="utf-8"))
    page = next(i for i, p in enumerate(data["pages"]) if p["fragments"])
    del data["pages"][page]["fragments"][0]["body_size"]
    folder = _layout_folder(tmp_path, data)
    run = subprocess.run([sys.executable, "-m", "pipeline", "parse", str(folder), "--out", str(tmp_path / "parse")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    err = run.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert f"{folder / 'layout.json'}: pages[{page}].fragments[0]: no field 'body_size' (TableFragment)" in err
    assert err.endswith("rerun `renkei extract`")
    assert not (tmp_path / "parse").exists()


def test_a_free_form_field_must_still_be_an_object():
    with pytest.raises(StageFileError, match=r"^tables.json: tables: an object expected, found list .*rerun `renkei normalize`$"):
        load(TablesFile, {"stage_format": STAGE_FORMAT, "sources": {}, "tables": [], "provisional_project_ids": []},
             Path("tables.json"))


def test_every_shape_names_the_stage_that_writes_it():
    assert {shape.stage for _, _, shape in SHAPES} == {"extract", "parse", "normalize"}
    assert all(shape.stage == stage for stage, _, shape in SHAPES)
    assert stagefile.FORMAT_KEY == "stage_format"
