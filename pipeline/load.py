"""Read a build back: every table of a build folder as pandas DataFrames, in one line.

    from pipeline import load_tables
    tables = load_tables("out/data")          # {"projects": DataFrame, "budgets": DataFrame, …}
    tables["budgets"].dtypes                  # int64[pyarrow], string[pyarrow] … : nulls stay nulls

The tables are those the build's ``manifest.json`` lists (so ``overview`` only when the build had the
excerpt). Columns keep the Parquet schema's types through pyarrow-backed dtypes: a nullable integer
column (``amount_thousand_yen``, ``field_no``) stays an integer column with <NA>, never float NaN.

    from pipeline import municipality_projects
    ebetsu = municipality_projects("out/data", "江別市")   # the view of renkei.duckdb, from the Parquet files

`municipality_projects` gives the rows of renkei.duckdb's view of the same name (one query,
``pipeline.stages.database.municipality_projects_sql``), so it works for a build written without --duckdb.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_tables", "municipality_projects"]


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


def municipality_projects(build_dir: str | Path = "out/data", municipality: str | None = None) -> "pd.DataFrame":
    """One row per partner municipality and project with the project's amount per printed fiscal year
    (``fy<YEAR>_thousand_yen``, <NA> where none is printed): the rows of renkei.duckdb's view
    ``municipality_projects``, only ``municipality``'s when given. The amounts are the whole project's,
    not the municipality's share: a sum across municipalities counts a shared project once per partner."""
    import duckdb
    import pandas as pd
    import pyarrow.parquet as pq

    from pipeline.stages.builddir import require_build
    from pipeline.stages.database import fiscal_years, municipality_projects_sql

    folder = Path(build_dir)
    require_build(folder)
    con = duckdb.connect(config={"threads": 1})
    try:
        for name in ("projects", "project_municipalities", "budgets"):
            con.register(name, pq.read_table(folder / f"{name}.parquet"))
        query = municipality_projects_sql(fiscal_years(con))
        if municipality is not None:
            query = f"SELECT * FROM ({query}) WHERE municipality = ?"
        table = con.sql(query, params=None if municipality is None else [municipality]).to_arrow_table()
    finally:
        con.close()
    return table.to_pandas(types_mapper=pd.ArrowDtype)
