"""Write contract tables as Parquet, deterministically and atomically.

Same table in, byte-identical file out (for a fixed pyarrow version): fixed codec and level, fixed
row-group size, dictionary encoding and statistics on, no page index, no pandas metadata, nothing
time- or host-dependent. Each file is written to ``path.with_suffix('.tmp')``, fsynced, then moved
into place with ``os.replace``; on any error the temporary file is removed and a previous file at
``path`` is left untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.stages.atomic import atomic_write, write_json
from schemas.tables import TABLES, datapackage

# pandas and schemas.enforce (pandas, ~0.4 s to import) are imported by the function that enforces frames;
# the build writes its rows with `write_rows` (schemas.rows: pyarrow alone). The stages' JSON goes through
# pipeline/stages/atomic.py.
if TYPE_CHECKING:
    import pandas as pd

PARQUET_OPTIONS = dict(
    compression="zstd",
    compression_level=9,
    use_dictionary=True,
    write_statistics=True,
    version="2.6",
    data_page_version="1.0",
    row_group_size=1_000_000,
    write_page_index=False,
    write_page_checksum=False,
    store_schema=True,
)

DATAPACKAGE_NAME = "datapackage.json"


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` as Parquet (deterministic bytes, atomic replace)."""
    if not isinstance(table, pa.Table):
        raise TypeError(f"write_table() needs a pyarrow Table, got {type(table).__name__}")
    atomic_write(Path(path), lambda f: pq.write_table(table, f, **PARQUET_OPTIONS))


def write_tables(frames: Mapping[str, pd.DataFrame], out_dir: Path,
                 sources: Mapping[str, dict] | None = None) -> dict[str, int]:
    """Enforce and write each frame as ``out_dir/<name>.parquet``, then ``out_dir/datapackage.json``
    describing exactly those tables (``sources`` as in manifest.json: the PDFs read). All frames are enforced before anything is written, so a
    schema error leaves ``out_dir`` as it was. Returns row counts per table, in contract order."""
    from schemas.enforce import enforce

    return _write(frames, enforce, out_dir, sources)


def write_rows(rows: Mapping[str, list[dict]], out_dir: Path,
               sources: Mapping[str, dict] | None = None) -> dict[str, int]:
    """`write_tables` for tables given as rows (dicts, as the build's stage files hold them), enforced with
    pyarrow alone (`schemas.rows.enforce_rows`: the same checks and the same Parquet bytes as
    ``write_tables`` of ``pd.DataFrame(rows)``, without importing pandas)."""
    from schemas.rows import enforce_rows

    return _write(rows, enforce_rows, out_dir, sources)


def _write(data: Mapping, enforce, out_dir: Path, sources: Mapping[str, dict] | None) -> dict[str, int]:
    from schemas.errors import SchemaError

    unknown = [n for n in data if n not in TABLES]
    if unknown:
        raise SchemaError(f"table {unknown[0]!r}: unknown table; known: {', '.join(TABLES)}")
    names = [n for n in TABLES if n in data]
    tables = {n: enforce(data[n], n) for n in names}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for n in names:
        write_table(tables[n], out_dir / f"{n}.parquet")
    write_json(datapackage(names, dict(sources or {})), out_dir / DATAPACKAGE_NAME)
    return {n: tables[n].num_rows for n in names}
