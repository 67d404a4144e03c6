"""extractors/text.py `dedupe_chars`: the result of pdfplumber's ``dedupe_chars`` (same text, font, size
and position within the tolerance: one kept, in the original order), in linear time."""

from __future__ import annotations

import random

import pytest
from pdfplumber.utils import dedupe_chars

from extractors.settings import Layout
from extractors.text import dedupe_chars as _dedupe_chars

TOLERANCE = Layout().dedupe_tolerance  # pdfplumber's default, 1


def char(text: str, x0: float, doctop: float, fontname: str = "MS-Mincho", size: float = 10.5,
         upright: bool = True) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + size, "top": doctop, "doctop": doctop, "bottom": doctop + size,
            "fontname": fontname, "size": size, "upright": upright}


def test_a_bold_face_printed_twice_keeps_one_copy_in_order():
    """Fake bold: each glyph drawn twice, the second a fraction of a point off."""
    chars = []
    for i, ch in enumerate("連携事業"):
        chars += [char(ch, 100 + 11 * i, 200), char(ch, 100.3 + 11 * i, 200.2)]
    kept = _dedupe_chars(chars, TOLERANCE)
    assert "".join(c["text"] for c in kept) == "連携事業"
    assert [c["x0"] for c in kept] == [100, 111, 122, 133]  # the first of each pair, in page order


def test_what_differs_is_kept():
    base = char("1", 100, 200)
    others = [char("1", 102, 200), char("1", 100, 202), char("7", 100, 200),
              char("1", 100, 200, fontname="Gothic"), char("1", 100, 200, size=6),
              char("1", 100, 200, upright=False)]
    assert _dedupe_chars([base, *others], TOLERANCE) == [base, *others]
    assert _dedupe_chars([base, dict(base), dict(base)], TOLERANCE) == [base]


def test_the_same_as_pdfplumber_on_random_pages():
    rng = random.Random(20261201)
    for _ in range(200):
        chars = []
        for _ in range(rng.randint(0, 60)):
            c = char(rng.choice("事業費12"), rng.choice([100, 100.4, 101.2, 130]), rng.choice([200, 200.6, 201.5, 230]),
                     fontname=rng.choice(["A", "B"]), size=rng.choice([10.5, 10.5, 6]))
            chars.append(c)
            if rng.random() < 0.3:
                chars.append(dict(c, x0=c["x0"] + rng.uniform(-1.2, 1.2), doctop=c["doctop"] + rng.uniform(-1.2, 1.2)))
        ours = _dedupe_chars(chars, TOLERANCE)
        theirs = dedupe_chars(chars, tolerance=1)
        assert [id(c) for c in ours] == [id(c) for c in theirs]


@pytest.mark.parametrize("tolerance", [0.5, 2])
def test_the_tolerance_is_pdfplumbers(tolerance):
    chars = [char("a", 100, 200), char("a", 100.8, 200), char("a", 101.6, 200.4), char("a", 110, 200)]
    assert [id(c) for c in _dedupe_chars(chars, tolerance)] == [id(c) for c in dedupe_chars(chars, tolerance=tolerance)]
