"""The tables of the data contract: which fields, in which order, keyed by what.

``TABLES`` maps a table name to a ``TableSpec``. ``arrow_schema(name)`` builds the pyarrow schema
(field descriptions in the field metadata), ``datapackage(names)`` the frictionless
``datapackage.json`` dict. Field types and descriptions live in ``schemas.fields``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from schemas.fields import CONSTRAINTS, FIELDS, Field, quantity_fields

CONTRACT_VERSION = "1"


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    fields: list[str]
    primary_key: list[str]
    description_ja: str = ""
    # Fields that are non-nullable in FIELDS but may be null in this table.
    nullable: list[str] = field(default_factory=list)

    def field(self, name: str) -> Field:
        """The field as it is in this table (nullability adjusted)."""
        f = FIELDS[name]
        if name in self.primary_key:
            return f._replace(nullable=False)
        if name in self.nullable:
            return f._replace(nullable=True)
        return f


_TABLE_LIST = [
    TableSpec(
        name="projects",
        description="One row per collaboration project (連携事業) of the plan.",
        description_ja="連携事業ごとに 1 行",
        fields=[
            "project_no", "name", "summary", "area_no", "area_title", "field_no", "field_title",
            "category_code", "category_title", "municipalities_raw", "page_start", "page_end",
            "table_id",
        ],
        primary_key=["project_no"],
    ),
    TableSpec(
        name="project_municipalities",
        description="The partner municipalities (連携市町村) of each project, expanded (全市町村 = all 11).",
        description_ja="事業ごとの連携市町村（全市町村は 11 市町村に展開）",
        fields=["project_no", "municipality", "lg_code", "list_order", "page", "table_id", "row", "col"],
        primary_key=["project_no", "municipality"],
    ),
    TableSpec(
        name="responsibilities",
        description="Role (役割分担) and cost share (費用負担) of Sapporo and of the partner municipalities per project.",
        description_ja="事業ごとの札幌市と連携市町村の役割分担・費用負担",
        fields=[
            "project_no", "party", "role", "cost_share", "role_page", "role_table_id", "role_row",
            "cost_share_page", "cost_share_table_id", "cost_share_row",
        ],
        primary_key=["project_no", "party"],
    ),
    TableSpec(
        name="budgets",
        description="Expected project cost (事業費見込額) per project and fiscal year (FY2024–2028).",
        description_ja="事業・年度ごとの事業費見込額（令和6〜10年度）",
        fields=[
            "project_no", "fiscal_year", "era_label", "raw", "amount_thousand_yen", "amount_yen",
            "note", "page", "table_id", "row", "col", "colspan",
        ],
        primary_key=["project_no", "fiscal_year"],
    ),
    TableSpec(
        name="indicators",
        description="Outcome indicators (成果指標) of each project with baseline and target values.",
        description_ja="事業ごとの成果指標（基準値・目標値）",
        fields=[
            "project_no", "indicator_no", "item", *quantity_fields("baseline"),
            *quantity_fields("target"), "page", "table_id", "row",
        ],
        primary_key=["project_no", "indicator_no"],
    ),
    TableSpec(
        name="kpis",
        description="Basic KPIs (基本KPI) of each role (area) with current and target values.",
        description_ja="役割ごとの基本KPI（現状値・目標値）",
        fields=[
            "area_no", "kpi_no", "name", *quantity_fields("current"), *quantity_fields("target"),
            "page", "table_id", "row",
        ],
        primary_key=["area_no", "kpi_no"],
    ),
    TableSpec(
        name="footnotes",
        description="Footnotes (※ 【term】 text) and the project whose text carries the mark.",
        description_ja="注釈（※【用語】本文）と記号が付いた事業",
        fields=["footnote_no", "term", "text", "project_no", "page"],
        primary_key=["footnote_no"],
    ),
    TableSpec(
        name="overview",
        description="Rows of the overview excerpt PDF, each matched to its project.",
        description_ja="概要の抜粋 PDF の行（対応する連携事業の番号）",
        fields=["area_no", "row_no", "name", "summary", "project_no", "page", "table_id", "row"],
        primary_key=["area_no", "row_no"],
    ),
    TableSpec(
        name="cells",
        description="Every table cell as extracted, for provenance (geometry in PDF points).",
        description_ja="抽出したすべての表のセル（出典確認用、座標は PDF ポイント）",
        fields=[
            "source", "page", "table_id", "row", "col", "rowspan", "colspan", "text", "marks",
            "x0", "top", "x1", "bottom",
        ],
        primary_key=["source", "table_id", "row", "col"],
    ),
]

TABLES: dict[str, TableSpec] = {t.name: t for t in _TABLE_LIST}


def _check_specs() -> None:
    for t in _TABLE_LIST:
        assert len(set(t.fields)) == len(t.fields), f"{t.name}: duplicate field"
        unknown = [f for f in t.fields if f not in FIELDS]
        assert not unknown, f"{t.name}: fields not in FIELDS: {unknown}"
        assert t.primary_key and set(t.primary_key) <= set(t.fields), f"{t.name}: bad primary key"
        assert set(t.nullable) <= set(t.fields) - set(t.primary_key), f"{t.name}: bad nullable"


_check_specs()


def get_spec(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}") from None


def arrow_schema(name: str) -> pa.Schema:
    """The exact pyarrow schema of table ``name``."""
    spec = get_spec(name)
    fields = []
    for fname in spec.fields:
        f = spec.field(fname)
        fields.append(
            pa.field(
                fname,
                f.type,
                nullable=f.nullable,
                metadata={
                    b"description_ja": f.description_ja.encode("utf-8"),
                    b"description_en": f.description_en.encode("utf-8"),
                },
            )
        )
    metadata = {
        b"table": spec.name.encode("utf-8"),
        b"description": spec.description.encode("utf-8"),
        b"description_ja": spec.description_ja.encode("utf-8"),
        b"primary_key": json.dumps(spec.primary_key).encode("utf-8"),
        b"contract_version": CONTRACT_VERSION.encode("utf-8"),
    }
    return pa.schema(fields, metadata=metadata)


def _frictionless_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t):
        return "number"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_boolean(t):
        return "boolean"
    raise TypeError(f"no frictionless type for {t}")


def table_resource(name: str) -> dict:
    """The frictionless data resource of one table."""
    spec = get_spec(name)
    out_fields = []
    for fname in spec.fields:
        f = spec.field(fname)
        constraints: dict = {"required": not f.nullable}
        c = CONSTRAINTS.get(fname, {})
        if "enum" in c:
            constraints["enum"] = list(c["enum"])
        for key in ("pattern", "minimum", "maximum", "minLength"):
            if key in c:
                constraints[key] = c[key]
        out_fields.append(
            {
                "name": fname,
                "type": _frictionless_type(f.type),
                "arrowType": str(f.type),
                "description": f.description_en,
                "description_ja": f.description_ja,
                "constraints": constraints,
            }
        )
    return {
        "name": spec.name,
        "path": f"{spec.name}.parquet",
        "profile": "tabular-data-resource",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": spec.description,
        "description_ja": spec.description_ja,
        "schema": {"fields": out_fields, "primaryKey": list(spec.primary_key)},
    }


def datapackage(names: Iterable[str]) -> dict:
    """A frictionless ``datapackage.json`` dict for the given tables (in contract order)."""
    wanted = set(names)
    for n in wanted:
        get_spec(n)
    return {
        "name": "renkei",
        "title": "Sapporo metropolitan area collaboration plan (chapter VI)",
        "profile": "tabular-data-package",
        "contract_version": CONTRACT_VERSION,
        "resources": [table_resource(n) for n in TABLES if n in wanted],
    }
