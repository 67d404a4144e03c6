"""Shared fixtures: the plan is built once per test session (extraction is the slow part)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# `make test-fast` runs the unit tests only (`-m "not slow"`): a test is slow when it reads a PDF, through one
# of these fixtures (each builds, extracts or prints PDFs) or by being in a module that does so throughout.
SLOW_FIXTURES = {"plan_build", "revised_build", "plan_layout", "camelot_plan", "tables", "rows", "normalized",
                 "results", "small_plan", "bad_inputs", "validated", "report", "good_validation", "revised_diff",
                 "content"}
SLOW_MODULES = {"test_producers", "test_fuzz", "test_robustness", "test_bad_input", "test_end_to_end"}


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: reads or prints PDFs (left out by `make test-fast`)")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


class Build:
    """A finished build directory with its tables loaded as pandas frames (pyarrow dtypes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: dict[str, pd.DataFrame] = {}

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self._cache:
            self._cache[table] = pd.read_parquet(self.path / f"{table}.parquet", dtype_backend="pyarrow")
        return self._cache[table]


@pytest.fixture(scope="session")
def plan_build(tmp_path_factory) -> Build:
    from pipeline.stages.build import build

    out = tmp_path_factory.mktemp("plan") / "out"
    build(RAW / "plan_vi.pdf", RAW / "overview.pdf", out, progress=False, duckdb=True)  # with renkei.duckdb
    return Build(out)


@pytest.fixture(scope="session")
def revised_build(tmp_path_factory) -> Build:
    from pipeline.stages.build import build

    out = tmp_path_factory.mktemp("revised") / "out"
    build(FIXTURES / "plan_vi_revised_sample.pdf", None, out, progress=False)
    return Build(out)


@pytest.fixture(scope="session")
def plan_layout() -> dict:
    """The extract stage's layout.json of the plan, as a dict (tests copy it before changing it)."""
    from pipeline.stages.extract import extract_layout, layout_to_json

    return layout_to_json(extract_layout(RAW / "plan_vi.pdf", progress=False))
