"""`python -m pipeline duckdb BUILD [--out FILE]`: the build's tables as one DuckDB database (renkei.duckdb).

Every table is created from the schema (types, NOT NULL, primary key, foreign keys to projects) and filled
from the build's Parquet file; every table and column carries its description as a comment, so
``DESCRIBE``/``duckdb_columns()`` explain the data without the docs. ``build --duckdb`` writes it into the
build folder too (not by default: importing duckdb and writing the database was ~0.3 s of CPU, a fifth of
what the build spends besides reading pages, for a file only some builds' users open).

Besides the tables it holds the view `municipality_projects` (`MUNICIPALITY_PROJECTS`): one row per partner
municipality and project, with the project's amount of each fiscal year the plan prints as a column
(``fy<YEAR>_thousand_yen``, null where no amount is printed). The years come from the build's budgets, so
another plan period gets its own columns. ``pipeline.municipality_projects`` returns the same rows from the
Parquet files.

And the view `provenance` (`PROVENANCE`): one row per printed value with where it is printed (table, key,
column, value as printed, page and page label, table id, grid row and column, box), built from the tables'
own location columns (``schemas.tables.value_locations``), so "where is project 20's amount of a fiscal year
printed" needs no join (the year as the build's budgets hold it)::

    SELECT * FROM provenance WHERE table_name = 'budgets' AND project_no = 20 AND key = 'fiscal_year=' || <year>


Size: DuckDB allocates its file in blocks, 256 KiB by default, and every table's data, every index (primary
and foreign keys) and the catalogue take blocks of their own: the reference plan's ~3,600 rows took 25 blocks,
6.3 MB, for under 200 KB of data. Written with the smallest block size DuckDB allows (`BLOCK_SIZE`, 16 KiB)
the same database takes 40 blocks, about 0.65 MB (reading it needs DuckDB 1.2 or later, like any file
written by the pinned DuckDB).

Its content is deterministic, its bytes are not (DuckDB writes a random database id and checksums into the
file), so dvc.yaml keeps it out of the DVC-tracked out/data and `make run` writes it to out/renkei.duckdb,
undeclared: it removes the database before ``dvc repro`` (which may change out/data and then stop, at the
gate or any stage) and writes it from out/data once the run passed, so it never holds another edition than
out/data; a failed run says in one line that there is none. ``build`` and ``write`` write it only with
``--duckdb`` (a rebuild without removes an earlier build's, `pipeline.stages.builddir.swap_in`).
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
    """The query behind the view, over the tables projects, project_municipalities and budgets: per fiscal
    year the amount in thousand yen (``fy<YEAR>_thousand_yen``), then the same in yen (``fy<YEAR>_yen``), as
    budgets has both."""
    amounts = "".join(f',\n       max(b.{column}) FILTER (WHERE b.fiscal_year = {int(y)}) AS "fy{int(y)}_{unit}"'
                      for column, unit in (("amount_thousand_yen", "thousand_yen"), ("amount_yen", "yen"))
                      for y in years)
    return ("SELECT m.municipality, m.lg_code, p.project_no, p.project_id, p.name AS project_name, p.area_no, "
            "p.area_title"
            f"{amounts}\n"
            "FROM project_municipalities m JOIN projects p USING (project_no)\n"
            "LEFT JOIN budgets b USING (project_no)\n"
            "GROUP BY m.municipality, m.lg_code, p.project_no, p.project_id, p.name, p.area_no, p.area_title\n"
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
               "project_id": "Stable id of the project across editions (schemas/project_ids.csv) / 連携事業の安定した識別子",
               "project_name": "Project name as printed / 連携事業名",
               "area_no": "Number of the plan's role (area) / 役割の番号",
               "area_title": "Heading of the role (area) / 役割の見出し"}
    for year in years:
        columns[f"fy{year}_thousand_yen"] = (
            f"The whole project's budget for FY{year} in thousand yen, null where none is printed; not the "
            f"municipality's share / {year}年度の事業全体の事業費（千円）。印字がなければ null。市町村の負担分ではない")
        columns[f"fy{year}_yen"] = (
            f"The same amount for FY{year} in yen (1,000 × fy{year}_thousand_yen) / {year}年度の事業全体の事業費（円）")
    for column, comment in columns.items():
        con.execute(f'COMMENT ON COLUMN {MUNICIPALITY_PROJECTS}."{column}" IS {_quoted(comment)}')


PROVENANCE = "provenance"
_PROVENANCE_COMMENT = (
    "One row per printed value of the build: which table, row (project_id, project_no and the rest of the "
    "row's key as text, e.g. fiscal_year=<year>) and column it is, the value as printed, and where: the PDF "
    "(source), page index and printed page label, table id, grid row and column of its cell and the cell's "
    "box in PDF points (origin top-left). Footnotes are lines, not cells: their table_id, row and col are null. "
    "/ ビルドの印字された値ごとに 1 行: 表・行（キー）・列、印字どおりの値、印字された場所（PDF、ページ、表、"
    "セルの行・列、座標）。")
_PROVENANCE_COLUMNS = {
    "table_name": "The table the value is in / 値のある表",
    "project_id": "Stable id of the value's project (null for kpis) / 連携事業の安定した識別子",
    "project_no": "Project number as printed (null for kpis) / 連携事業の番号",
    "key": "The rest of the row's key, name=value joined by ', ' (e.g. fiscal_year=<year>, indicator_no=1; '' for projects) / "
           "行のキー（事業番号以外）",
    "column_name": "The column the value is in / 値の列",
    "value": "The value as printed (text) / 印字どおりの値",
    "source": "Source PDF: plan or overview / 抽出元の PDF",
    "page": "1-based page index in the PDF file / PDF 内のページ位置",
    "page_label": "Page number printed on that page (cite this) / 印字されたページ番号",
    "table_id": "Id of the table holding the cell (null for footnotes) / 表の識別子",
    "row": "0-based grid row of the cell (null for footnotes) / セルの行番号",
    "col": "0-based grid column of the cell (null for footnotes) / セルの列番号",
    "x0": "Left edge of the cell, PDF points / セルの左端",
    "top": "Top edge of the cell, PDF points from the page's top / セルの上端",
    "x1": "Right edge of the cell, PDF points / セルの右端",
    "bottom": "Bottom edge of the cell, PDF points from the page's top / セルの下端",
}


def provenance_sql(tables: list[str]) -> str:
    """The query behind the view `provenance`: one SELECT per printed value column that carries its own cell
    (``schemas.tables.value_locations``) of each of ``tables``, UNION ALL, rows where no cell is recorded
    (nothing printed) left out."""
    from schemas.tables import value_locations

    parts = []
    for name in tables:
        spec = TABLES[name]
        key = [k for k in spec.primary_key if k != "project_no"]
        key_sql = (" || ', ' || ".join(f"'{k}=' || CAST(\"{k}\" AS VARCHAR)" for k in key)) if key else "''"
        project = ("project_id", "project_no") if "project_id" in spec.fields else ("NULL", "NULL")
        for location in value_locations(name):
            cols = location.columns

            def col(part: str, cast: str) -> str:
                return f'"{cols[part]}"' if part in cols else f"CAST(NULL AS {cast})"

            parts.append(
                f"SELECT '{name}' AS table_name, CAST({project[0]} AS VARCHAR) AS project_id, "
                f"CAST({project[1]} AS SMALLINT) AS project_no, {key_sql} AS key, "
                f"'{location.value}' AS column_name, CAST(\"{location.value}\" AS VARCHAR) AS value, "
                f"'{'overview' if name == 'overview' else 'plan'}' AS source, {col('page', 'SMALLINT')} AS page, "
                f"{col('page_label', 'VARCHAR')} AS page_label, {col('table_id', 'VARCHAR')} AS table_id, "
                f"{col('row', 'SMALLINT')} AS \"row\", {col('col', 'SMALLINT')} AS col, "
                + ", ".join(f'{col(edge, "DOUBLE")} AS "{edge}"' for edge in ("x0", "top", "x1", "bottom"))
                + f" FROM {name} WHERE {col('x0', 'DOUBLE')} IS NOT NULL")
    return "\nUNION ALL\n".join(parts)


def _create_provenance_view(con, names: list[str]) -> None:
    from schemas.tables import value_locations

    located = [n for n in names if value_locations(n)]
    if not located:
        return
    con.execute(f"CREATE VIEW {PROVENANCE} AS {provenance_sql(located)}")
    con.execute(f"COMMENT ON VIEW {PROVENANCE} IS {_quoted(_PROVENANCE_COMMENT)}")
    for column, comment in _PROVENANCE_COLUMNS.items():
        con.execute(f'COMMENT ON COLUMN {PROVENANCE}."{column}" IS {_quoted(comment)}')


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
            _create_provenance_view(con, names)
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


_MAGIC = (8, b"DUCK")  # where a DuckDB database file says what it is (after an 8-byte checksum)


def remove_database(path: Path) -> bool:
    """Remove the database ``path`` (and a write-ahead log beside it) before the build it was written from
    may change, so that no database of another edition is left beside the data (`make run`: out/data
    changes inside ``dvc repro``, which can stop at the gate, or at any stage, with the new edition in
    place). A file at ``path`` that is not a DuckDB database is refused (`InputError`) and left: renkei
    removes only what it wrote. True when one was removed."""
    from pipeline.inputs import InputError

    path = Path(path)
    if not path.exists():
        return False
    offset, magic = _MAGIC
    try:
        with path.open("rb") as handle:
            head = handle.read(offset + len(magic))
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error}); not removed") from None
    if not path.is_file() or head[offset:] != magic:
        raise InputError(f"{path}: not a DuckDB database (renkei writes its database there); move it away")
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    path.unlink()
    return True


def run_duckdb(build_dir: Path, out: Path | None = None, remove: bool = False) -> int:
    """The CLI command: check that ``build_dir`` is a build, write the database (default BUILD/renkei.duckdb);
    with ``remove``, remove that database instead (`remove_database`; ``build_dir`` need not exist)."""
    from pipeline.stages.builddir import manifest_tables, require_build

    if remove:
        remove_database(Path(out) if out is not None else Path(build_dir) / DUCKDB_NAME)
        return 0
    manifest = require_build(build_dir)
    path = Path(out) if out is not None else Path(build_dir) / DUCKDB_NAME
    write_database(build_dir, path, [n for n in manifest_tables(manifest) if n in TABLES])
    return 0
