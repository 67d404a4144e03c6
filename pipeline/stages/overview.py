"""The 抜粋 overview: its rows, their link to the plan's projects, and their cells for provenance.

The excerpt lists, per area, the main projects with a shortened summary. It carries no project numbers,
so the link to `projects` is made on the name, which the excerpt prints as in the plan; the summaries
are abridged and serve only to break ties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from rapidfuzz import fuzz

from extractors.unruled import UnruledCell, UnruledTable
from extractors.textnorm import fold_text

# Header label fragments that say which column holds what (only their meaning is fixed, not a position).
NAME_LABELS = ("連携事業", "事業名")
SUMMARY_LABELS = ("概要", "内容")

# fuzz.ratio (Indel similarity, 100·2M/(|a|+|b|)) between names with spaces removed. The excerpt
# prints the plan's names, so a true pair differs only by extraction noise or a small edit: one or two
# glyphs in a 10–20 character name score 85–95 (the revised edition's rename MICE誘致の推進 →
# MICE誘致・開催の推進 scores 85.7). Distinct projects built from the same stock phrases stay below:
# the closest pairs in the plan are 特色ある/文化的な教育活動の充実に向けた取組の推進 (80.0) and
# 災害に備える/災害時における連携の推進 (78.3), both of which a lower cutoff would confuse.
NAME_SCORE_CUTOFF = 85.0

_LEADING_NUMBER = re.compile(r"^\s*(\d+)")
_SPACES = re.compile(r"\s+")


@dataclass
class OverviewRow:
    """One row of the excerpt; ``table_id``/``row`` point at its cells in the ``cells`` table."""

    area_no: int
    row_no: int
    name: str
    summary: str
    page: int
    table_id: str
    row: int
    # the name cell: its column and box (PDF points), the row's provenance
    col: int | None = None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None


def _area_no(heading: str) -> int | None:
    m = _LEADING_NUMBER.match(fold_text(heading))
    return int(m.group(1)) if m else None


def _column_roles(header: list[str]) -> tuple[int, int]:
    """(name column, summary column) from the header labels; first two columns if they say nothing."""
    name_col = next((i for i, h in enumerate(header) if any(l in h for l in NAME_LABELS)), None)
    summary_col = next((i for i, h in enumerate(header) if any(l in h for l in SUMMARY_LABELS)
                        and i != name_col), None)
    if name_col is None:
        name_col = 0 if summary_col != 0 else 1
    if summary_col is None:
        summary_col = 1 if name_col != 1 else 0
    return name_col, summary_col


def parse_overview(tables: Iterable[UnruledTable]) -> list[OverviewRow]:
    """Rows of every table, numbered 1.. within their area in printed order.

    A table without a numbered heading continues the previous table's area (a header repeated after
    a page break opens a new table under the same heading).
    """
    rows: list[OverviewRow] = []
    counters: dict[int, int] = {}
    area: int | None = None
    for table in tables:
        area = _area_no(table.heading) or area
        if area is None:
            raise ValueError(f"table {table.table_id}: no area number in heading {table.heading!r}")
        name_col, summary_col = _column_roles(table.header)
        for cells in table.rows:
            name, summary = cells[name_col].text, cells[summary_col].text
            if not name and not summary:
                continue
            counters[area] = counters.get(area, 0) + 1
            cell = cells[name_col]
            rows.append(OverviewRow(area, counters[area], name, summary, cell.page, table.table_id, cell.row,
                                    cell.col, cell.x0, cell.top, cell.x1, cell.bottom))
    return rows


def _key(text: str) -> str:
    """Comparison form: folded, no spaces (line joins and justification make spaces unreliable)."""
    return _SPACES.sub("", fold_text(text))


@dataclass(frozen=True)
class Unlinked:
    """An excerpt row linked to no project, and why (for the build's one line)."""

    area_no: int
    row_no: int
    name: str
    reason: str

    def __str__(self) -> str:
        return f"area {self.area_no} row {self.row_no} {self.name!r} ({self.reason})"


def link_to_projects(
    rows: Iterable[OverviewRow],
    projects: dict[int, tuple[str, str]],
    project_areas: dict[int, int] | None = None,
    score_cutoff: float = NAME_SCORE_CUTOFF,
) -> dict[tuple[int, int], int | None]:
    """(area_no, row_no) → project_no of the matching project (name, summary), or None: `link_rows`'
    links without the reasons."""
    return link_rows(rows, projects, project_areas, score_cutoff)[0]


def link_rows(
    rows: Iterable[OverviewRow],
    projects: dict[int, tuple[str, str]],
    project_areas: dict[int, int] | None = None,
    score_cutoff: float = NAME_SCORE_CUTOFF,
) -> tuple[dict[tuple[int, int], int | None], list[Unlinked]]:
    """(area_no, row_no) → project_no of the matching project (name, summary), or None; and each row left
    unlinked with its reason, in row order.

    Exact name matches (after folding and removing spaces) are taken first, and the projects they
    claim are not offered to fuzzy matching, so a near-namesake cannot steal an exactly named project.
    The rest take the best ``fuzz.ratio`` of names at or above ``score_cutoff``; equal name scores
    are decided by ``fuzz.partial_ratio`` of the summaries (the excerpt's summary is a shortened
    version of the plan's, so the best partial alignment is the fair measure), then by the lower
    project number so that the result never depends on dict order. With ``project_areas`` only
    projects of the row's area are candidates (a project missing from it is never a candidate).

    Never a wrong link rather than none: a row whose name holds the whole names of two candidates is two
    rows read as one (a short name run on after a long one still scores over the cutoff against the long
    one), and a project two rows would take is given to neither, since one of them is not it.
    """
    rows = list(rows)
    keys = {no: (_key(name), _key(summary)) for no, (name, summary) in projects.items()}

    def candidates(row: OverviewRow) -> list[int]:
        nos = sorted(keys)
        if project_areas is not None:
            nos = [no for no in nos if project_areas.get(no) == row.area_no]
        return nos

    def best(row: OverviewRow, nos: list[int], name_scores: dict[int, float]) -> int | None:
        if not nos:
            return None
        summary = _key(row.summary)
        return max(nos, key=lambda no: (name_scores[no], fuzz.partial_ratio(summary, keys[no][1]), -no))

    result: dict[tuple[int, int], int | None] = {}
    reasons: dict[tuple[int, int], str] = {}
    claimed: set[int] = set()
    pending: list[OverviewRow] = []
    for row in rows:
        name = _key(row.name)
        exact = [no for no in candidates(row) if keys[no][0] == name]
        if exact:
            no = best(row, exact, {n: 100.0 for n in exact})
            result[(row.area_no, row.row_no)] = no
            claimed.add(no)  # type: ignore[arg-type]
        else:
            pending.append(row)
    for row in pending:
        key = (row.area_no, row.row_no)
        name = _key(row.name)
        held = [no for no in candidates(row) if keys[no][0] and keys[no][0] in name]
        if len(held) >= 2:
            result[key] = None
            reasons[key] = (f"it holds the names of projects {', '.join(map(str, held))}: "
                            "two or more rows read as one")
            continue
        scores = {no: fuzz.ratio(name, keys[no][0]) for no in candidates(row) if no not in claimed}
        passing = [no for no, score in scores.items() if score >= score_cutoff]
        result[key] = best(row, passing, scores)
        if result[key] is None:
            reasons[key] = _no_match_reason(row, scores, score_cutoff)
    _unlink_shared(rows, result, reasons)
    unlinked = [Unlinked(r.area_no, r.row_no, r.name, reasons[(r.area_no, r.row_no)])
                for r in rows if (r.area_no, r.row_no) in reasons]
    return result, unlinked


def _no_match_reason(row: OverviewRow, scores: dict[int, float], score_cutoff: float) -> str:
    """Why no project passed: the closest candidate and its score, so a reader sees how far off it was."""
    if not scores:
        return f"area {row.area_no} has no project left to match"
    closest = max(scores, key=lambda no: (scores[no], -no))
    return (f"no project's name scores {score_cutoff:g} or more; the closest is project {closest} "
            f"at {scores[closest]:.1f}")


def _unlink_shared(rows: list[OverviewRow], result: dict[tuple[int, int], int | None],
                   reasons: dict[tuple[int, int], str]) -> None:
    """Unlink every row of a project that two or more rows were linked to (at most one of them is it, and
    which one cannot be told from names that both match)."""
    by_project: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        key = (row.area_no, row.row_no)
        if result.get(key) is not None:
            by_project.setdefault(result[key], []).append(key)  # type: ignore[arg-type]
    for no, keys in by_project.items():
        if len(keys) < 2:
            continue
        others = ", ".join(f"area {a} row {r}" for a, r in keys)
        for key in keys:
            result[key] = None
            reasons[key] = f"project {no} is matched by {others}"


def unlinked_line(excerpt: str, unlinked: list[Unlinked], total: int) -> str:
    """The one line a build prints when excerpt rows link to no project: which rows and why, and that the
    overview table is left out (the excerpt is optional; a row linked to nothing or the wrong project
    would be wrong data), while the plan's tables are built."""
    rows = "; ".join(map(str, unlinked))
    return (f"warning: {excerpt}: {len(unlinked)} of {total} excerpt rows link to no project, so the "
            f"overview table is left out (the plan's tables are built): {rows}")


def _cell_record(table: UnruledTable, cell: UnruledCell) -> dict[str, Any]:
    return {
        "source": "overview",
        "page": cell.page,
        "table_id": table.table_id,
        "row": cell.row,
        "col": cell.col,
        "rowspan": 1,
        "colspan": 1,
        "text": cell.text,
        "marks": None,
        "x0": cell.x0,
        "top": cell.top,
        "x1": cell.x1,
        "bottom": cell.bottom,
    }


def overview_cells(tables: Iterable[UnruledTable]) -> list[dict[str, Any]]:
    """Records for the contract's ``cells`` table: header cells as row 0, body rows from 1.

    A cell cut by a page break is one record with the page and box of its first part (its text is
    the whole cell); the later parts stay on the UnruledCell (``continuations``) for debugging.
    """
    records: list[dict[str, Any]] = []
    for table in tables:
        for cell in table.header_cells:
            records.append(_cell_record(table, cell))
        for cells in table.rows:
            for cell in cells:
                records.append(_cell_record(table, cell))
    return records
