"""The tables of the data contract: which fields, in which order, keyed by what.

``TABLES`` maps a table name to a ``TableSpec``. ``arrow_schema(name)`` builds the pyarrow schema
(field descriptions in the field metadata), ``datapackage(names)`` the frictionless
``datapackage.json`` dict. Field types, descriptions and roles live in ``schemas.fields``; the table adds
the one role that belongs to it, its natural key (``TableSpec.natural_key``). ``column_role`` says what a
column is in a table, and the readers below (``columns_of_role``, ``page_label_columns``,
``located_columns``, ``project_tables``) are what normalize, enforce and the diff ask instead of listing
columns themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from schemas.names import TABLE_NAMES
from schemas.fields import (BOX_EDGES, CONSTRAINTS, DERIVED, FIELDS, FROM_PROJECT, LOCATED_PREFIXES, LOCATION_PARTS,
                            POSITION, PROVENANCE, ROLE_KINDS, Field, Role, location_fields, quantity_fields)

# 2: every printed value carries its cell (page, table, row, col, box; prefixed per value where a row prints
# several) and every project row its stable project_id.
CONTRACT_VERSION = "2"
# The box of a value's cell, in the row's own columns (the prefixed ones add <prefix>_).
BOX = list(BOX_EDGES)


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    fields: list[str]
    primary_key: list[str]
    description_ja: str = ""
    # Fields that are non-nullable in FIELDS but may be null in this table.
    nullable: list[str] = field(default_factory=list)
    # A table only some builds have (overview: only with --overview); its suites skip when it is missing.
    optional: bool = False
    # What identifies a row across two editions of the plan (within its project, for a table keyed by
    # project_no): the printed key, not a position. None: rows have no identity across editions (the
    # excerpt, the cells), so the diff does not compare the table.
    natural_key: tuple[str, ...] | None = None
    # A table whose rows are read from one column of another table ("projects.municipalities_raw": each
    # partner municipality is a row): a row added or removed is the edit, and that column's change rides
    # along inside it.
    rows_derived_from: str | None = None
    # The value column that the row's own location columns (page, table_id, row, col, x0 … with no
    # prefix) say where it was printed: budgets' raw, an indicator's item. None: they locate no one value
    # (projects' table_id and pages are the project table's; cells are the locations themselves).
    row_value: str | None = None
    # Columns repeated from the row's project (same name, same value as in projects), so that the table
    # answers "which role (area)" without a join: their role is Role(FROM_PROJECT, of="projects.<column>"),
    # and the diff reports a change of them once, under projects.
    from_project: tuple[str, ...] = ()

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
            "category_code", "category_title", "municipalities_raw", "page_start", "page_start_label",
            "page_end", "page_end_label", "table_id", "project_id", *location_fields("name"),
        ],
        primary_key=["project_no"],
        natural_key=(),
    ),
    TableSpec(
        name="project_municipalities",
        description="The partner municipalities (連携市町村) of each project, expanded (全市町村 = every partner of the "
                    "edition: its member tables, else the reviewed schemas/members.csv).",
        description_ja="事業ごとの連携市町村（全市町村はその版の連携市町村すべてに展開）",
        fields=["project_no", "project_id", "municipality", "lg_code", "list_order", "page", "page_label",
                "table_id", "row", "col", *BOX],
        row_value="municipality",
        primary_key=["project_no", "municipality"],
        natural_key=("municipality",),
        rows_derived_from="projects.municipalities_raw",
    ),
    TableSpec(
        name="responsibilities",
        description="Role (役割分担) and cost share (費用負担) of Sapporo and of the partner municipalities per project.",
        description_ja="事業ごとの札幌市と連携市町村の役割分担・費用負担",
        fields=[
            "project_no", "project_id", "party", "role", "cost_share", *location_fields("role"),
            *location_fields("cost_share"),
        ],
        primary_key=["project_no", "party"],
        natural_key=("party",),
    ),
    TableSpec(
        name="budgets",
        description="Expected project cost (事業費見込額) per project and fiscal year of the plan period "
                    "(the years its budget headers print).",
        description_ja="事業・年度ごとの事業費見込額（計画期間の各年度。年度は予算欄の見出しから）",
        fields=[
            "project_no", "project_id", "fiscal_year", "era_label", "raw", "amount_thousand_yen", "amount_yen",
            "note", "page", "page_label", "table_id", "row", "col", "colspan", *BOX,
        ],
        row_value="raw",
        primary_key=["project_no", "fiscal_year"],
        natural_key=("fiscal_year",),
    ),
    TableSpec(
        name="indicators",
        description="Evaluation indicators (評価指標) of each project with baseline and target values.",
        description_ja="事業ごとの評価指標（基準値・目標値）",
        fields=[
            "project_no", "project_id", "area_no", "indicator_no", "item", *quantity_fields("baseline"),
            *quantity_fields("target"), "page", "page_label", "table_id", "row", "col", *BOX,
            *location_fields("baseline"), *location_fields("target"),
        ],
        row_value="item",
        primary_key=["project_no", "indicator_no"],
        natural_key=("item",),
        from_project=("area_no",),
    ),
    TableSpec(
        name="kpis",
        description="Basic KPIs (基本KPI) of each role (area) with current and target values.",
        description_ja="役割ごとの基本KPI（現状値・目標値）",
        fields=[
            "area_no", "kpi_no", "name", *quantity_fields("current"), *quantity_fields("target"),
            "page", "page_label", "table_id", "row", "col", *BOX, *location_fields("current"),
            *location_fields("target"),
        ],
        row_value="name",
        primary_key=["area_no", "kpi_no"],
        natural_key=("name",),
    ),
    TableSpec(
        name="footnotes",
        description="Footnotes (※ 【term】 text) and the project whose text carries the mark.",
        description_ja="注釈（※【用語】本文）と記号が付いた事業",
        fields=["footnote_no", "term", "text", "project_no", "project_id", "page", "page_label", *BOX],
        row_value="text",
        primary_key=["footnote_no"],
        natural_key=("term",),
    ),
    TableSpec(
        name="overview",
        description="Rows of the excerpt PDF (抜粋), each matched to its project; written only when the excerpt is given.",
        description_ja="抜粋 PDF の行（対応する連携事業の番号）。抜粋を渡したときだけ書く",
        optional=True,
        fields=["area_no", "row_no", "name", "summary", "project_no", "project_id", "page", "page_label",
                "table_id", "row", "col", *BOX],
        row_value="name",
        primary_key=["area_no", "row_no"],
    ),
    TableSpec(
        name="cells",
        description="Every table cell as extracted from the plan and the excerpt, for provenance (geometry in PDF points); "
                    "table_id is numbered per source PDF, so the key is (source, table_id, row, col).",
        description_ja="計画本体と抜粋から抽出したすべての表のセル（出典確認用、座標は PDF ポイント）。"
                       "table_id は PDF ごとに振るので、キーは (source, table_id, row, col)",
        fields=[
            "source", "page", "page_label", "table_id", "row", "col", "rowspan", "colspan", "text", "marks",
            "x0", "top", "x1", "bottom",
        ],
        primary_key=["source", "table_id", "row", "col"],
    ),
]

TABLES: dict[str, TableSpec] = {t.name: t for t in _TABLE_LIST}
assert tuple(TABLES) == TABLE_NAMES, "schemas/names.py lists the tables of _TABLE_LIST, in its order"

# Foreign keys: {table: [(columns, parent table, parent columns)]}. Every project_no names a project.
FOREIGN_KEYS: dict[str, list[tuple[list[str], str, list[str]]]] = {
    name: [(["project_no"], "projects", ["project_no"])]
    for name in ("project_municipalities", "responsibilities", "budgets", "indicators", "footnotes", "overview")
}

# What the data is read from: constants of the product (the title and publisher are not read from the PDF;
# the file's SHA-256 and page count come from the build, manifest.json["sources"]).
PUBLISHER = "札幌市"
SOURCE_TITLES = {
    "plan": "第2期さっぽろ連携中枢都市圏ビジョン 第VI章 連携協約に基づき推進する具体的取組",
    "overview": "第2期さっぽろ連携中枢都市圏ビジョン 第VI章（抜粋）",
}
# The plan is 札幌市's publication; this dataset cannot state a licence for it that nobody has verified, so
# it says so ("notspecified" is the Open Definition id for "License not specified").
LICENSES = [{
    "name": "notspecified",
    "title": "License not specified: the data are read from a publication of 札幌市 (City of Sapporo); its "
             "terms of use apply and were not verified for this dataset. Check them before redistributing.",
}]
# A null is a Parquet null, and "" is a value (an empty table cell's text): no text stands for a missing value.
# frictionless reads Parquet through pandas, which turns a null of an integer or float column into NaN (read
# through pyarrow) or pd.NA (read through fastparquet); the dataset never holds a NaN (the build refuses one),
# so numeric fields declare the text of those two as their missing values.
MISSING_VALUES: list[str] = []
NUMERIC_MISSING_VALUES = ["nan", "<NA>"]


# -- column roles --------------------------------------------------------------------------------------
NATURAL_KEY = "natural_key"


def column_role(table: str, column: str) -> Role | None:
    """The role of ``column`` in ``table``: ``Role(NATURAL_KEY)`` for a column of the table's natural key,
    else the field's own role (provenance, position, derived), None for plain data."""
    spec = get_spec(table)
    if spec.natural_key and column in spec.natural_key:
        return Role(NATURAL_KEY)
    if column in spec.from_project:
        return Role(FROM_PROJECT, None, f"projects.{column}")
    return FIELDS[column].role


def columns_of_role(table: str, kind: str) -> list[str]:
    """The columns of ``table`` whose role is ``kind``, in the table's order."""
    return [c for c in get_spec(table).fields if (r := column_role(table, c)) is not None and r.kind == kind]


def page_label_columns() -> dict[str, str]:
    """{page label column: the page column it labels}, for every table (normalize fills the labels)."""
    return {name: f.role.of for name, f in FIELDS.items()
            if f.role is not None and f.role.kind == PROVENANCE and f.role.part == "page_label"}


def located_columns(table: str, parts: tuple[str, ...] = ("page", "table", "row", "col")) -> list[dict[str, str]]:
    """The locations a row of ``table`` names, as [{part: column}] — one per located value (``Role.of``;
    the row's own cells first), each part its first column in table order. What a message names to say
    where a row was printed: budgets → [{"page": "page", "table": "table_id", "row": "row", "col": "col"}]."""
    groups: dict[str | None, dict[str, str]] = {}
    for column in get_spec(table).fields:
        role = FIELDS[column].role
        if role is None or role.kind != PROVENANCE or role.part not in parts:
            continue
        groups.setdefault(role.of, {}).setdefault(role.part, column)
    return [groups[of] for of in sorted(groups, key=lambda of: of is not None)]


@dataclass(frozen=True)
class ValueLocation:
    """Where one printed value of a row is: ``value`` its column, ``columns`` {part: column} for the parts of
    ``LOCATION_PARTS`` the table has (footnotes, a line and no table, have no table_id/row/col)."""
    value: str
    columns: dict[str, str]


def value_locations(table: str) -> list[ValueLocation]:
    """The printed values of ``table`` that carry their own cell (a box), in table order: the row's own
    (``TableSpec.row_value``) first, then each prefixed one (``<prefix>_x0`` … locating ``Role.of``). What the
    provenance view and the review read instead of joining ``cells``."""
    spec = get_spec(table)
    out = []
    if spec.row_value is not None:
        own = {part: part for part in LOCATION_PARTS if part in spec.fields}
        out.append(ValueLocation(spec.row_value, own))
    for prefix in sorted((p for p in LOCATED_PREFIXES if f"{p}_x0" in spec.fields),
                         key=lambda p: spec.fields.index(f"{p}_x0")):
        out.append(ValueLocation(FIELDS[f"{prefix}_x0"].role.of, {part: f"{prefix}_{part}" for part in LOCATION_PARTS}))
    return out


def project_tables() -> list[str]:
    """projects and the tables whose rows belong to a project (project_no in their primary key and a
    foreign key to projects), in contract order."""
    owned = {name for name, keys in FOREIGN_KEYS.items()
             for cols, parent, _ in keys if parent == "projects" and set(cols) <= set(get_spec(name).primary_key)}
    return [name for name in TABLES if name == "projects" or name in owned]


def _check_specs() -> None:
    for t in _TABLE_LIST:
        assert len(set(t.fields)) == len(t.fields), f"{t.name}: duplicate field"
        unknown = [f for f in t.fields if f not in FIELDS]
        assert not unknown, f"{t.name}: fields not in FIELDS: {unknown}"
        assert t.primary_key and set(t.primary_key) <= set(t.fields), f"{t.name}: bad primary key"
        assert set(t.nullable) <= set(t.fields) - set(t.primary_key), f"{t.name}: bad nullable"
        if t.natural_key is not None:
            assert set(t.natural_key) <= set(t.fields), f"{t.name}: natural key not in fields"
            assert all(FIELDS[c].role is None for c in t.natural_key), f"{t.name}: natural key column with a role"
        for column in t.fields:
            role = FIELDS[column].role
            if role is None:
                continue
            assert role.kind in ROLE_KINDS, f"{column}: unknown role {role.kind}"
            if role.kind == DERIVED or (role.kind == PROVENANCE and role.part == "page_label"):
                assert role.of in t.fields, f"{t.name}.{column}: derived from {role.of}, not in the table"
            assert role.kind != POSITION or role.of is None, column
        for column in t.from_project:
            assert column in t.fields and column in TABLES["projects"].fields and FIELDS[column].role is None, \
                f"{t.name}.{column}: from_project names a plain column of projects"
        if t.row_value is not None:
            assert t.row_value in t.fields and set(BOX) <= set(t.fields), f"{t.name}: row_value without a box"
        if t.rows_derived_from is not None:
            parent, _, column = t.rows_derived_from.partition(".")
            assert column in TABLES[parent].fields, f"{t.name}: rows derived from unknown {t.rows_derived_from}"


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
        entry = {
            "name": fname,
            "type": _frictionless_type(f.type),
            "arrowType": str(f.type),
            "description": f.description_en,
            "description_ja": f.description_ja,
            "constraints": constraints,
        }
        if f.unit:
            entry["unit"] = f.unit
        if f.example is not None:
            entry["example"] = f.example
        if entry["type"] in ("integer", "number"):
            entry["missingValues"] = list(NUMERIC_MISSING_VALUES)
        out_fields.append(entry)
    schema: dict = {"fields": out_fields, "primaryKey": list(spec.primary_key),
                    "missingValues": list(MISSING_VALUES)}
    foreign = [{"fields": cols, "reference": {"resource": parent, "fields": parent_cols}}
               for cols, parent, parent_cols in FOREIGN_KEYS.get(spec.name, [])]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": spec.name,
        "path": f"{spec.name}.parquet",
        "profile": "tabular-data-resource",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": spec.description,
        "description_ja": spec.description_ja,
        "schema": schema,
    }


def package_sources(sources: dict[str, dict] | None) -> list[dict]:
    """The datapackage ``sources``: title and publisher of each PDF read, with its file name, SHA-256 and
    page count (``sources`` as in manifest.json: {"plan": {"file", "sha256", "pages"}, "overview": …})."""
    out = []
    for role, info in (sources or {}).items():
        entry = {"title": SOURCE_TITLES.get(role, role), "publisher": PUBLISHER, "role": role}
        for key in ("file", "sha256", "pages"):
            if key in info:
                entry[key] = info[key]
        out.append(entry)
    return out


def datapackage(names: Iterable[str], sources: dict[str, dict] | None = None) -> dict:
    """A frictionless ``datapackage.json`` dict for the given tables (in contract order); ``sources`` as in
    manifest.json. A foreign key to a table the package lacks is left out."""
    wanted = set(names)
    for n in wanted:
        get_spec(n)
    resources = [table_resource(n) for n in TABLES if n in wanted]
    for resource in resources:
        keys = [k for k in resource["schema"].get("foreignKeys", []) if k["reference"]["resource"] in wanted]
        if keys:
            resource["schema"]["foreignKeys"] = keys
        else:
            resource["schema"].pop("foreignKeys", None)
    return {
        "name": "renkei",
        "title": "Sapporo metropolitan area collaboration plan (chapter VI): projects, budgets, indicators",
        "title_ja": SOURCE_TITLES["plan"],
        "profile": "tabular-data-package",
        "contract_version": CONTRACT_VERSION,
        "sources": package_sources(sources),
        "licenses": LICENSES,
        "resources": resources,
    }


# -- DuckDB ------------------------------------------------------------------------------------------
_DUCKDB_TYPES = {pa.int8(): "TINYINT", pa.int16(): "SMALLINT", pa.int32(): "INTEGER", pa.int64(): "BIGINT",
                 pa.float64(): "DOUBLE", pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN"}


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def column_comment(name: str, column: str) -> str:
    """The comment of one column in the DuckDB database: English, Japanese, unit and example."""
    f = get_spec(name).field(column)
    parts = [f"{f.description_en} / {f.description_ja}"]
    if f.unit:
        parts.append(f"unit: {f.unit}")
    if f.example is not None:
        parts.append(f"e.g. {f.example}")
    return "; ".join(parts)


def table_comment(name: str) -> str:
    spec = get_spec(name)
    return f"{spec.description} / {spec.description_ja} Key: ({', '.join(spec.primary_key)})."


def duckdb_statements(name: str, tables: Iterable[str] = ()) -> list[str]:
    """CREATE TABLE (types, NOT NULL, primary key, foreign keys to those of ``tables`` present) and the
    COMMENT ON statements for table ``name``, from the schema."""
    spec = get_spec(name)
    present = set(tables)
    lines = [f'"{c}" {_DUCKDB_TYPES[spec.field(c).type]}{"" if spec.field(c).nullable else " NOT NULL"}'
             for c in spec.fields]
    lines.append(f"PRIMARY KEY ({', '.join(spec.primary_key)})")
    for cols, parent, parent_cols in FOREIGN_KEYS.get(name, []):
        if parent in present:
            lines.append(f"FOREIGN KEY ({', '.join(cols)}) REFERENCES {parent} ({', '.join(parent_cols)})")
    statements = [f"CREATE TABLE {name} (\n    " + ",\n    ".join(lines) + "\n)",
                  f"COMMENT ON TABLE {name} IS {_sql_text(table_comment(name))}"]
    statements += [f'COMMENT ON COLUMN {name}."{c}" IS {_sql_text(column_comment(name, c))}' for c in spec.fields]
    return statements
