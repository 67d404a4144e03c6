"""Every field of the data contract, declared once.

``FIELDS`` maps a field (column) name to ``Field(type, nullable, description_ja, description_en, unit,
example, role)``: ``unit`` is the unit of its values (None for names, codes, counts of things and ids),
``example`` a value of the plan's build (tests/test_schemas.py checks that the build holds it) and ``role``
what the column is beyond its values (``Role``: provenance, position, derived from another column; None
for plain data).
A field name means the same thing in every table that uses it; tables (``schemas.tables``) only
list field names. ``nullable`` is the field's default: a table may loosen it for one of its
columns (``TableSpec.nullable``), and primary-key columns are never nullable.

``CONSTRAINTS`` holds the value constraints the contract states, in frictionless terms (``enum``,
``pattern``, ``minimum``/``maximum``, ``minLength``); ``schemas.enforce`` checks them in every build (so a
dataset that breaks them is never written) and ``datapackage.json`` carries them. The schema-level
expectation suites (expectations/schema_<table>.json) are generated from them by ``python -m schemas.generate``,
as are docs/data-dictionary.md; tests/test_schema_suites.py checks that the committed files are current.
"""

from __future__ import annotations

from typing import NamedTuple

import pyarrow as pa


class Role(NamedTuple):
    """What a column is to the code that does not read its values as data: the one place that says which
    columns say where a value was printed (provenance), which are numbers given by printed order
    (position) and which are read from another column (derived), so that normalize, enforce, the diff and
    the data dictionary need no list of their own. A column without a role is plain data; a table's
    natural key (``TableSpec.natural_key``) is the other role, a table's own.

    ``part`` (provenance only) is which part of a location the column holds: ``page`` (PDF page index),
    ``page_label`` (the number printed on that page), ``table`` (table id), ``row``, ``col``, ``span``,
    ``box`` (PDF points) or ``source`` (which PDF). ``of`` is the column this one is about: for a derived
    column the column it is read from, for a page label its page column, for another provenance column
    the value column whose cell it locates (None: the row's own cells)."""
    kind: str
    part: str | None = None
    of: str | None = None


PROVENANCE, POSITION, DERIVED, IDENTITY = "provenance", "position", "derived", "identity"
# A column a table repeats from the row's project (indicators' area_no): the table's own role
# (``TableSpec.from_project``), never a field's; the diff compares it in projects only.
FROM_PROJECT = "from_project"
ROLE_KINDS = (PROVENANCE, POSITION, DERIVED, IDENTITY, FROM_PROJECT)
PROVENANCE_PARTS = ("page", "page_label", "table", "row", "col", "span", "box", "source")


def provenance(part: str, of: str | None = None) -> Role:
    """Where a value was printed; ``of`` as in ``Role``."""
    assert part in PROVENANCE_PARTS, part
    return Role(PROVENANCE, part, of)


def derived(of: str) -> Role:
    """A reading of column ``of`` (a number, unit or code parsed from the printed text): it changes only
    when ``of`` does, and the diff reports it inside the edit of ``of``."""
    return Role(DERIVED, None, of)


# A number given by printed order (project No., indicator No. …): it moves when rows are inserted.
POSITIONAL = Role(POSITION)
# An id that is no printed value and keeps across editions (project_id, from the reviewed crosswalk
# schemas/project_ids.csv): never an edit of its own, the diff pairs by the identity rules it was given by.
STABLE_ID = Role(IDENTITY)


class Field(NamedTuple):
    type: pa.DataType
    nullable: bool
    description_ja: str
    description_en: str
    unit: str | None = None
    example: object = None
    role: Role | None = None


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

# suffix -> (type, nullable, description_ja template, description_en template, unit, example);
# {ja}/{en} = prefix word. The examples read one cell, 2,583名(2022年度), except text and comparator.
QUANTITY_SUFFIXES: dict[str, tuple[pa.DataType, bool, str, str, str | None, object]] = {
    "raw": (
        STRING, False,
        "{ja}のセル（印字どおり、正規化済みテキスト。例: 5,020百万円 (2027年度)）",
        "The {en} cell as printed (normalised text, e.g. 5,020百万円 (2027年度))",
        None, "2,583名(2022年度)",
    ),
    "value": (
        FLOAT64, True,
        "{ja}の数値（印字どおりの桁、単位の接頭辞は未適用。数値がなければ null）",
        "Numeric {en} as printed, before applying unit scale prefixes (null when there is no number)",
        "the unit in {prefix}_unit", 2583.0,
    ),
    "unit": (
        STRING, True,
        "{ja}の単位（印字どおり、例: 百万円、名、%）",
        "Unit of the {en} as printed (e.g. 百万円, 名, %)",
        None, "名",
    ),
    "canonical_value": (
        FLOAT64, True,
        "{ja}の正規化数値（千・万・百万・億・兆を適用、▲は負）",
        "The {en} in its canonical unit (scale prefixes 千 万 百万 億 兆 applied; ▲ means negative)",
        "the unit in {prefix}_canonical_unit", 2583.0,
    ),
    "canonical_unit": (
        STRING, True,
        "{ja}の正規化単位（例: 円。名・% はそのまま）",
        "Canonical unit of the {en} (e.g. 円; 名 and % unchanged)",
        None, "名",
    ),
    "year": (
        INT16, True,
        "{ja}の年（西暦、例: 2027）",
        "Year of the {en} (Gregorian, e.g. 2027)",
        "year (Gregorian)", 2022,
    ),
    "year_kind": (
        STRING, True,
        "{ja}の年の種類（fiscal = 年度、calendar = 年）",
        "Kind of year of the {en}: fiscal (年度) or calendar (年)",
        None, "fiscal",
    ),
    "period": (
        STRING, True,
        "{ja}の期間の種類（at = その年、every_year = 毎年度、by = …まで）",
        "Period of the {en}: at (in that year), every_year (毎年度) or by (…まで)",
        None, "at",
    ),
    "comparator": (
        STRING, True,
        "{ja}の比較（以上 は >=、なければ null）",
        "Comparator of the {en}: >= for 以上, else null",
        None, ">=",
    ),
    "text": (
        STRING, True,
        "{ja}の定性的な記載（例: 常時、維持、開設、実施、毎年度、年1回）。なければ null",
        "Qualitative {en} (e.g. 常時, 維持, 開設, 実施, 毎年度, 年1回), else null",
        None, "常時",
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
        for suffix, (typ, nullable, ja, en, unit, example) in QUANTITY_SUFFIXES.items():
            out[f"{prefix}_{suffix}"] = Field(typ, nullable, ja.format(ja=word_ja), en.format(en=word_en),
                                              unit.format(prefix=prefix) if unit else None, example,
                                              None if suffix == "raw" else derived(f"{prefix}_raw"))
    return out


# ---------------------------------------------------------------------------------------------
# All other fields, alphabetical within groups.
# ---------------------------------------------------------------------------------------------
# A field's page columns come in pairs: the 1-based page index in the PDF file (page, page_start …), which a
# PDF viewer's page box takes, and beside it the page number printed on that page (page_label …), which is what
# a citation of the plan gives: PDF page 1 of the chapter is printed 「- 61 -」, so its page_label is "61".
_PAGE_INDEX_JA = "PDF ファイル内のページ位置（1 始まり。ビューアのページ番号）"
_PAGE_INDEX_EN = "1-based page index in the PDF file (what a PDF viewer's page box takes; not the printed number)"
_PAGE_LABEL_JA = "印字されたページ番号（飾りの - を除いた数字の文字列、例: 「- 61 -」は 61）。印字がないページ（抜粋）は null"
_PAGE_LABEL_EN = ("Page number printed on that page, as text without the decorative dashes (「- 61 -」 → 61); "
                  "null where the page prints none (the excerpt)")


def _page(what_ja: str, what_en: str, example: int = 3, of: str | None = None) -> Field:
    return Field(INT16, False, f"{what_ja}の{_PAGE_INDEX_JA}", f"{what_en}: {_PAGE_INDEX_EN}", None, example,
                 provenance("page", of))


def _page_label(what_ja: str, what_en: str, example: str = "63", *, page: str) -> Field:
    """The printed number of the page in column ``page`` (normalize fills it from that column)."""
    return Field(STRING, True, f"{what_ja}の{_PAGE_LABEL_JA}", f"{what_en}: {_PAGE_LABEL_EN}", None, example,
                 provenance("page_label", page))


# The parts of one value's location, in column order: what a prefixed location (``<prefix>_page`` …) holds.
LOCATION_PARTS = ("page", "page_label", "table_id", "row", "col", "x0", "top", "x1", "bottom")
BOX_EDGES = ("x0", "top", "x1", "bottom")
_EDGE_TEXT = {"x0": ("左端の x 座標", "Left edge", "page's left edge"),
              "top": ("上端の y 座標", "Top edge", "page's top edge"),
              "x1": ("右端の x 座標", "Right edge", "page's left edge"),
              "bottom": ("下端の y 座標", "Bottom edge", "page's top edge")}
_POINT = "pt (PDF point, 1/72 inch)"


def located_fields(prefix: str, of: str, what_ja: str, what_en: str, examples: dict[str, object],
                   nullable: bool) -> dict[str, Field]:
    """The nine columns that say where the value of column ``of`` was printed, named ``<prefix>_<part>``
    (``LOCATION_PARTS``): page, its printed label, table, grid row and column of its cell (a merged cell's
    top-left) and the cell's box. For a row with more than one printed value (a responsibility's role and
    cost share, an indicator's baseline and target), so that each value has its own cell without a join."""
    cell_ja, cell_en = f"{what_ja}のセル", f"the {what_en} cell"
    out = {
        f"{prefix}_page": _page(f"{cell_ja}があるページ", f"Page of {cell_en}", examples["page"], of=of)
        ._replace(nullable=nullable),
        f"{prefix}_page_label": _page_label(f"{cell_ja}があるページ", f"Page of {cell_en}",
                                            examples["page_label"], page=f"{prefix}_page"),
        f"{prefix}_table_id": Field(
            STRING, nullable, f"{cell_ja}がある表の識別子（例: p001-t03。表の番号は PDF ごとに振る）",
            f"Id of the table holding {cell_en} (e.g. p001-t03; numbered per source PDF)",
            None, examples["table_id"], role=provenance("table", of)),
        f"{prefix}_row": Field(
            INT16, nullable, f"{cell_ja}の行番号（表内、0 始まり、結合セルは左上の位置）",
            f"0-based row index of {cell_en} in its table grid (top-left of a merged cell)",
            None, examples["row"], role=provenance("row", of)),
        f"{prefix}_col": Field(
            INT16, nullable, f"{cell_ja}の列番号（表内、0 始まり、結合セルは左上の位置）",
            f"0-based column index of {cell_en} in its table grid (top-left of a merged cell)",
            None, examples["col"], role=provenance("col", of)),
    }
    for edge in BOX_EDGES:
        ja, en, origin = _EDGE_TEXT[edge]
        out[f"{prefix}_{edge}"] = Field(
            FLOAT64, nullable, f"{cell_ja}の{ja}（PDF ポイント）", f"{en} of {cell_en}, PDF points from the {origin}",
            _POINT, examples[edge], role=provenance("box", of))
    return out


_FIELDS: dict[str, Field] = {
    # --- identifiers of the plan's structure ---
    "project_no": Field(
        INT16, False,
        "連携事業の番号（No.、印字どおり）",
        "Project number as printed (No.)",
        None, 1,
        role=POSITIONAL,
    ),
    "project_id": Field(
        STRING, False,
        "連携事業の安定した識別子（P と 3 桁以上の数字、例: P020）。版が変わっても（番号の振り直し・名称の変更）"
        "変わらない。リポジトリの対応表 schemas/project_ids.csv で管理し、新しい事業には仮の識別子を振る",
        "Stable id of the project (P and 3 or more digits, e.g. P020): it survives editions (renumbering, "
        "renames), unlike project_no. Kept in the reviewed crosswalk schemas/project_ids.csv; a project not "
        "in it gets a provisional id (the build's manifest lists it) until `renkei pin` takes it in",
        None, "P020",
        role=STABLE_ID,
    ),
    "area_no": Field(
        INT8, False,
        "役割の番号（1–3）",
        "Number of the plan's role (area), 1–3",
        None, 1,
    ),
    "area_title": Field(
        STRING, False,
        "役割の見出し（例: 圏域全体の経済成長のけん引）",
        "Heading of the role (area), e.g. 圏域全体の経済成長のけん引",
        None, "圏域全体の経済成長のけん引",
    ),
    "field_no": Field(
        INT8, True,
        "役割3の下の分野の番号（(1)–(3) の数字）。役割1・2 では null",
        "Number of the field (1)–(3) under role 3; null under roles 1 and 2",
        None, 1,
    ),
    "field_title": Field(
        STRING, True,
        "分野の見出し。役割1・2 では null",
        "Heading of the field under role 3; null under roles 1 and 2",
        None, "生活機能の強化",
    ),
    "category_code": Field(
        STRING, False,
        "取組の分類記号（a, b, c …）",
        "Letter of the category heading (a, b, c …)",
        None, "b",
    ),
    "category_title": Field(
        STRING, False,
        "取組の分類の見出し",
        "Text of the category heading",
        None, "戦略産業の育成",
    ),
    # --- projects ---
    "name": Field(
        STRING, False,
        "名称。projects: 連携事業名、kpis: 基本KPI の指標名、overview: 抜粋に印字された事業名",
        "Name as printed. projects: the project's name (連携事業名); kpis: the basic KPI's indicator (基本KPI); "
        "overview: the project name printed in the excerpt",
        None, "MICE誘致の推進",
    ),
    "summary": Field(
        STRING, False,
        "事業概要（projects: 計画本体、overview: 抜粋に印字された概要）",
        "Project summary (事業概要): projects from the plan, overview as printed in the excerpt",
        None, "サステナブル食品の開発にかかる補助",
    ),
    "municipalities_raw": Field(
        STRING, False,
        "連携市町村（印字どおり、例: 全市町村）",
        "Partner municipalities as printed (e.g. 全市町村 = all)",
        None, "全市町村",
    ),
    "page_start": _page("事業の表が始まるページ", "Page where the project's table starts", 1),
    "page_start_label": _page_label("事業の表が始まるページ", "Page where the project's table starts", "61", page="page_start"),
    "page_end": _page("事業の表が終わるページ", "Page where the project's table ends", 2),
    "page_end_label": _page_label("事業の表が終わるページ", "Page where the project's table ends", "62", page="page_end"),
    # --- project_municipalities ---
    "municipality": Field(
        STRING, False,
        "連携市町村名（例: 小樽市）",
        "Name of a partner municipality (e.g. 小樽市)",
        None, "小樽市",
    ),
    "lg_code": Field(
        STRING, False,
        "全国地方公共団体コード（検査数字付き 6 桁、例: 012033）",
        "6-digit local government code with check digit (全国地方公共団体コード, e.g. 012033)",
        None, "012033",
        role=derived("municipality"),
    ),
    "list_order": Field(
        INT8, False,
        "連携市町村の並び順（1 始まり、印字順。全市町村は標準の順）",
        "1-based order of the municipality in the printed list (全市町村: the standard order)",
        None, 1,
        role=POSITIONAL,
    ),
    # --- responsibilities ---
    "party": Field(
        STRING, False,
        "主体（札幌市 または 連携市町村）",
        "Party: 札幌市 (Sapporo) or 連携市町村 (partner municipalities)",
        None, "札幌市",
    ),
    "role": Field(
        STRING, False,
        "役割分担",
        "The party's role (役割分担)",
        None, "企業誘致動向調査への協力、企業誘致のための情報共有、企業立地補助の実施等",
    ),
    "cost_share": Field(
        STRING, False,
        "費用負担",
        "The party's share of the cost (費用負担)",
        None, "必要に応じてその他個別費用を負担",
    ),
    # --- budgets ---
    "fiscal_year": Field(
        INT16, False,
        "年度（西暦、例: 2019 = 令和元年度 = 平成31年度。4月–翌年3月。計画期間は文書の見出しから）",
        "Fiscal year, Gregorian (e.g. 2019 = 令和元年度 = 平成31年度, April 2019 – March 2020; the plan period "
        "is the document's, read from its budget headers)",
        "fiscal year (Gregorian)", 2026,
    ),
    "era_label": Field(
        STRING, False,
        "年度の和暦表記（印字された元号のまま。例: 令和元年度、平成31年度）",
        "Fiscal year as labelled in the plan, in the era printed (e.g. 令和元年度, or 平成31年度 for the same year)",
        None, "令和8年度",
    ),
    "raw": Field(
        STRING, False,
        "事業費見込額のセル（印字どおり、正規化済みテキスト。金額は千円）。複数年度にまたがる結合セル（例: No. 53 の"
        "「0(共同撮影の実施)」、計画の最初の 2 年度）は、またがる各年度に同じテキストが入る（colspan が年度の数）",
        "The budget cell as printed (normalised text; amounts in thousand yen). A cell merged over several fiscal "
        "years (e.g. No. 53's 0(共同撮影の実施) over the plan's first two years) repeats its text in every year it spans (colspan "
        "says how many)",
        None, "1,198,011",
    ),
    "amount_thousand_yen": Field(
        INT64, True,
        "事業費見込額（千円）。金額のないセル（例: -）は null。複数年度にまたがる結合セルの金額は最初の年度だけに入り、"
        "続く年度は raw と note を繰り返して金額は null（例: No. 53 は最初の年度が 0、次の年度が null）。年度をまたいで"
        "合計しても一度だけ数える",
        "Expected project cost in thousand yen; null where the cell has no amount (e.g. -). A cell merged over "
        "several fiscal years gives its amount to its first year only: the later years it spans repeat raw and "
        "note with a null amount (No. 53's 0(共同撮影の実施): 0 in the plan's first year, null in its second), so a sum over the years "
        "counts it once",
        "千円 (thousand yen)", 8000,
        role=derived("raw"),
    ),
    "amount_yen": Field(
        INT64, True,
        "事業費見込額（円）＝千円 × 1000。金額がなければ null（結合セルの 2 年度目以降も、amount_thousand_yen と同じく null）",
        "Expected project cost in yen (thousand yen × 1000); null where there is no amount (also in the later "
        "years of a merged cell, as amount_thousand_yen)",
        "円 (yen)", 8000000,
        role=derived("raw"),
    ),
    "note": Field(
        STRING, True,
        "セル内の金額以外の記載（例: 消防指令システム共同整備）。複数年度にまたがるセルの記載は各年度に付く。なければ null",
        "Text in the cell other than the amount (e.g. 消防指令システム共同整備); a cell merged over "
        "several years gives it to each year; null when none",
        None, "共同撮影の実施",
        role=derived("raw"),
    ),
    # --- indicators / kpis ---
    "indicator_no": Field(
        INT16, False,
        "評価指標の番号（事業内で 1 始まり、印字順）",
        "1-based number of the evaluation indicator (評価指標) within its project, in printed order",
        None, 1,
        role=POSITIONAL,
    ),
    "item": Field(
        STRING, False,
        "評価指標の項目",
        "Item (項目) of the evaluation indicator (評価指標)",
        None, "事業の参加者数",
    ),
    "kpi_no": Field(
        INT8, False,
        "基本KPI の番号（役割内で 1 始まり、印字順）",
        "1-based number of the basic KPI within its role (area), in printed order",
        None, 1,
        role=POSITIONAL,
    ),
    # --- footnotes ---
    "footnote_no": Field(
        INT16, False,
        "注釈の番号（※ の番号）",
        "Footnote number (the number after ※)",
        None, 13,
        role=POSITIONAL,
    ),
    "term": Field(
        STRING, False,
        "注釈の対象語（【】内の語）",
        "The term the footnote explains (the word in 【】)",
        None, "エクスカージョン",
    ),
    "text": Field(
        STRING, False,
        "正規化済みの本文。footnotes: 注釈の本文。cells: セルのテキスト（注釈記号は除去、空のセルは空文字列）",
        "Normalised text. footnotes: the footnote's text; cells: the cell's text (footnote marks removed; "
        "an empty cell holds the empty string)",
        None, "公立夜間中学の共同活用",
    ),
    # --- overview ---
    "row_no": Field(
        INT16, False,
        "抜粋の表の行番号（役割内で 1 始まり、印字順）",
        "1-based row number in the excerpt's table of the role (area), in printed order",
        None, 4,
        role=POSITIONAL,
    ),
    # --- provenance ---
    "page": _page("値が印字されたページ", "Page the value was printed on"),
    "page_label": _page_label("値が印字されたページ", "Page the value was printed on", page="page"),
    "table_id": Field(
        STRING, False,
        "表の識別子（ページ位置と表の番号、例: p003-t02）。表の番号は抽出元の PDF ごとに振るので、計画本体と"
        "抜粋で同じ識別子がありうる（cells では source と組で一意）。projects では事業の表の最初の断片",
        "Id of the extracted table (page index and table number, e.g. p003-t02). Numbered per source PDF, so "
        "the plan and the excerpt may both have p001-t01 (in cells, unique together with source); in "
        "projects, the first fragment of the project's table",
        None, "p001-t02",
        role=provenance("table"),
    ),
    "row": Field(
        INT16, False,
        "表内のセルの行番号（0 始まり、結合セルは左上の位置）",
        "0-based row index of the source cell in its table grid (top-left of a merged cell)",
        None, 8,
        role=provenance("row"),
    ),
    "col": Field(
        INT16, False,
        "表内のセルの列番号（0 始まり、結合セルは左上の位置）",
        "0-based column index of the source cell in its table grid (top-left of a merged cell)",
        None, 5,
        role=provenance("col"),
    ),
    "rowspan": Field(
        INT16, False,
        "セルが占める行数（結合なしは 1）",
        "Number of grid rows the cell spans (1 when not merged)",
        None, 1,
        role=provenance("span"),
    ),
    "colspan": Field(
        INT16, False,
        "セルが占める列数（結合なしは 1）",
        "Number of grid columns the cell spans (1 when not merged)",
        None, 1,
        role=provenance("span"),
    ),
    # --- cells ---
    "source": Field(
        STRING, False,
        "抽出元の PDF（plan = 計画本体、overview = 抜粋）。page と table_id はこの PDF の中の位置",
        "Source PDF: plan (the plan chapter) or overview (the excerpt); page and table_id are positions in it",
        None, "plan",
        role=provenance("source"),
    ),
    "marks": Field(
        STRING, True,
        "テキストから除去した注釈記号の番号（カンマ区切り、例: 3,4）。なければ null",
        "Numbers of the footnote marks removed from the text, comma-separated (e.g. 3,4); null when none",
        None, "15",
    ),
    "x0": Field(
        FLOAT64, False,
        "セルの左端の x 座標（PDF ポイント、ページ左端から）",
        "Left edge of the cell (footnotes: of the footnote's lines on its page), PDF points from the page's left edge",
        "pt (PDF point, 1/72 inch)", 56.7,
        role=provenance("box"),
    ),
    "top": Field(
        FLOAT64, False,
        "セルの上端の y 座標（PDF ポイント、ページ上端から）",
        "Top edge of the cell (footnotes: of the footnote's lines on its page), PDF points from the page's top edge",
        "pt (PDF point, 1/72 inch)", 56.95,
        role=provenance("box"),
    ),
    "x1": Field(
        FLOAT64, False,
        "セルの右端の x 座標（PDF ポイント、ページ左端から）",
        "Right edge of the cell (footnotes: of the footnote's lines on its page), PDF points from the page's left edge",
        "pt (PDF point, 1/72 inch)", 194.3,
        role=provenance("box"),
    ),
    "bottom": Field(
        FLOAT64, False,
        "セルの下端の y 座標（PDF ポイント、ページ上端から）",
        "Bottom edge of the cell (footnotes: of the footnote's lines on its page), PDF points from the page's top edge",
        "pt (PDF point, 1/72 inch)", 88.65,
        role=provenance("box"),
    ),
}

# Where each of a row's printed values is, when a row has more than one (prefix, the value column, the
# value's name): examples are the build's (tests/test_contract.py), the quantity sides' are read from the
# 2,583名(2022年度) cell like their other columns.
def _cell_example(page, label, table, row, col, x0, top, x1, bottom) -> dict[str, object]:
    return dict(zip(LOCATION_PARTS, (page, label, table, row, col, x0, top, x1, bottom)))


_QUANTITY_CELL = _cell_example(2, "62", "p002-t01", 3, 4, 400.9, 108.45, 469.7, 140.35)  # 2,583名(2022年度)
_LOCATED: dict[str, tuple[str, str, str, dict[str, object], bool]] = {
    "name": ("name", "連携事業名", "project name",
             _cell_example(1, "61", "p001-t02", 0, 3, 263.2, 216.05, 538.6, 227.95), False),
    "role": ("role", "役割分担", "role", _cell_example(1, "61", "p001-t02", 3, 2, 194.3, 271.75, 538.6, 283.55), False),
    "cost_share": ("cost_share", "費用負担", "cost-share",
                   _cell_example(1, "61", "p001-t02", 5, 2, 194.3, 295.45, 538.6, 307.25), False),
    # A quantity's cell is null only where the plan prints nothing under it (its *_raw is then empty).
    "baseline": ("baseline_raw", "基準値", "baseline", _QUANTITY_CELL, True),
    "target": ("target_raw", "目標値", "target", _QUANTITY_CELL, True),
    "current": ("current_raw", "現状値", "current value", _QUANTITY_CELL, True),
}
LOCATED_PREFIXES = tuple(_LOCATED)


def _located_field_defs() -> dict[str, Field]:
    out: dict[str, Field] = {}
    for prefix, (of, ja, en, examples, nullable) in _LOCATED.items():
        out.update(located_fields(prefix, of, ja, en, examples, nullable))
    return out


def location_fields(prefix: str) -> list[str]:
    """The 9 location column names of ``prefix`` (``LOCATED_PREFIXES``), in column order."""
    if prefix not in _LOCATED:
        raise KeyError(f"unknown location prefix {prefix!r}")
    return [f"{prefix}_{part}" for part in LOCATION_PARTS]


FIELDS: dict[str, Field] = {**_FIELDS, **_located_field_defs(), **_quantity_field_defs()}

# Value constraints stated by the contract (frictionless names): "enum", "pattern" (full match),
# "minimum"/"maximum" (inclusive), "minLength" (characters). The document's shape, not one edition's values:
# the counts of roles (areas), fields and categories and the plan period are an edition's, read from the
# document; what holds for every plan is here (numbers from 1, lower-case letters), the rest in the suites
# (consecutive numbers, letters and years, one budget row per project and year, era labels matching the years).
CONSTRAINTS: dict[str, dict] = {
    "lg_code": {"pattern": r"[0-9]{6}"},
    "project_id": {"pattern": r"P[0-9]{3,}"},
    "area_no": {"minimum": 1},
    "field_no": {"minimum": 1},
    "category_code": {"pattern": r"[a-z]"},
    # 平成元年度 (the oldest year pipeline.normalizers.eras labels) to the last year its header reader reads.
    "fiscal_year": {"minimum": 1989, "maximum": 2099},
    "amount_thousand_yen": {"minimum": 0},
    "amount_yen": {"minimum": 0},
    "name": {"minLength": 1},
    "summary": {"minLength": 1},
    "role": {"minLength": 1},
    "party": {"enum": ["札幌市", "連携市町村"]},
    "source": {"enum": ["plan", "overview"]},
    **{f"{p}_year_kind": {"enum": ["fiscal", "calendar"]} for p in QUANTITY_PREFIXES},
    **{f"{p}_period": {"enum": ["at", "every_year", "by"]} for p in QUANTITY_PREFIXES},
    # The plan prints only 以上, and the parser reads only that: a new comparator (以下, 未満, 超) needs the
    # parser and a new contract version, not just a wider enum.
    **{f"{p}_comparator": {"enum": [">="]} for p in QUANTITY_PREFIXES},
    # The years a plan of this period can print (baseline years back to 2000, targets up to 2040).
    **{f"{p}_year": {"minimum": 2000, "maximum": 2040} for p in QUANTITY_PREFIXES},
}

assert set(CONSTRAINTS) <= set(FIELDS), set(CONSTRAINTS) - set(FIELDS)
