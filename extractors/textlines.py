"""Characters → visual lines, with superscript footnote marks told apart from subscripts.

A footnote mark (¹⁰) and a chemical subscript (CO₂) are both small glyphs; only their position against
the line's body text differs. The mark must leave the text and be recorded as a reference; the
subscript must stay in place. Doing this on glyph size and vertical position works for any font and
printer, where matching on code points would not (many PDFs print marks as plain small digits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import functools
import unicodedata
from statistics import median
from typing import Sequence

from extractors.settings import Layout


@dataclass
class VisualLine:
    """One printed line: its text with marks removed, the marks, and its box."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    marks: list[str] = field(default_factory=list)
    leading_marks: list[str] = field(default_factory=list)  # marks printed before any body text
    fontnames: tuple[str, ...] = ()


@functools.lru_cache(maxsize=4096)
def _is_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _vertical_overlap(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    return min(a_bottom, b_bottom) - max(a_top, b_top)


def group_lines(chars: Sequence[dict], layout: Layout) -> list[VisualLine]:
    """Group pdfplumber chars into visual lines, top to bottom."""
    chars = [c for c in chars if c["text"].strip()]
    if not chars:
        return []
    body_size = median(c["size"] for c in chars)
    big = [c for c in chars if c["size"] >= layout.small_glyph_ratio * body_size]
    small = [c for c in chars if c["size"] < layout.small_glyph_ratio * body_size]

    rows = group_lines_plain(big, layout)  # [{"top", "bottom", "chars": [...], "small": [...]}]

    orphans: list[dict] = []
    touch, reach = layout.mark_touch, layout.mark_reach_share
    for char in small:
        centre = (char["top"] + char["bottom"]) / 2
        best, best_distance = None, None
        for row in rows:
            if row["top"] - touch <= centre <= row["bottom"] + touch:
                distance = 0.0
            else:
                distance = min(abs(centre - row["top"]), abs(centre - row["bottom"]))
            if best_distance is None or distance < best_distance:
                best, best_distance = row, distance
        line_height = (best["bottom"] - best["top"]) if best else 0
        if best is not None and best_distance is not None and best_distance <= reach * line_height:
            best["small"].append(char)
        else:
            orphans.append(char)
    if orphans:
        # Small glyphs with no body line nearby (a line set entirely in small type).
        for line in group_lines_plain(orphans, layout):
            rows.append(line)

    lines = [_assemble(row, layout) for row in rows]
    return sorted(lines, key=lambda line: (round(line.top, 1), line.x0))


def group_lines_plain(chars: Sequence[dict], layout: Layout) -> list[dict]:
    """Group glyphs of one size class into rows, with no mark detection."""
    rows: list[dict] = []
    share = layout.line_overlap_share
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        top, bottom = char["top"], char["bottom"]
        height = max(bottom - top, layout.min_glyph_height)
        for row in rows:
            if _vertical_overlap(row["top"], row["bottom"], top, bottom) > share * height:
                row["chars"].append(char)
                row["top"] = min(row["top"], top)
                row["bottom"] = max(row["bottom"], bottom)
                break
        else:
            rows.append({"top": top, "bottom": bottom, "chars": [char], "small": []})
    return rows


def _assemble(row: dict, layout: Layout) -> VisualLine:
    body = row["chars"]
    # Compare baselines, not centres: some printers report a raised glyph's box centred on the line.
    body_baseline = median(c["bottom"] for c in body)
    size = median(c["size"] for c in body)
    pieces: list[tuple[float, str, dict]] = []  # (x0, kind, char)
    for char in body:
        pieces.append((char["x0"], "body", char))
    for char in row["small"]:
        raised = body_baseline - char["bottom"] > layout.raise_ratio * size
        is_superscript = raised and char["text"].isdigit()
        pieces.append((char["x0"], "mark" if is_superscript else "body", char))
    pieces.sort(key=lambda p: p[0])

    text_parts: list[str] = []
    marks: list[str] = []
    leading: list[str] = []
    current_mark = ""
    previous_body: dict | None = None
    seen_body = False
    for _, kind, char in pieces:
        if kind == "mark":
            current_mark += char["text"]
            previous_body = None  # the mark's own width is not a word gap
            continue
        if current_mark:
            (marks if seen_body else leading).append(current_mark)
            current_mark = ""
        if previous_body is not None and not (_is_wide(previous_body["text"]) or _is_wide(char["text"])):
            # Only a gap between two Latin-script glyphs is a word space; next to Japanese text a gap
            # is justification or a font switch, never a space.
            gap = char["x0"] - previous_body["x1"]
            if gap > layout.space_gap_ratio * size:
                text_parts.append(" ")
        text_parts.append(char["text"])
        previous_body = char
        seen_body = True
    if current_mark:
        (marks if seen_body else leading).append(current_mark)

    all_chars = body + row["small"]
    return VisualLine(
        text="".join(text_parts),
        x0=min(c["x0"] for c in all_chars),
        top=min(c["top"] for c in all_chars),
        x1=max(c["x1"] for c in all_chars),
        bottom=max(c["bottom"] for c in all_chars),
        size=size,
        marks=marks,
        leading_marks=leading,
        fontnames=tuple(sorted({c.get("fontname", "") for c in body})),
    )
