"""Read a build back: every table of a build folder as pandas DataFrames, in one line.

    from pipeline import load_tables
    tables = load_tables("out/data")          # {"projects": DataFrame, "budgets": DataFrame, …}
    tables["budgets"].dtypes                  # int64[pyarrow], string[pyarrow] … : nulls stay nulls

The tables are those the build's ``manifest.json`` lists (so ``overview`` only when the build had the
excerpt). Columns keep the Parquet schema's types through pyarrow-backed dtypes: a nullable integer
column (``amount_thousand_yen``, ``field_no``) stays an integer column with <NA>, never float NaN.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_tables"]


def load_tables(build_dir: str | Path = "out/data", *, dtype_backend: str = "pyarrow") -> dict[str, "pd.DataFrame"]:
    """Every table of the build in ``build_dir`` (default ``out/data``, where ``make run`` builds), by
    name, sorted. ``dtype_backend``: "pyarrow" (default) or "numpy_nullable" (pandas' Int64, string,
    boolean …); both keep nulls as <NA>. Raises ``pipeline.inputs.InputError`` for a folder that is not a
    build or lacks a table its manifest lists."""
    import pandas as pd

    from pipeline.stages.builddir import manifest_tables, require_build

    if dtype_backend not in ("pyarrow", "numpy_nullable"):
        raise ValueError(f"dtype_backend must be 'pyarrow' or 'numpy_nullable', not {dtype_backend!r}")
    folder = Path(build_dir)
    manifest = require_build(folder)
    return {name: pd.read_parquet(folder / f"{name}.parquet", dtype_backend=dtype_backend)
            for name in sorted(manifest_tables(manifest))}
