"""The layout settings reach every helper: a whole build with another `Layout` reads otherwise, the default
one gives the reference build, and no module keeps a copy of the settings."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from extractors.settings import Layout
from pipeline.errors import ParseError

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
# The footnote on MICE as the seed transcribes it: a word space between two Latin words, printed as a gap
# of more than `Layout.space_gap_ratio` of the footnote's size.
WITH_SPACE = "Incentive travel/tour"


def _build(tmp_path: Path, settings: Layout) -> Path:
    from pipeline.stages.build import build

    out = tmp_path / "out"
    build(RAW / "plan_vi.pdf", RAW / "overview.pdf", out, progress=False, duckdb=False, settings=settings)
    return out


def _footnotes(folder: Path) -> str:
    return "\n".join(pd.read_parquet(folder / "footnotes.parquet")["text"])


@pytest.mark.slow
def test_the_default_layout_gives_the_reference_build(plan_build, tmp_path):
    out = _build(tmp_path, Layout())
    for table in sorted(plan_build.path.glob("*.parquet")):
        assert (out / table.name).read_bytes() == table.read_bytes(), table.name
    assert WITH_SPACE in _footnotes(out)


@pytest.mark.slow
def test_a_wider_word_space_reaches_the_cell_text(tmp_path):
    # Through the build, the parallel page readers (worker processes) and textlines' word spacing.
    out = _build(tmp_path, replace(Layout(), space_gap_ratio=10.0))
    text = _footnotes(out)
    assert WITH_SPACE not in text and WITH_SPACE.replace(" ", "") in text


@pytest.mark.slow
def test_a_ruled_reader_setting_can_refuse_the_plan(tmp_path):
    # No box is wide enough to be a table any more (ruled.read_page): no project table is found.
    with pytest.raises(ParseError, match="no project tables"):
        _build(tmp_path, replace(Layout(), min_table_side=10_000.0))


@pytest.mark.slow
def test_an_unruled_reader_setting_reaches_the_excerpt(tmp_path, capsys, plan_build):
    # Rows of the excerpt's table run together when the row gap must be five lines beyond both the tightest
    # gap and the leading (unruled; the tighter rule decides, so loosening one alone reads the same rows):
    # its rows no longer name the projects, so the excerpt is left out in one warning line, the plan built.
    for setting in ("row_gap_share", "leading_slack_share"):
        out = _build(tmp_path / setting, replace(Layout(), **{setting: 5.0}))
        assert (out / "overview.parquet").read_bytes() == (plan_build.path / "overview.parquet").read_bytes()
    capsys.readouterr()
    out = _build(tmp_path / "both", replace(Layout(), row_gap_share=5.0, leading_slack_share=5.0))
    assert not (out / "overview.parquet").exists()
    assert (out / "projects.parquet").read_bytes() == (plan_build.path / "projects.parquet").read_bytes()
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "excerpt rows link to no project" in warnings[0], warnings


def _modules():
    for package in ("extractors", "pipeline"):
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_no_module_keeps_a_layout_at_import():
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "LAYOUT":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} LAYOUT")
        for node in tree.body:  # module level: no Layout made, no value of one copied
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                for inner in ast.walk(node.value):
                    if isinstance(inner, ast.Call) and getattr(inner.func, "id", None) == "Layout":
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} Layout()")
    assert not found


def test_every_setting_has_its_reason():
    source = (ROOT / "extractors" / "settings.py").read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(source))
    (layout,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Layout"]
    for node in layout.body:
        if isinstance(node, ast.AnnAssign):
            above = source[node.lineno - 2].strip()
            assert above.startswith("#") or source[node.lineno - 3].strip().startswith("#"), node.target.id
