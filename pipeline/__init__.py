"""renkei: the plan PDF → validated Parquet tables. ``load_tables(build_dir)`` reads a build back."""

from __future__ import annotations

from typing import Any

__all__ = ["load_tables"]


def load_tables(build_dir: Any = "out/data", **kwargs: Any) -> dict:
    """Every table of a build as pandas DataFrames with nullable dtypes (see ``pipeline.load``)."""
    from pipeline.load import load_tables as load

    return load(build_dir, **kwargs)
