"""A revision of the reference content with a known list of printed edits, for the diff's end-to-end count.

``revise(content)`` returns the revised content and ``EDITS``, what a reviewer comparing the two printings
counts: one line per printed edit (a value changed, a project moved, renamed, added or removed, a partner
added). Projects renumber (one moved to a later category, one removed): renumbering is not an edit. The
edits are hand-written here from the reference's printed text (tests/printers/content.py reads it from the
build), so a test can require the diff's ``summary.edits`` to equal ``len(EDITS)``.
"""

from __future__ import annotations

from dataclasses import replace

from tests.printers.content import BudgetCell, Content, Kpi, Project

# (kind as the diff counts it, what was edited), one per printed edit.
EDITS = [
    ("project_moved", "move: 先端技術の活用に関する支援 from 1 b 戦略産業の育成 to 1 c 地域経済の裾野拡大 (printed after No. 9)"),
    ("project_moved", "move: 公共施設の相互利用や配置に関する検討 from area 2 d to area 3 (1) a 地域医療"),
    ("heading", "category heading 3 (1) e 地域振興 → 地域振興・交流 (printed once above Nos. 26–29)"),
    ("budget", "merged FY2024–2025 cell of No. 53: 0(共同撮影の実施) → 100(共同撮影の実施)"),
    ("budget", "FY2024 of 連携した企業誘致の推進: 1,198,011 → 1,200,000"),
    ("indicator", "indicator item of No. 16: イベント参加人数 → イベントの参加人数"),
    ("project_renamed", "丘珠空港の利用促進 → 丘珠空港の利用促進等"),
    ("project_renamed", "にぎわいの創出 → 圏域内の交流イベント等の実施 (name rewritten, summary kept)"),
    ("membership", "小樽市 added to 生活困窮者自立支援法の任意事業に関する情報共有"),
    ("kpi", "観光入込客数 target: 35,000千人(2028年度) → 36,000千人(2028年度)"),
    ("kpi", "KPI name: 圏域内民営事業所売上 → 圏域内民営事業所売上高"),
    ("footnote", "footnote term: エクスカージョン → エクスカーション"),
    ("project_removed", "No. 45 removed (Nos. 46–53 renumber)"),
]


def _project(content: Content, name: str) -> Project:
    return next(p for p in content.projects if p.name == name)


def revise(content: Content) -> tuple[Content, list[tuple[str, str]]]:
    """The reference content with EDITS made, projects renumbered in printed order."""
    projects = list(content.projects)

    def edit(which: str, **changes) -> None:
        i = next(i for i, p in enumerate(projects) if p.name == which)
        projects[i] = replace(projects[i], **changes)

    # moves: to the category after it in the same area (printed at that category's end), and to the next area
    moved = _project(content, "先端技術の活用に関する支援")
    target = [p for p in projects if p.area == moved.area and p.category != moved.category
              and p.category[0] > moved.category[0]]
    category = target[0].category
    last = max(i for i, p in enumerate(projects) if p.category == category and p.area == moved.area)
    projects.insert(last + 1, replace(moved, category=category))
    projects.remove(moved)
    nxt = next(p for p in projects if p.area[0] == 3)
    edit("公共施設の相互利用や配置に関する検討", area=nxt.area, field=nxt.field, category=nxt.category)

    # a heading reworded: printed once, above every project of its category
    region = next(p.category for p in projects if p.category[1] == "地域振興")
    for i, p in enumerate(projects):
        if p.category == region and p.area[0] == 3:
            projects[i] = replace(p, category=(region[0], "地域振興・交流"))

    # budgets: a merged cell (FY2024–2025 of the last project) and a single cell
    merged = projects[-1]
    cells = [BudgetCell(c.years, c.raw.replace("0(", "100(", 1)) if len(c.years) > 1 else c for c in merged.budget_cells]
    assert cells != merged.budget_cells
    projects[-1] = replace(merged, budget_cells=cells)
    two = _project(content, "連携した企業誘致の推進")
    edit(two.name, budget_cells=[BudgetCell(c.years, "1,200,000") if c.raw == "1,198,011" else c
                                 for c in two.budget_cells])

    sixteen = _project(content, "社会や企業等のニーズに対応できる人材の育成")
    edit(sixteen.name, indicators=[replace(i, item=i.item.replace("イベント参加人数", "イベントの参加人数"))
                                   for i in sixteen.indicators])
    edit("丘珠空港の利用促進", name="丘珠空港の利用促進等")
    edit("にぎわいの創出", name="圏域内の交流イベント等の実施")
    needy = _project(content, "生活困窮者自立支援法の任意事業に関する情報共有")
    assert "小樽市" not in needy.municipalities
    edit(needy.name, municipalities="小樽市、" + needy.municipalities)

    mice = _project(content, "MICE誘致の推進")
    edit(mice.name, footnotes=[replace(f, term="エクスカーション") if f.term == "エクスカージョン" else f
                               for f in mice.footnotes])
    removed = projects[44]
    assert removed.name == content.projects[44].name and not removed.footnotes
    projects.remove(removed)

    renumbered = []
    for no, p in enumerate(projects, start=1):
        footnotes = []
        for f in p.footnotes:
            footnotes.append(replace(f, project_no=no))
        renumbered.append(replace(p, no=no, footnotes=footnotes))
    kpis = [Kpi(k.area_no, k.name + ("高" if k.name == "圏域内民営事業所売上" else ""), k.current,
                k.target.replace("35,000千人", "36,000千人")) for k in content.kpis]
    return Content(renumbered, kpis), EDITS
