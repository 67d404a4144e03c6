"""pipeline.stages.write: deterministic, atomic Parquet and datapackage.json."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.stages.write as write_mod
from pipeline.stages.write import write_table, write_tables
from schemas.enforce import SchemaError, enforce
from schemas.tables import TABLES, arrow_schema
from tests.test_schemas import good_frame


def all_frames(n: int = 4) -> dict[str, pd.DataFrame]:
    return {name: good_frame(name, n) for name in TABLES}


def test_write_table_reads_back_with_exact_schema(tmp_path):
    t = enforce(good_frame("budgets"), "budgets")
    path = tmp_path / "budgets.parquet"
    write_table(t, path)
    back = pq.read_table(path)
    assert back.schema.equals(arrow_schema("budgets"), check_metadata=True)
    assert back.equals(t)
    field = back.schema.field("amount_thousand_yen")
    assert field.metadata[b"description_ja"].decode().startswith("事業費見込額（千円）")
    assert not list(tmp_path.glob("*.tmp"))


def test_write_twice_identical_bytes(tmp_path):
    t = enforce(good_frame("cells", 50), "cells")
    a, b = tmp_path / "a" / "cells.parquet", tmp_path / "b" / "cells.parquet"
    write_table(t, a)
    write_table(t, b)
    assert a.read_bytes() == b.read_bytes()
    first = a.read_bytes()
    write_table(t, a)  # overwrite in place
    assert a.read_bytes() == first


def test_same_data_different_input_order_identical_bytes(tmp_path):
    df = good_frame("indicators", 20)
    write_table(enforce(df, "indicators"), tmp_path / "x.parquet")
    shuffled = df.sample(frac=1, random_state=7)[list(reversed(df.columns))]
    write_table(enforce(shuffled, "indicators"), tmp_path / "y.parquet")
    assert (tmp_path / "x.parquet").read_bytes() == (tmp_path / "y.parquet").read_bytes()


def test_no_compression_surprises(tmp_path):
    t = enforce(good_frame("projects"), "projects")
    write_table(t, tmp_path / "p.parquet")
    md = pq.ParquetFile(tmp_path / "p.parquet").metadata
    assert md.row_group(0).column(0).compression == "ZSTD"
    assert b"pandas" not in (md.metadata or {})


def _exploding_writer(real):
    def boom(table, where, **kwargs):
        real(table.slice(0, 1), where, **kwargs)  # some bytes reach the file
        raise RuntimeError("disk on fire")

    return boom


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    t = enforce(good_frame("projects"), "projects")
    path = tmp_path / "projects.parquet"
    monkeypatch.setattr(write_mod.pq, "write_table", _exploding_writer(pq.write_table))
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_table(t, path)
    assert not path.exists()
    assert not path.with_suffix(".tmp").exists()
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_keeps_previous_file(tmp_path, monkeypatch):
    t = enforce(good_frame("projects"), "projects")
    path = tmp_path / "projects.parquet"
    write_table(t, path)
    before = path.read_bytes()
    monkeypatch.setattr(write_mod.pq, "write_table", _exploding_writer(pq.write_table))
    with pytest.raises(RuntimeError):
        write_table(enforce(good_frame("projects", 9), "projects"), path)
    assert path.read_bytes() == before
    assert not path.with_suffix(".tmp").exists()


def test_interrupted_by_keyboard_interrupt(tmp_path, monkeypatch):
    def stop(table, where, **kwargs):
        where.write(b"PAR1 partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(write_mod.pq, "write_table", stop)
    path = tmp_path / "cells.parquet"
    with pytest.raises(KeyboardInterrupt):
        write_table(enforce(good_frame("cells"), "cells"), path)
    assert list(tmp_path.iterdir()) == []


def test_write_tables(tmp_path):
    frames = all_frames()
    counts = write_tables(frames, tmp_path / "out")
    assert counts == {name: 4 for name in TABLES}
    assert list(counts) == list(TABLES)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.parquet" for n in TABLES] + ["datapackage.json"]
    )
    for name in TABLES:
        back = pq.read_table(out / f"{name}.parquet")
        assert back.schema.equals(arrow_schema(name), check_metadata=True)
        assert back.num_rows == 4
    text = (out / "datapackage.json").read_text(encoding="utf-8")
    dp = json.loads(text)
    assert [r["path"] for r in dp["resources"]] == [f"{n}.parquet" for n in TABLES]
    assert "連携事業" in text  # ensure_ascii=False
    assert text == json.dumps(dp, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_write_tables_deterministic(tmp_path):
    write_tables(all_frames(), tmp_path / "a")
    write_tables(all_frames(), tmp_path / "b")
    for p in sorted((tmp_path / "a").iterdir()):
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes(), p.name


def test_write_tables_subset(tmp_path):
    frames = {k: v for k, v in all_frames().items() if k != "overview"}
    counts = write_tables(frames, tmp_path)
    assert "overview" not in counts
    dp = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert "overview" not in [r["name"] for r in dp["resources"]]


def test_write_tables_refuses_before_writing(tmp_path):
    frames = all_frames()
    frames["cells"] = frames["cells"].assign(rowspan="wide")
    with pytest.raises(SchemaError, match="rowspan"):
        write_tables(frames, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_write_tables_refuses_unknown_table(tmp_path):
    with pytest.raises(SchemaError, match="nope"):
        write_tables({"nope": pd.DataFrame()}, tmp_path)


def test_write_table_needs_arrow_table(tmp_path):
    with pytest.raises(TypeError):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.parquet")  # type: ignore[arg-type]
    assert isinstance(enforce(good_frame("kpis"), "kpis"), pa.Table)
