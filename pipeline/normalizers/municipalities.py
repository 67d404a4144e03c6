"""The members of the collaboration agreement (連携協約), and their codes.

Who the members are is a fact of each edition: a town may join or leave between visions. The whole vision
prints them (chapter II's 構成市町村 table, the agreements' table; read by `extractors.members`); a PDF that
prints no member table (chapter VI alone) takes them from the reviewed file ``schemas/members.csv``, which
only ``renkei pin`` writes. ``全市町村`` in a 連携市町村 cell means the edition's partners, and a name that
is not a member is refused. Codes come from the facts file of every municipality of Japan
(`schemas.municipal_codes`), looked up in the center city's prefecture where a name repeats.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import regex

import schemas
from extractors.textnorm import fold_text
from schemas.municipal_codes import check_digit, code_table

__all__ = ["ALL_PARTNERS_LABEL", "MEMBERS_FILE", "Members", "MembersError", "check_digit", "expand_municipalities",
           "edition_members", "format_members", "member_changes", "parse_members", "read_members"]

MEMBERS_FILE = Path(schemas.__file__).resolve().parent / "members.csv"  # shipped as package data
MEMBER_COLUMNS = ("role", "municipality")
ROLES = ("center", "partner")
#: How a 連携市町村 cell says "all partners".
ALL_PARTNERS_LABEL = "全市町村"

_LIST_SEPARATORS = regex.compile(r"[、,，・]")
_WHITESPACE = regex.compile(r"\s+")


class MembersError(ValueError):
    """The members cannot be read or are not municipalities (one line)."""


@dataclass(frozen=True)
class Members:
    """The agreement's center city and partners, in the order printed, and where they were read:
    ``source`` "document" (``pages``: the member tables' pages) or "reviewed" (schemas/members.csv)."""

    center: str
    partners: tuple[str, ...]
    source: str = "reviewed"
    pages: tuple[int, ...] = ()
    where: str = field(default=f"schemas/{MEMBERS_FILE.name}", compare=False)

    @property
    def prefecture(self) -> str:
        return code_table().find(self.center).prefecture

    @property
    def all(self) -> tuple[str, ...]:
        return (self.center, *self.partners)

    def lg_code(self, name: str) -> str:
        """6-digit 全国地方公共団体コード of a member (``小樽市`` → ``012033``)."""
        try:
            return code_table().find(fold_text(name).strip(), self.prefecture).lg_code
        except KeyError as error:
            raise MembersError(str(error.args[0])) from None

    def to_json(self) -> dict:
        return {"source": self.source, "center": self.center, "partners": list(self.partners),
                "pages": list(self.pages)}


def parse_members(text: str, where: str = f"schemas/{MEMBERS_FILE.name}") -> Members:
    """The reviewed members file's text (``role,municipality``: one center, then the partners in the
    plan's order); every name must be a municipality of Japan, none twice."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != MEMBER_COLUMNS:
        raise MembersError(f"{where}: columns {reader.fieldnames}, expected {', '.join(MEMBER_COLUMNS)}")
    centers, partners = [], []
    for line, record in enumerate(reader, start=2):
        role, name = record["role"].strip(), fold_text(record["municipality"]).strip()
        if role not in ROLES:
            raise MembersError(f"{where}:{line}: role {role!r}, expected one of {', '.join(ROLES)}")
        if name in centers or name in partners:
            raise MembersError(f"{where}:{line}: {name} is listed twice")
        (centers if role == "center" else partners).append(name)
    if len(centers) != 1 or not partners:
        raise MembersError(f"{where}: one center and at least one partner expected, found {len(centers)} "
                           f"center(s) and {len(partners)} partner(s)")
    members = Members(centers[0], tuple(partners), "reviewed", (), where)
    for name in members.all:
        members.lg_code(name)  # every name a municipality of Japan, or refused here
    return members


def read_members(path: Path | None = None) -> Members:
    path = Path(path) if path is not None else MEMBERS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MembersError(f"{path}: the reviewed members cannot be read ({error.strerror or error})") from None
    return parse_members(text, str(path))


def format_members(members: Members) -> str:
    """The reviewed file's text for ``members`` (`parse_members` reads it back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MEMBER_COLUMNS)
    writer.writerow(("center", members.center))
    writer.writerows(("partner", name) for name in members.partners)
    return out.getvalue()


def expand_municipalities(raw: str, members: Members) -> list[str]:
    """Expand a 連携市町村 cell into partner names.

    ``全市町村`` → the edition's partners in their order. Otherwise the cell is a list separated by 、 , ，
    ・ or spaces; names come back in the cell's order. A piece that is a partner once its spaces are removed
    (``石狩 市`` from a line break) counts as that name. Raises ``ValueError`` naming any entry that is not
    a partner of this edition, and on an empty cell or a repeated name.
    """
    text = fold_text(raw).strip()
    partners = members.partners
    if _WHITESPACE.sub("", text) == ALL_PARTNERS_LABEL:
        return list(partners)
    names: list[str] = []
    for piece in _LIST_SEPARATORS.split(text):
        compact = _WHITESPACE.sub("", piece)
        if not compact:
            continue
        words = [compact] if compact in partners else piece.split()
        for word in words:
            if word not in partners:
                raise ValueError(f"{word!r} is not a partner municipality of this edition (in {raw!r}; partners "
                                 f"from {_described(members)})")
            if word in names:
                raise ValueError(f"municipality listed twice: {word!r} (in {raw!r})")
            names.append(word)
    if not names:
        raise ValueError(f"no municipality in {raw!r}")
    return names


def _described(members: Members) -> str:
    if members.source == "document":
        return "the member table" + ("s" if len(members.pages) > 1 else "") + " on page " + \
            ", ".join(map(str, members.pages))
    return f"{members.where}, reviewed: this PDF prints no member table; review the edition's members and " \
           "add them with `renkei pin --member NAME`"


def edition_members(member_tables: list[dict] | None, reviewed: Members) -> Members:
    """The edition's members: read from the member tables the PDF prints (``member_tables``, the plan
    source's records of `extractors.members`), else the reviewed ``reviewed``.

    The center city is the reviewed one (the agreement's 連携中枢都市; the party 札幌市 of every project);
    a table lists the partners with or without it. Every table must list the same partners, each once, and
    each must be a municipality of Japan (in the center's prefecture where a name repeats): otherwise the
    edition's members are unclear and the build stops, naming the pages."""
    if not member_tables:
        return reviewed
    lists: list[tuple[str, tuple[str, ...]]] = []
    for table in member_tables:
        where = f"page {table['page_label'] or table['page']}"
        names = [fold_text(n).strip() for n in table["names"]]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise MembersError(f"{where}: the member table lists {', '.join(repeated)} twice")
        for name in names:
            try:
                reviewed.lg_code(name)
            except MembersError as error:
                raise MembersError(f"{where}: the member table names {error}") from None
        lists.append((where, tuple(n for n in names if n != reviewed.center)))
    first_where, partners = lists[0]
    for where, other in lists[1:]:
        if set(other) != set(partners):
            only_first = [n for n in partners if n not in other]
            only_other = [n for n in other if n not in partners]
            raise MembersError(
                f"{where}: the member table differs from the one on {first_where} (only on {first_where}: "
                f"{'、'.join(only_first) or 'none'}; only on {where}: {'、'.join(only_other) or 'none'}): "
                "the edition's members are unclear")
    return Members(reviewed.center, partners, "document", tuple(t["page"] for t in member_tables))


def member_changes(members: Members, reviewed: Members) -> dict[str, list[str]]:
    """What the edition's members change against the reviewed file: joined, left (empty lists: none)."""
    return {"joined": [n for n in members.partners if n not in reviewed.partners],
            "left": [n for n in reviewed.partners if n not in members.partners]}
