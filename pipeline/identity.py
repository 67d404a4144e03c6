"""Match the projects of two editions by identity, never by number: the one set of rules the diff pairs
projects with and the build gives stable project ids by (pipeline/stages/identity.py), so it sits below both.

1. Same name: a name that occurs exactly once in each edition pairs those two projects.
2. Everything left over is scored pairwise, ``similarity`` = the mean of the character-level
   similarity (rapidfuzz ``fuzz.ratio``, 0–100) of the names and of the summaries. Japanese has no
   word boundaries, so token-based scorers do not apply. Pairs at or above ``MATCH_THRESHOLD`` are
   taken greedily, best score first, each project at most once; ties go to the lower old number, then
   the lower new number, so the assignment is deterministic.
3. The rest are removed (old only) or added (new only).

Threshold, measured on raw/plan_vi.pdf against tests/fixtures/plan_vi_revised_sample.pdf: the real
rename (MICE誘致の推進 → MICE誘致・開催の推進) scores 92.9 (names 85.7, summaries 100); the closest pair of
different projects in the plan scores 60.8 (災害時における連携の推進 / 廃棄物対策における連携の推進: names 69.2,
summaries 52.4), and the deleted project's best candidate among the new edition's projects 53.4. Names
alone cannot separate them (特色ある…/文化的な教育活動の充実に向けた取組の推進 score 80.0 on names), the summaries
can. 75 sits between with a margin of about 15 on either side: a rename with a lightly edited summary
still matches, a different project that shares the plan's boilerplate does not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

MATCH_THRESHOLD = 75.0


@dataclass(frozen=True)
class Project:
    no: int
    name: str
    summary: str = ""


@dataclass(frozen=True)
class Pair:
    old: Project
    new: Project
    score: float  # 100.0 for a same-name match
    how: str  # "name" or "fuzzy"

    @property
    def renamed(self) -> bool:
        return self.old.name != self.new.name

    @property
    def renumbered(self) -> bool:
        return self.old.no != self.new.no


@dataclass
class Matching:
    pairs: list[Pair] = field(default_factory=list)  # sorted by new number
    removed: list[Project] = field(default_factory=list)  # sorted by old number
    added: list[Project] = field(default_factory=list)  # sorted by new number

    def old_to_new(self) -> dict[int, int]:
        return {p.old.no: p.new.no for p in self.pairs}


def _ratio(a: str, b: str) -> float:
    return float(fuzz.ratio(a or "", b or ""))


def similarity(old: Project, new: Project) -> float:
    """0–100: mean of the name and summary similarities (names only when neither has a summary)."""
    name = _ratio(old.name, new.name)
    if not (old.summary or new.summary):
        return name
    return (name + _ratio(old.summary, new.summary)) / 2


def match_projects(old: list[Project], new: list[Project], threshold: float = MATCH_THRESHOLD) -> Matching:
    """One-to-one matching of ``old`` to ``new`` projects (see the module docstring)."""
    for side, projects in (("old", old), ("new", new)):
        numbers = Counter(p.no for p in projects)
        dup = sorted(n for n, c in numbers.items() if c > 1)
        if dup:
            raise ValueError(f"{side} edition: project number {dup[0]} occurs more than once")
    old_names = Counter(p.name for p in old)
    new_names = Counter(p.name for p in new)
    new_by_name = {p.name: p for p in new}
    pairs: list[Pair] = []
    for p in old:
        if old_names[p.name] == 1 and new_names[p.name] == 1:
            pairs.append(Pair(p, new_by_name[p.name], 100.0, "name"))
    taken_old = {p.old.no for p in pairs}
    taken_new = {p.new.no for p in pairs}
    rest_old = [p for p in old if p.no not in taken_old]
    rest_new = [p for p in new if p.no not in taken_new]
    candidates = []
    for o in rest_old:
        for n in rest_new:
            score = similarity(o, n)
            if score >= threshold:
                candidates.append((-score, o.no, n.no, o, n))
    candidates.sort(key=lambda c: c[:3])
    for negative, _, _, o, n in candidates:
        if o.no in taken_old or n.no in taken_new:
            continue
        pairs.append(Pair(o, n, -negative, "fuzzy"))
        taken_old.add(o.no)
        taken_new.add(n.no)
    return Matching(
        pairs=sorted(pairs, key=lambda p: p.new.no),
        removed=sorted((p for p in old if p.no not in taken_old), key=lambda p: p.no),
        added=sorted((p for p in new if p.no not in taken_new), key=lambda p: p.no),
    )
