"""renkei: the plan PDF → validated Parquet tables. ``load_tables(build_dir)`` reads a build back,
``municipality_projects(build_dir, municipality)`` one partner municipality's projects and budgets."""

from __future__ import annotations

from typing import Any

__all__ = ["load_tables", "municipality_projects"]


def load_tables(build_dir: Any = "out/data", **kwargs: Any) -> dict:
    """Every table of a build as pandas DataFrames with nullable dtypes (see ``pipeline.load``)."""
    from pipeline.load import load_tables as load

    return load(build_dir, **kwargs)


def municipality_projects(build_dir: Any = "out/data", municipality: str | None = None) -> Any:
    """One row per partner municipality and project with the budget per fiscal year (``pipeline.load``)."""
    from pipeline.load import municipality_projects as rows

    return rows(build_dir, municipality)
