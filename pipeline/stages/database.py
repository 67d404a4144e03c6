"""`python -m pipeline duckdb BUILD [--out FILE]`: the build's tables as one DuckDB database (renkei.duckdb).

Every table is created from the schema (types, NOT NULL, primary key, foreign keys to projects) and filled
from the build's Parquet file; every table and column carries its description as a comment, so
``DESCRIBE``/``duckdb_columns()`` explain the data without the docs. ``build`` writes it into the build
folder too (unless ``--no-duckdb``).

Its content is deterministic, its bytes are not (DuckDB writes a random database id and checksums into the
file), so dvc.yaml keeps it out of the DVC-tracked out/data and writes it to out/renkei.duckdb, undeclared.
The file is written beside its destination and moved into place, so a reader never sees half a database.
"""

from __future__ import annotations

import os
from pathlib import Path

from schemas.tables import TABLES, duckdb_statements

DUCKDB_NAME = "renkei.duckdb"


def write_database(build_dir: Path, path: Path, tables: list[str] | None = None) -> Path:
    """Write the tables of ``build_dir`` (those given, else every contract table present) into ``path``."""
    import duckdb

    build_dir, path = Path(build_dir), Path(path)
    names = [n for n in TABLES if (n in tables if tables is not None else (build_dir / f"{n}.parquet").exists())]
    tmp = path.with_name(f".{path.name}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp), config={"threads": 1})
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
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def run_duckdb(build_dir: Path, out: Path | None = None) -> int:
    """The CLI command: check that ``build_dir`` is a build, write the database (default BUILD/renkei.duckdb)."""
    from pipeline.stages.builddir import manifest_tables, require_build

    manifest = require_build(build_dir)
    path = Path(out) if out is not None else Path(build_dir) / DUCKDB_NAME
    write_database(build_dir, path, [n for n in manifest_tables(manifest) if n in TABLES])
    return 0
