"""Every field of the data contract, declared once.

``FIELDS`` maps a field (column) name to ``Field(type, nullable, description_ja, description_en)``.
A field name means the same thing in every table that uses it; tables (``schemas.tables``) only
list field names. ``nullable`` is the field's default: a table may loosen it for one of its
columns (``TableSpec.nullable``), and primary-key columns are never nullable.

``CONSTRAINTS`` holds the value constraints the contract states, in frictionless terms (``enum``,
``pattern``, ``minimum``/``maximum``, ``minLength``); ``schemas.enforce`` checks them in every build (so a
dataset that breaks them is never written) and ``datapackage.json`` carries them. The expectation suites'
single-table rules must follow from them (tests/test_schemas.py checks that they do).
"""

from __future__ import annotations

from typing import NamedTuple

import pyarrow as pa


class Field(NamedTuple):
    type: pa.DataType
    nullable: bool
    description_ja: str
    description_en: str


INT8, INT16, INT64 = pa.int8(), pa.int16(), pa.int64()
FLOAT64, STRING = pa.float64(), pa.string()

# ---------------------------------------------------------------------------------------------
# Quantity columns: prefix_<suffix>, generated from a per-suffix template and a per-prefix word.
# ---------------------------------------------------------------------------------------------
QUANTITY_PREFIXES: dict[str, tuple[str, str]] = {
    "baseline": ("基準値", "baseline"),
    "target": ("目標値", "target"),
    "current": ("現状値", "current value"),
}

# suffix -> (type, nullable, description_ja template, description_en template); {ja}/{en} = prefix word
QUANTITY_SUFFIXES: dict[str, tuple[pa.DataType, bool, str, str]] = {
    "raw": (
        STRING, False,
        "{ja}のセル（印字どおり、正規化済みテキスト。例: 5,020百万円 (2027年度)）",
        "The {en} cell as printed (normalised text, e.g. 5,020百万円 (2027年度))",
    ),
    "value": (
        FLOAT64, True,
        "{ja}の数値（印字どおりの桁、単位の接頭辞は未適用。数値がなければ null）",
        "Numeric {en} as printed, before applying unit scale prefixes (null when there is no number)",
    ),
    "unit": (
        STRING, True,
        "{ja}の単位（印字どおり、例: 百万円、名、%）",
        "Unit of the {en} as printed (e.g. 百万円, 名, %)",
    ),
    "canonical_value": (
        FLOAT64, True,
        "{ja}の正規化数値（千・万・百万・億・兆を適用、▲は負）",
        "The {en} in its canonical unit (scale prefixes 千 万 百万 億 兆 applied; ▲ means negative)",
    ),
    "canonical_unit": (
        STRING, True,
        "{ja}の正規化単位（例: 円。名・% はそのまま）",
        "Canonical unit of the {en} (e.g. 円; 名 and % unchanged)",
    ),
    "year": (
        INT16, True,
        "{ja}の年（西暦、例: 2027）",
        "Year of the {en} (Gregorian, e.g. 2027)",
    ),
    "year_kind": (
        STRING, True,
        "{ja}の年の種類（fiscal = 年度、calendar = 年）",
        "Kind of year of the {en}: fiscal (年度) or calendar (年)",
    ),
    "period": (
        STRING, True,
        "{ja}の期間の種類（at = その年、every_year = 毎年度、by = …まで）",
        "Period of the {en}: at (in that year), every_year (毎年度) or by (…まで)",
    ),
    "comparator": (
        STRING, True,
        "{ja}の比較（以上 は >=、なければ null）",
        "Comparator of the {en}: >= for 以上, else null",
    ),
    "text": (
        STRING, True,
        "{ja}の定性的な記載（例: 常時、維持、開設、実施、毎年度、年1回）。なければ null",
        "Qualitative {en} (e.g. 常時, 維持, 開設, 実施, 毎年度, 年1回), else null",
    ),
}


def quantity_fields(prefix: str) -> list[str]:
    """The 10 quantity column names for ``prefix`` (baseline, target, current), in column order."""
    if prefix not in QUANTITY_PREFIXES:
        raise KeyError(f"unknown quantity prefix {prefix!r}")
    return [f"{prefix}_{suffix}" for suffix in QUANTITY_SUFFIXES]


def _quantity_field_defs() -> dict[str, Field]:
    out: dict[str, Field] = {}
    for prefix, (word_ja, word_en) in QUANTITY_PREFIXES.items():
        for suffix, (typ, nullable, ja, en) in QUANTITY_SUFFIXES.items():
            out[f"{prefix}_{suffix}"] = Field(typ, nullable, ja.format(ja=word_ja), en.format(en=word_en))
    return out


# ---------------------------------------------------------------------------------------------
# All other fields, alphabetical within groups.
# ---------------------------------------------------------------------------------------------
_FIELDS: dict[str, Field] = {
    # --- identifiers of the plan's structure ---
    "project_no": Field(
        INT16, False,
        "連携事業の番号（No.、印字どおり）",
        "Project number as printed (No.)",
    ),
    "area_no": Field(
        INT8, False,
        "役割の番号（1–3）",
        "Number of the plan's role (area), 1–3",
    ),
    "area_title": Field(
        STRING, False,
        "役割の見出し（例: 圏域全体の経済成長のけん引）",
        "Heading of the role (area), e.g. 圏域全体の経済成長のけん引",
    ),
    "field_no": Field(
        INT8, True,
        "役割3の下の分野の番号（(1)–(3) の数字）。役割1・2 では null",
        "Number of the field (1)–(3) under role 3; null under roles 1 and 2",
    ),
    "field_title": Field(
        STRING, True,
        "分野の見出し。役割1・2 では null",
        "Heading of the field under role 3; null under roles 1 and 2",
    ),
    "category_code": Field(
        STRING, False,
        "取組の分類記号（a, b, c …）",
        "Letter of the category heading (a, b, c …)",
    ),
    "category_title": Field(
        STRING, False,
        "取組の分類の見出し",
        "Text of the category heading",
    ),
    # --- projects ---
    "name": Field(
        STRING, False,
        "名称（projects: 連携事業名、kpis: 基本KPI、overview: 概要の事業名）",
        "Name of what the row describes (project name, basic KPI, or overview item name)",
    ),
    "summary": Field(
        STRING, False,
        "事業概要",
        "Project summary (事業概要)",
    ),
    "municipalities_raw": Field(
        STRING, False,
        "連携市町村（印字どおり、例: 全市町村）",
        "Partner municipalities as printed (e.g. 全市町村 = all)",
    ),
    "page_start": Field(
        INT16, False,
        "表が始まる PDF のページ番号（1 始まり）",
        "1-based PDF page number where the project's table starts",
    ),
    "page_end": Field(
        INT16, False,
        "表が終わる PDF のページ番号（1 始まり）",
        "1-based PDF page number where the project's table ends",
    ),
    # --- project_municipalities ---
    "municipality": Field(
        STRING, False,
        "連携市町村名（例: 小樽市）",
        "Name of a partner municipality (e.g. 小樽市)",
    ),
    "lg_code": Field(
        STRING, False,
        "全国地方公共団体コード（検査数字付き 6 桁、例: 012033）",
        "6-digit local government code with check digit (全国地方公共団体コード, e.g. 012033)",
    ),
    "list_order": Field(
        INT8, False,
        "連携市町村の並び順（1 始まり、印字順。全市町村は標準の順）",
        "1-based order of the municipality in the printed list (全市町村: the standard order)",
    ),
    # --- responsibilities ---
    "party": Field(
        STRING, False,
        "主体（札幌市 または 連携市町村）",
        "Party: 札幌市 (Sapporo) or 連携市町村 (partner municipalities)",
    ),
    "role": Field(
        STRING, False,
        "役割分担",
        "The party's role (役割分担)",
    ),
    "cost_share": Field(
        STRING, False,
        "費用負担",
        "The party's share of the cost (費用負担)",
    ),
    "role_page": Field(
        INT16, False,
        "役割分担のセルがある PDF のページ番号（1 始まり）",
        "1-based PDF page number of the role cell",
    ),
    "role_table_id": Field(
        STRING, False,
        "役割分担のセルがある表の識別子（例: p003-t02）",
        "Id of the table holding the role cell (e.g. p003-t02)",
    ),
    "role_row": Field(
        INT16, False,
        "役割分担のセルの行番号（表内、0 始まり）",
        "0-based row index of the role cell in its table",
    ),
    "cost_share_page": Field(
        INT16, False,
        "費用負担のセルがある PDF のページ番号（1 始まり）",
        "1-based PDF page number of the cost-share cell",
    ),
    "cost_share_table_id": Field(
        STRING, False,
        "費用負担のセルがある表の識別子（例: p003-t02）",
        "Id of the table holding the cost-share cell (e.g. p003-t02)",
    ),
    "cost_share_row": Field(
        INT16, False,
        "費用負担のセルの行番号（表内、0 始まり）",
        "0-based row index of the cost-share cell in its table",
    ),
    # --- budgets ---
    "fiscal_year": Field(
        INT16, False,
        "年度（西暦、例: 2024 = 令和6年度）",
        "Fiscal year, Gregorian (e.g. 2024 = 令和6年度)",
    ),
    "era_label": Field(
        STRING, False,
        "年度の和暦表記（例: 令和6年度）",
        "Fiscal year as labelled in the plan (e.g. 令和6年度)",
    ),
    "raw": Field(
        STRING, False,
        "事業費見込額のセル（印字どおり、正規化済みテキスト）",
        "The budget cell as printed (normalised text)",
    ),
    "amount_thousand_yen": Field(
        INT64, True,
        "事業費見込額（千円）。金額のないセル（例: -）は null",
        "Expected project cost in thousand yen; null where the cell has no amount (e.g. -)",
    ),
    "amount_yen": Field(
        INT64, True,
        "事業費見込額（円）＝千円 × 1000。金額がなければ null",
        "Expected project cost in yen (thousand yen × 1000); null where there is no amount",
    ),
    "note": Field(
        STRING, True,
        "セル内の金額以外の記載（例: 消防指令システム共同整備）。複数年度にまたがるセルの記載は各年度に付く。なければ null",
        "Text in the cell other than the amount (e.g. 消防指令システム共同整備); a cell merged over "
        "several years gives it to each year; null when none",
    ),
    # --- indicators / kpis ---
    "indicator_no": Field(
        INT16, False,
        "成果指標の番号（事業内で 1 始まり、印字順）",
        "1-based number of the outcome indicator within its project, in printed order",
    ),
    "item": Field(
        STRING, False,
        "成果指標の項目",
        "Outcome indicator item (項目)",
    ),
    "kpi_no": Field(
        INT8, False,
        "基本KPI の番号（役割内で 1 始まり、印字順）",
        "1-based number of the basic KPI within its role (area), in printed order",
    ),
    # --- footnotes ---
    "footnote_no": Field(
        INT16, False,
        "注釈の番号（※ の番号）",
        "Footnote number (the number after ※)",
    ),
    "term": Field(
        STRING, False,
        "注釈の対象語（【】内の語）",
        "The term the footnote explains (the word in 【】)",
    ),
    "text": Field(
        STRING, False,
        "正規化済みの本文（footnotes: 注釈の本文、cells: セルのテキスト、注釈記号は除去）",
        "Normalised text (footnotes: the footnote's text; cells: the cell's text, footnote marks removed)",
    ),
    # --- overview ---
    "row_no": Field(
        INT16, False,
        "概要表の行番号（役割内で 1 始まり、印字順）",
        "1-based row number in the overview table of the role (area), in printed order",
    ),
    # --- provenance ---
    "page": Field(
        INT16, False,
        "PDF のページ番号（1 始まり）",
        "1-based PDF page number of the source cell",
    ),
    "table_id": Field(
        STRING, False,
        "表の識別子（ページと表の番号、例: p003-t02）。projects では事業の表の最初の断片",
        "Id of the extracted table (page and table index, e.g. p003-t02); in projects, the first "
        "fragment of the project's table",
    ),
    "row": Field(
        INT16, False,
        "表内のセルの行番号（0 始まり、結合セルは左上の位置）",
        "0-based row index of the source cell in its table grid (top-left of a merged cell)",
    ),
    "col": Field(
        INT16, False,
        "表内のセルの列番号（0 始まり、結合セルは左上の位置）",
        "0-based column index of the source cell in its table grid (top-left of a merged cell)",
    ),
    "rowspan": Field(
        INT16, False,
        "セルが占める行数（結合なしは 1）",
        "Number of grid rows the cell spans (1 when not merged)",
    ),
    "colspan": Field(
        INT16, False,
        "セルが占める列数（結合なしは 1）",
        "Number of grid columns the cell spans (1 when not merged)",
    ),
    # --- cells ---
    "source": Field(
        STRING, False,
        "抽出元の PDF（plan = 計画本体、overview = 概要の抜粋）",
        "Source PDF: plan (the plan chapter) or overview (the overview excerpt)",
    ),
    "marks": Field(
        STRING, True,
        "テキストから除去した注釈記号の番号（カンマ区切り、例: 3,4）。なければ null",
        "Numbers of the footnote marks removed from the text, comma-separated (e.g. 3,4); null when none",
    ),
    "x0": Field(
        FLOAT64, False,
        "セルの左端の x 座標（PDF ポイント、ページ左端から）",
        "Left edge of the cell, PDF points from the page's left edge",
    ),
    "top": Field(
        FLOAT64, False,
        "セルの上端の y 座標（PDF ポイント、ページ上端から）",
        "Top edge of the cell, PDF points from the page's top edge",
    ),
    "x1": Field(
        FLOAT64, False,
        "セルの右端の x 座標（PDF ポイント、ページ左端から）",
        "Right edge of the cell, PDF points from the page's left edge",
    ),
    "bottom": Field(
        FLOAT64, False,
        "セルの下端の y 座標（PDF ポイント、ページ上端から）",
        "Bottom edge of the cell, PDF points from the page's top edge",
    ),
}

FIELDS: dict[str, Field] = {**_FIELDS, **_quantity_field_defs()}

# Value constraints stated by the contract (frictionless names): "enum", "pattern" (full match),
# "minimum"/"maximum" (inclusive), "minLength" (characters). The document's shape, not one edition's values:
# three roles (areas), at most three fields, categories a–g, the plan period FY2024–2028.
FISCAL_YEARS = [2024, 2025, 2026, 2027, 2028]
CONSTRAINTS: dict[str, dict] = {
    "lg_code": {"pattern": r"[0-9]{6}"},
    "area_no": {"minimum": 1, "maximum": 3},
    "field_no": {"minimum": 1, "maximum": 3},
    "category_code": {"enum": ["a", "b", "c", "d", "e", "f", "g"]},
    "fiscal_year": {"enum": FISCAL_YEARS},
    "amount_thousand_yen": {"minimum": 0},
    "amount_yen": {"minimum": 0},
    "name": {"minLength": 1},
    "summary": {"minLength": 1},
    "role": {"minLength": 1},
    "party": {"enum": ["札幌市", "連携市町村"]},
    "source": {"enum": ["plan", "overview"]},
    **{f"{p}_year_kind": {"enum": ["fiscal", "calendar"]} for p in QUANTITY_PREFIXES},
    **{f"{p}_period": {"enum": ["at", "every_year", "by"]} for p in QUANTITY_PREFIXES},
    **{f"{p}_comparator": {"enum": [">=", ">", "<=", "<"]} for p in QUANTITY_PREFIXES},
}

assert set(CONSTRAINTS) <= set(FIELDS), set(CONSTRAINTS) - set(FIELDS)
