"""Generate extractors/glyph_aliases.py: code points that Japanese fonts draw with one shared glyph.

Why: a PDF's text layer is written from glyphs, not from the characters the author typed. When a font
maps several code points to one glyph (・ U+30FB and ‧ U+2027 in Noto Sans CJK; 長 and the radical ⻑ in
many fonts), the producer's ToUnicode map can name only one of them, usually the lowest, so the same
typed character comes back as different code points depending on the program and font that printed it.
The fold is therefore derived from the fonts themselves, not from a list of cases seen so far.

Rerun after installing more fonts (it reads every font fontconfig lists for Japanese, plus DejaVu, which
office programs print Latin text with):

    .venv/bin/python -m extractors.fontaliases > extractors/glyph_aliases.py

Which code point of a group is kept (``preferred``), in order:

1. one that NFKC leaves alone (the fold runs before NFKC's own folding, so a compatibility form must
   never be the target);
2. one in a Japanese block (CJK Unified Ideographs, kana, CJK Symbols and Punctuation, full-width forms):
   text of a Japanese document is written in those, so ‧ U+2027 becomes ・ U+30FB, ⻑ becomes 長;
3. the one most fonts agree on, then the lowest code point.

Groups whose members mean different things although some font draws them alike are never folded
(``NEVER_FOLD``): 〇 (the kanji numeral zero) and ○ (a circle) would change how numbers read; the
ASCII hyphen-minus and the dashes are left to the number parsers, which read each on purpose.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

# Pairs that share a glyph in some font but must keep their own meaning (see the module docstring).
NEVER_FOLD = frozenset({0x3007, 0x25CB, 0x25EF, 0x002D, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015,
                        0x2212, 0x30FC, 0x4E00, 0x2500, 0x2501, 0x0020, 0x00A0, 0x3000, 0x00AD})
# UCD EquivalentUnifiedIdeograph for the CJK Radicals Supplement (authoritative for U+2E81–U+2EF3; the
# fonts' own radical glyphs sometimes point at another variant, see the module docstring of textnorm).
_RADICAL_SUPPLEMENT_EUI = (
    "2E81:5382 2E82:4E5B 2E83:4E5A 2E84:4E59 2E85:4EBB 2E86:5182 2E87:20628 2E88:5200 "
    "2E89:5202 2E8A:535C 2E8B:353E 2E8C:5C0F 2E8D:5C0F 2E8E:5140 2E8F:5C23 2E90:5C22 "
    "2E91:21BC2 2E92:5DF3 2E93:5E7A 2E94:5F51 2E95:2B739 2E96:5FC4 2E97:5FC3 2E98:624C "
    "2E99:6535 2E9B:65E1 2E9C:65E5 2E9D:6708 2E9E:6B7A 2E9F:6BCD 2EA0:6C11 2EA1:6C35 "
    "2EA2:6C3A 2EA3:706C 2EA4:722B 2EA5:722B 2EA6:4E2C 2EA7:725B 2EA8:72AD 2EA9:738B "
    "2EAA:24D14 2EAB:76EE 2EAC:793A 2EAD:793B 2EAE:25AD7 2EAF:7CF9 2EB0:7E9F 2EB1:7F53 "
    "2EB2:7F52 2EB3:34C1 2EB4:5197 2EB5:2626B 2EB6:7F8A 2EB7:2634C 2EB8:2634B 2EB9:8002 "
    "2EBA:8080 2EBB:807F 2EBC:8089 2EBD:26951 2EBE:8279 2EBF:8279 2EC0:8279 2EC1:864E "
    "2EC2:8864 2EC3:8980 2EC4:897F 2EC5:89C1 2EC6:89D2 2EC7:278B2 2EC8:8BA0 2EC9:8D1D "
    "2ECA:27FB7 2ECB:8F66 2ECC:8FB6 2ECD:8FB6 2ECE:8FB6 2ECF:9091 2ED0:9485 2ED1:9577 "
    "2ED2:9578 2ED3:957F 2ED4:95E8 2ED5:28E0F 2ED6:961D 2ED7:96E8 2ED8:9752 2ED9:97E6 "
    "2EDA:9875 2EDB:98CE 2EDC:98DE 2EDD:98DF 2EDE:2967F 2EDF:98E0 2EE0:9963 2EE1:29810 "
    "2EE2:9A6C 2EE3:9AA8 2EE4:9B3C 2EE5:9C7C 2EE6:9E1F 2EE7:5364 2EE8:9EA6 2EE9:9EC4 "
    "2EEA:9EFE 2EEB:6589 2EEC:9F50 2EED:6B6F 2EEE:9F7F 2EEF:7ADC 2EF0:9F99 2EF1:9F9C "
    "2EF2:4E80 2EF3:9F9F"
)

#: code point of a CJK Radicals Supplement character -> its unified ideograph
RADICAL_SUPPLEMENT_MAP: dict[int, int] = {
    int(src, 16): int(dst, 16)
    for src, dst in (pair.split(":") for pair in _RADICAL_SUPPLEMENT_EUI.split())
}

EXTRA_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
# Only these ranges can occur in the plan's text layer as an alias worth folding: no private use, no
# controls, no unassigned code points.
_JAPANESE_BLOCKS = ((0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF), (0x20000, 0x3134F))


def font_files() -> list[Path]:
    listed = subprocess.run(["fc-list", ":lang=ja", "file"], capture_output=True, text=True, check=True).stdout
    files = {Path(line.split(":")[0].strip()) for line in listed.splitlines() if line.strip()}
    files |= {Path(f) for f in EXTRA_FONTS if Path(f).is_file()}
    return sorted(f.resolve() for f in files)


def _faces(path: Path):
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        return list(TTCollection(str(path)).fonts)
    return [TTFont(str(path))]


def _name(face) -> str:
    name = face["name"].getBestFullName() or "?"
    version = face["head"].fontRevision
    return f"{name} {version:.3f}"


def _ideograph(code: int) -> bool:
    """Unicode's Unified_Ideograph: the CJK UNIFIED blocks, plus the twelve code points of the compatibility
    block (﨑 and friends) that NFKC leaves alone because they are unified ideographs."""
    name = unicodedata.name(chr(code), "")
    return name.startswith("CJK UNIFIED IDEOGRAPH") or (
        name.startswith("CJK COMPATIBILITY IDEOGRAPH") and unicodedata.normalize("NFKC", chr(code)) == chr(code))


def _usable(code: int) -> bool:
    category = unicodedata.category(chr(code))
    return not category.startswith("C") and not category.startswith("Z")


def _japanese(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in _JAPANESE_BLOCKS)


def shared_glyph_groups(face) -> list[frozenset[int]]:
    """Sets of two or more code points the face's Unicode cmap maps to one glyph."""
    by_glyph: dict[str, set[int]] = defaultdict(set)
    for code, glyph in face.getBestCmap().items():
        if _usable(code):
            by_glyph[glyph].add(code)
    return [frozenset(codes) for codes in by_glyph.values() if len(codes) > 1]


def preferred(group: frozenset[int], votes: Counter) -> int:
    """The code point a group folds to; NFKC forms of its members are candidates too (see the docstring)."""
    candidates = set(group)
    for code in group:
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1:
            candidates.add(ord(folded))

    def rank(code: int):
        ch = chr(code)
        return (unicodedata.normalize("NFKC", ch) != ch, unicodedata.category(ch).startswith("M"),
                not _japanese(code), -votes[code], code)

    return min(candidates, key=rank)


def alias_table(files: list[Path]) -> tuple[dict[int, int], list[str]]:
    """code point → the code point to write instead, merged over every face of every file."""
    groups: list[frozenset[int]] = []
    faces: list[str] = []
    for path in files:
        for face in _faces(path):
            faces.append(f"{path.name}: {_name(face)}")
            groups += [g - NEVER_FOLD for g in shared_glyph_groups(face)]
    groups = [g for g in groups if len(g) > 1]
    # Union of overlapping groups over all fonts: aliases in one font are aliases everywhere.
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    votes: Counter = Counter()
    for g in groups:
        first, *rest = sorted(g)
        for code in rest:
            parent[find(code)] = find(first)
        for code in g:
            votes[code] += 1
    merged: dict[int, set[int]] = defaultdict(set)
    for code in list(parent):
        merged[find(code)].add(code)
    table: dict[int, int] = dict(RADICAL_SUPPLEMENT_MAP)
    for members in merged.values():
        # Only groups that touch Japanese text: Latin-only aliases (ligature slots, Greek/Latin look-alikes
        # in DejaVu) are not this fold's business, and NFKC handles the compatibility ones.
        if not any(_japanese(c) for c in members):
            continue
        target = preferred(frozenset(members), votes)
        if unicodedata.normalize("NFKC", chr(target)) != chr(target) or unicodedata.category(chr(target))[0] == "M":
            continue  # nothing NFKC-stable to fold to: NFKC itself decides
        for code in members:
            # An ideograph is a character of its own even where a font draws it like another (戸/戶, 黒/黑
            # in some faces): never folded. A compatibility form is NFKC's to fold. UCD's radical table wins
            # over font evidence.
            if (code == target or _ideograph(code) or code in table
                    or unicodedata.normalize("NFKC", chr(code)) != chr(code)):
                continue
            table[code] = target
    return dict(sorted(table.items())), faces


def render(table: dict[int, int], faces: list[str]) -> str:
    lines = ['"""Generated by `python -m extractors.fontaliases`; do not edit (see that module for why and how).',
             "", "Code points that one glyph of a font below also draws, mapped to the code point Japanese text",
             "is written in. Fonts read:", ""]
    lines += [f"- {f}" for f in faces]
    lines += ['"""', "", "GLYPH_ALIASES: dict[int, int] = {"]
    for code, target in table.items():
        lines.append(f"    0x{code:04X}: 0x{target:04X},  # {unicodedata.name(chr(code), '?')} → "
                     f"{unicodedata.name(chr(target), '?')}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    table, faces = alias_table(font_files())
    sys.stdout.write(render(table, faces))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
