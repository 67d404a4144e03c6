"""Characters → visual lines, with superscript footnote marks told apart from subscripts.

A footnote mark (¹⁰) and a chemical subscript (CO₂) are both small glyphs; only their position against
the line's body text differs. The mark must leave the text and be recorded as a reference; the
subscript must stay in place. Doing this on glyph size and vertical position works for any font and
printer, where matching on code points would not (many PDFs print marks as plain small digits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Sequence

from extractors.settings import Layout
from extractors.text import Band, GlyphRow, body_size, group_rows, split_small, word_space


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


def group_lines(chars: Sequence[dict], layout: Layout) -> list[VisualLine]:
    """Group pdfplumber chars into visual lines, top to bottom."""
    chars = [c for c in chars if c["text"].strip()]
    if not chars:
        return []
    big, small = split_small(chars, body_size(c["size"] for c in chars), layout)
    rows = group_rows(big, layout, Band.LINE)

    orphans: list[dict] = []
    touch, reach = layout.mark_touch, layout.mark_reach_share
    for char in small:
        centre = (char["top"] + char["bottom"]) / 2
        best, best_distance = None, None
        for row in rows:
            if row.top - touch <= centre <= row.bottom + touch:
                distance = 0.0
            else:
                distance = min(abs(centre - row.top), abs(centre - row.bottom))
            if best_distance is None or distance < best_distance:
                best, best_distance = row, distance
        line_height = (best.bottom - best.top) if best else 0
        if best is not None and best_distance is not None and best_distance <= reach * line_height:
            best.small.append(char)
        else:
            orphans.append(char)
    if orphans:
        # Small glyphs with no body line nearby (a line set entirely in small type).
        rows += group_rows(orphans, layout, Band.LINE)

    lines = [_assemble(row, layout) for row in rows]
    return sorted(lines, key=lambda line: (round(line.top, 1), line.x0))


def _assemble(row: GlyphRow, layout: Layout) -> VisualLine:
    body = row.chars
    # Compare baselines, not centres: some printers report a raised glyph's box centred on the line.
    body_baseline = median(c["bottom"] for c in body)
    size = body_size(c["size"] for c in body)
    pieces: list[tuple[float, str, dict]] = []  # (x0, kind, char)
    for char in body:
        pieces.append((char["x0"], "body", char))
    for char in row.small:
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
        if previous_body is not None and word_space(previous_body, char, size, layout):
            text_parts.append(" ")
        text_parts.append(char["text"])
        previous_body = char
        seen_body = True
    if current_mark:
        (marks if seen_body else leading).append(current_mark)

    all_chars = body + row.small
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
