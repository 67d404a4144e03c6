"""`python -m pipeline duckdb BUILD [--out FILE]`: the build's tables as one DuckDB database (renkei.duckdb).

Every table is created from the schema (types, NOT NULL, primary key, foreign keys to projects) and filled
from the build's Parquet file; every table and column carries its description as a comment, so
``DESCRIBE``/``duckdb_columns()`` explain the data without the docs. ``build`` writes it into the build
folder too (unless ``--no-duckdb``).

Besides the tables it holds the view `municipality_projects` (`MUNICIPALITY_PROJECTS`): one row per partner
municipality and project, with the project's amount of each fiscal year the plan prints as a column
(``fy<YEAR>_thousand_yen``, null where no amount is printed). The years come from the build's budgets, so
another plan period gets its own columns. ``pipeline.municipality_projects`` returns the same rows from the
Parquet files.

Size: DuckDB allocates its file in blocks, 256 KiB by default, and every table's data, every index (primary
and foreign keys) and the catalogue take blocks of their own: the reference plan's ~3,600 rows took 25 blocks,
6.3 MB, for under 200 KB of data. Written with the smallest block size DuckDB allows (`BLOCK_SIZE`, 16 KiB)
the same database takes 40 blocks, about 0.65 MB (reading it needs DuckDB 1.2 or later, like any file
written by the pinned DuckDB).

Its content is deterministic, its bytes are not (DuckDB writes a random database id and checksums into the
file), so dvc.yaml keeps it out of the DVC-tracked out/data and writes it to out/renkei.duckdb, undeclared.
The file is written beside its destination and moved into place, so a reader never sees half a database;
a write that fails (a full or read-only disk) removes the temporary file and its write-ahead log and leaves
an earlier database as it was.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from schemas.tables import TABLES, duckdb_statements

DUCKDB_NAME = "renkei.duckdb"
BLOCK_SIZE = 16_384  # DuckDB's smallest block size: the file sized like the data (module docstring)

MUNICIPALITY_PROJECTS = "municipality_projects"
# The tables the view reads; it is created when the build has all three.
_VIEW_TABLES = ("projects", "project_municipalities", "budgets")
_VIEW_COMMENT = (
    "One row per partner municipality and project (連携市町村 × 連携事業), with the project's budget per fiscal "
    "year in thousand yen (null where the plan prints no amount). The amounts are the whole project's, not the "
    "municipality's share: summing them across municipalities counts a shared project once per partner. / "
    "連携市町村と連携事業の組ごとに 1 行。金額は事業全体の額（千円）で市町村の負担分ではないため、市町村をまたいで"
    "合計すると共同の事業を重複して数える。金額の印字がない年度は null。")


def fiscal_years(con) -> list[int]:
    """The fiscal years the build's budgets hold, in order: the view's amount columns."""
    return [int(y) for (y,) in con.execute("SELECT DISTINCT fiscal_year FROM budgets ORDER BY 1").fetchall()]


def municipality_projects_sql(years: list[int]) -> str:
    """The query behind the view, over the tables projects, project_municipalities and budgets."""
    amounts = "".join(f',\n       max(b.amount_thousand_yen) FILTER (WHERE b.fiscal_year = {int(y)}) '
                      f'AS "fy{int(y)}_thousand_yen"' for y in years)
    return ("SELECT m.municipality, m.lg_code, p.project_no, p.name AS project_name, p.area_no, p.area_title"
            f"{amounts}\n"
            "FROM project_municipalities m JOIN projects p USING (project_no)\n"
            "LEFT JOIN budgets b USING (project_no)\n"
            "GROUP BY m.municipality, m.lg_code, p.project_no, p.name, p.area_no, p.area_title\n"
            "ORDER BY m.lg_code, p.project_no")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _create_view(con) -> None:
    years = fiscal_years(con)
    con.execute(f"CREATE VIEW {MUNICIPALITY_PROJECTS} AS {municipality_projects_sql(years)}")
    con.execute(f"COMMENT ON VIEW {MUNICIPALITY_PROJECTS} IS {_quoted(_VIEW_COMMENT)}")
    columns = {"municipality": "Partner municipality (連携市町村) / 連携市町村",
               "lg_code": "6-digit local government code (全国地方公共団体コード) / 団体コード",
               "project_no": "Project number as printed / 連携事業の番号",
               "project_name": "Project name as printed / 連携事業名",
               "area_no": "Number of the plan's role (area) / 役割の番号",
               "area_title": "Heading of the role (area) / 役割の見出し"}
    for year in years:
        columns[f"fy{year}_thousand_yen"] = (
            f"The whole project's budget for FY{year} in thousand yen, null where none is printed; not the "
            f"municipality's share / {year}年度の事業全体の事業費（千円）。印字がなければ null。市町村の負担分ではない")
    for column, comment in columns.items():
        con.execute(f'COMMENT ON COLUMN {MUNICIPALITY_PROJECTS}."{column}" IS {_quoted(comment)}')


def write_database(build_dir: Path, path: Path, tables: list[str] | None = None) -> Path:
    """Write the tables of ``build_dir`` (those given, else every contract table present) into ``path``."""
    import duckdb

    build_dir, path = Path(build_dir), Path(path)
    names = [n for n in TABLES if (n in tables if tables is not None else (build_dir / f"{n}.parquet").exists())]
    tmp = path.with_name(f".{path.name}.tmp")
    leftovers = (tmp, tmp.with_name(tmp.name + ".wal"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp), config={"threads": 1, "default_block_size": str(BLOCK_SIZE)})
        try:
            # One transaction: committing each of the ~140 statements (tables, comments, inserts) on its
            # own took twice as long.
            con.execute("BEGIN TRANSACTION")
            for name in names:
                for statement in duckdb_statements(name, names):
                    con.execute(statement)
                columns = ", ".join(f'"{c}"' for c in TABLES[name].fields)
                con.execute(f"INSERT INTO {name} SELECT {columns} FROM read_parquet(?)",
                            [str(build_dir / f"{name}.parquet")])
            if all(n in names for n in _VIEW_TABLES):
                _create_view(con)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            with contextlib.suppress(Exception):  # after a fatal error (disk full) close raises it again
                con.close()
        os.replace(tmp, path)
    except BaseException:
        for leftover in leftovers:
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    return path


def run_duckdb(build_dir: Path, out: Path | None = None) -> int:
    """The CLI command: check that ``build_dir`` is a build, write the database (default BUILD/renkei.duckdb)."""
    from pipeline.stages.builddir import manifest_tables, require_build

    manifest = require_build(build_dir)
    path = Path(out) if out is not None else Path(build_dir) / DUCKDB_NAME
    write_database(build_dir, path, [n for n in manifest_tables(manifest) if n in TABLES])
    return 0
