"""Tests for extractors.textnorm: folding, cell-line joining, space squashing."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.fontaliases import RADICAL_SUPPLEMENT_MAP
from extractors.textnorm import (
    fold_text,
    is_japanese_char,
    join_cell_lines,
    squash_spaces,
)

# CJK Unified Ideographs and its extensions A–H (Unicode 15.1).
UNIFIED_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0x2CEB0, 0x2EBEF),
    (0x30000, 0x3134F),
    (0x31350, 0x323AF),
)
# Compatibility-block code points that are unified ideographs (Unified_Ideograph=Yes).
UNIFIED_IN_COMPAT_BLOCK = {
    0xFA0E, 0xFA0F, 0xFA11, 0xFA13, 0xFA14, 0xFA1F,
    0xFA21, 0xFA23, 0xFA24, 0xFA27, 0xFA28, 0xFA29,
}


def is_unified(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in UNIFIED_RANGES) or cp in UNIFIED_IN_COMPAT_BLOCK


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("社\u2ed1", "社長"),  # U+2ED1 CJK RADICAL LONG ONE
        ("市\u2ea0", "市民"),  # U+2EA0 CJK RADICAL CIVILIAN
        ("関\u2ec4", "関西"),  # U+2EC4 CJK RADICAL WEST TWO
        ("\u2ed8少年", "青少年"),  # U+2ED8 CJK RADICAL BLUE
        ("\u2edd品", "食品"),  # U+2EDD CJK RADICAL EAT ONE
        ("\u2f08\u2f1d", "人口"),  # Kangxi radicals U+2F08, U+2F1D
        ("\u2fa7期", "長期"),  # Kangxi U+2FA7
        ("\ufa19戸", "神戸"),  # U+FA19 compatibility ideograph → U+795E
        ("CO₂削減", "CO2削減"),
        ("m²", "m2"),
        ("２０２４年度（Ｒ６年度）", "2024年度(R6年度)"),
        ("１，１９８，０１１", "1,198,011"),
        ("20～29歳", "20~29歳"),  # U+FF5E: NFKC
        ("20〜29歳", "20~29歳"),  # U+301C: ours
        ("―", "―"),  # U+2015 kept for the number parser
        ("—", "—"),  # U+2014 kept
        ("－", "-"),  # U+FF0D: NFKC
        ("▲2,588", "▲2,588"),
        ("ｺﾐｭﾆﾃｨ", "コミュニティ"),
        ("山\ufa11", "山\ufa11"),  # U+FA11 is a unified ideograph and stays
        ("\u2e80", "\u2e80"),  # U+2E80 has no equivalent ideograph
    ],
)
def test_fold_text(raw: str, expected: str) -> None:
    assert fold_text(raw) == expected


def test_kangxi_radicals_all_fold_to_unified_ideographs() -> None:
    for cp in range(0x2F00, 0x2FD6):
        folded = fold_text(chr(cp))
        assert len(folded) == 1 and is_unified(folded), hex(cp)


def test_radical_supplement_all_fold_to_unified_ideographs() -> None:
    assigned = [cp for cp in range(0x2E80, 0x2EF4) if unicodedata.name(chr(cp), None)]
    assert len(assigned) == 115
    for cp in assigned:
        folded = fold_text(chr(cp))
        if cp == 0x2E80:
            assert folded == chr(cp)
        else:
            assert folded != chr(cp) and len(folded) == 1 and is_unified(folded), hex(cp)
    assert len(RADICAL_SUPPLEMENT_MAP) == 114


def test_radical_table_agrees_with_nfkc_where_nfkc_has_a_mapping() -> None:
    for cp, target in RADICAL_SUPPLEMENT_MAP.items():
        nfkc = unicodedata.normalize("NFKC", chr(cp))
        if nfkc != chr(cp):
            assert nfkc == chr(target), hex(cp)


def test_compatibility_ideographs_fold_or_are_unified() -> None:
    blocks = list(range(0xF900, 0xFB00)) + list(range(0x2F800, 0x2FA20))
    for cp in blocks:
        if unicodedata.name(chr(cp), None) is None:
            continue
        folded = fold_text(chr(cp))
        if cp in UNIFIED_IN_COMPAT_BLOCK:
            assert folded == chr(cp)
        else:
            assert is_unified(folded[0]) and folded != chr(cp), hex(cp)


_ALPHABET = st.sampled_from(
    list("札幌市連携事業年度役割分担、。「」（）()０１２３ABCabc 123,.-▲―—ｺﾐ₂")
    + ["\u2ed1", "\u2ea0", "\u2ec4", "\u2f08", "\ufa19", "\u301c", "\uff5e", "\u3000"]
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=30))
def test_fold_text_is_idempotent(s: str) -> None:
    assert fold_text(fold_text(s)) == fold_text(s)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["効", "果的"], "効果的"),
        (["連携事業の企画、", "立案、効果検証"], "連携事業の企画、立案、効果検証"),
        (["Incentive", "travel/tour"], "Incentive travel/tour"),
        (["Meeting (会議)、", "Incentive"], "Meeting(会議)、Incentive"),
        (["Meeting", "(会議)"], "Meeting(会議)"),  # the same text wrapped elsewhere: the same string,
        (["2024年度", "(R6年度)"], "2024年度(R6年度)"),
        (["２０２４年度", "（Ｒ６年度）"], "2024年度(R6年度)"),
        (["(消防指令システム", "共同整備)"], "(消防指令システム共同整備)"),
        (["(", "R6年度", ")"], "(R6年度)"),
        (["Event (", "Exhibition", ")"], "Event(Exhibition)"),
        (["1,19", "8,011"], "1,198,011"),
        (["CO₂", "排出量"], "CO2排出量"),
        (["  役割  ", "", "   ", "分担 "], "役割分担"),
        (["PIAZZA", "」の導入"], "PIAZZA」の導入"),
        (["the   new", "  plan"], "the new plan"),
        ([], ""),
        (["", " "], ""),
    ],
)
def test_join_cell_lines(lines: list[str], expected: str) -> None:
    assert join_cell_lines(lines) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("役 割 分 担", "役割分担"),
        ("費 用 負 担", "費用負担"),
        ("  連携\u3000市町村  ", "連携市町村"),
        ("Incentive   travel", "Incentive travel"),
        ("1 回 (2022年度)", "1回(2022年度)"),  # a space a line wrap can hide is no data
        ("R 6 年度", "R 6年度"),
        ("消防指令システム 共同整備", "消防指令システム共同整備"),
        ("a\n\tb", "a b"),
        ("、 。", "、。"),
        ("", ""),
    ],
)
def test_squash_spaces(raw: str, expected: str) -> None:
    assert squash_spaces(raw) == expected


@pytest.mark.parametrize(
    ("ch", "expected"),
    [("あ", True), ("ア", True), ("漢", True), ("、", True), ("「", True), ("ー", True),
     ("・", True), ("A", False), ("1", False), ("(", False), (" ", False)],
)
def test_is_japanese_char(ch: str, expected: bool) -> None:
    assert is_japanese_char(ch) is expected


# -- glyph aliases generated from the fonts ---------------------------------------------------------
def test_glyph_shared_middle_dots_fold_to_the_katakana_middle_dot() -> None:
    """Noto Sans CJK draws ・ U+30FB and ‧ U+2027 with one glyph; Chromium's ToUnicode names U+2027."""
    for look_alike in ("\u2027", "\u00b7", "\u2219"):
        assert fold_text(f"企画{look_alike}実施") == "企画・実施"
    assert fold_text("\uff65") == "・"  # NFKC's own half-width fold lands on the same code point


def test_alias_table_never_folds_an_ideograph_or_a_dash() -> None:
    from extractors.glyph_aliases import GLYPH_ALIASES

    for code, target in GLYPH_ALIASES.items():
        name = unicodedata.name(chr(code))
        assert not name.startswith("CJK UNIFIED"), name
        assert unicodedata.normalize("NFKC", chr(code)) == chr(code) or 0x2E80 <= code <= 0x2EFF, name
        assert unicodedata.normalize("NFKC", chr(target)) == chr(target), unicodedata.name(chr(target))
    for keep in "〇○-‐–—―ー一":
        assert ord(keep) not in GLYPH_ALIASES


def test_alias_generator_finds_shared_glyphs_in_a_font(tmp_path) -> None:
    """The generator reads a font's cmap: two code points on one glyph form a group, folded to the
    NFKC-stable code point of a Japanese block."""
    from collections import Counter

    from fontTools.fontBuilder import FontBuilder

    from extractors.fontaliases import preferred, shared_glyph_groups

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "dot", "a"])
    builder.setupCharacterMap({0x30FB: "dot", 0x2027: "dot", 0x61: "a"})
    groups = shared_glyph_groups(builder.font)
    assert groups == [frozenset({0x30FB, 0x2027})]
    assert preferred(groups[0], Counter()) == 0x30FB


def test_committed_alias_table_is_what_the_generator_renders() -> None:
    """The committed module is exactly render(table) of its own entries (nobody edited it by hand)."""
    import pathlib

    from extractors import fontaliases, glyph_aliases

    text = pathlib.Path(glyph_aliases.__file__).read_text(encoding="utf-8")
    faces = [line[2:] for line in text.splitlines() if line.startswith("- ")]

    def without_names(module_text: str) -> str:
        # The comments name each code point from the running Python's Unicode database, which gains names
        # from one Python version to the next (3.12 names U+2B739, 3.11 does not): compare the code only.
        return "\n".join(line.split("  # ")[0] for line in module_text.splitlines())

    assert without_names(fontaliases.render(glyph_aliases.GLYPH_ALIASES, faces)) == without_names(text)
    assert any("Noto Sans CJK JP" in f for f in faces) and any("IPAex" in f for f in faces)
