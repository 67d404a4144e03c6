"""The stage files' declared shape and version, and the one (de)serializer every stage boundary uses.

A stage file is a JSON object whose top-level key ``stage_format`` says which shape it has; a renkei
reads only the format it writes, because a file written by an older renkei may lack a field or mean it
differently, and guessing a default there would give wrong data with exit 0. So a stale or damaged
file is refused in one line naming it and the stage to rerun; there are no compatibility defaults.

The records themselves are dataclasses: `to_data` is `dataclasses.asdict`, and `from_data` rebuilds
them from their fields' type hints (lists, tuples, ``X | None``, nested dataclasses). Every field must be
present, defaults or not, and no unknown key may be there.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
import types
import typing
from functools import lru_cache
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from extractors.ruled import PageLayout
from extractors.unruled import UnruledTable
from pipeline.inputs import InputError
from pipeline.stages.overview import OverviewRow
from pipeline.stages.records import FootnoteRecord, KpiRecord, ParsedDocument, ProjectRecord

# Raise this whenever the shape of a stage file changes (a field added, renamed or given another meaning).
# 1: the files before the key existed; 2: every file carries ``stage_format``, every field always present.
STAGE_FORMAT = 2
FORMAT_KEY = "stage_format"

class StageFileError(InputError):
    """A stage file this renkei cannot read: its one-line message names the file and the stage to rerun."""


# -- the stage files' shapes (``stage``: the command that writes the file, which a stale one asks to rerun)
@dataclass
class LayoutFile:
    """extract/layout.json: chapter VI's pages as read, and the plan's source record (file, hash, chapter)."""

    stage: ClassVar[str] = "extract"
    source: dict[str, Any]
    pages: list[PageLayout]


@dataclass
class ExcerptTablesFile:
    """extract/overview.json: the excerpt's unruled tables as read, and its source record."""

    stage: ClassVar[str] = "extract"
    source: dict[str, Any]
    tables: list[UnruledTable]


@dataclass
class RecordsFile:
    """parse/records.json: the plan's records, text as printed (`ParsedDocument`), and its source record."""

    stage: ClassVar[str] = "parse"
    source: dict[str, Any]
    projects: list[ProjectRecord]
    kpis: list[KpiRecord]
    footnotes: list[FootnoteRecord]

    @classmethod
    def of(cls, source: dict[str, Any], document: ParsedDocument) -> "RecordsFile":
        return cls(source, document.projects, document.kpis, document.footnotes)

    @property
    def document(self) -> ParsedDocument:
        return ParsedDocument(self.projects, self.kpis, self.footnotes)


@dataclass
class ExcerptRowsFile:
    """parse/overview.json: the excerpt's rows (`OverviewRow`), and its source record."""

    stage: ClassVar[str] = "parse"
    source: dict[str, Any]
    rows: list[OverviewRow]


@dataclass
class TablesFile:
    """normalize/tables.json: the contract's tables as rows (checked against schemas/ when written), the
    sources read and the projects given a provisional id."""

    stage: ClassVar[str] = "normalize"
    sources: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    provisional_project_ids: list[dict[str, Any]]


def dump(record: Any) -> dict:
    """A stage file's record as the JSON object written: its fields and this renkei's ``stage_format``."""
    return {FORMAT_KEY: STAGE_FORMAT, **{f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}}


def _plain(value: Any) -> Any:
    # dataclasses.asdict, but a plain dict (a source record, the tables' rows) is taken as it is, not
    # copied value by value: tables.json holds thousands of rows
    if dataclasses.is_dataclass(value):
        return _asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_LEAVES = frozenset((str, int, float, bool, type(None)))


def _asdict(value: Any) -> Any:
    """``dataclasses.asdict(value)``, the same dicts, lists and tuples, without its copy.deepcopy of every
    str, number and None (immutable: the copy is the value itself) and with each class's field names looked
    up once: a plan's layout is ~40,000 objects, and asdict took a tenth of the build's own CPU."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    names = _field_names(kind) if hasattr(kind, "__dataclass_fields__") and not isinstance(value, type) else None
    if names is not None:
        return {name: _asdict(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple, as asdict rebuilds it
        return kind(*[_asdict(v) for v in value])
    if isinstance(value, (list, tuple)):
        return kind(_asdict(v) for v in value)
    if isinstance(value, dict):
        return kind((_asdict(k), _asdict(v)) for k, v in value.items())
    return copy.deepcopy(value)


@lru_cache(maxsize=None)
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def load(shape: type, data: object, path: Path) -> Any:
    """The stage file ``data`` read from ``path`` as a ``shape`` record: its format checked, every field
    present and of its declared type; `StageFileError` otherwise."""
    data = check_format(data, path, shape.stage)
    return from_data(shape, {k: v for k, v in data.items() if k != FORMAT_KEY}, path, shape.stage)


def check_format(data: object, path: Path, stage: str) -> dict:
    """``data`` (a stage file read from ``path``, written by ``stage``) when it has this renkei's format."""
    if not isinstance(data, dict):
        raise StageFileError(f"{path}: not a stage file (a JSON object): rerun `renkei {stage}`")
    found = data.get(FORMAT_KEY, 1)
    if found != STAGE_FORMAT:
        raise StageFileError(f"{path}: stage file format {found}, this renkei reads {STAGE_FORMAT}: "
                             f"rerun `renkei {stage}`")
    return data


class ShapeError(ValueError):
    """A value without its field's declared shape; ``parts`` is its place in the file, filled in on the way
    out (so that a good file costs no bookkeeping)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what, self.parts = what, []

    def at(self, part: str) -> "ShapeError":
        self.parts.insert(0, part)
        return self

    def __str__(self) -> str:
        place = "".join(self.parts).lstrip(".")
        return f"{place}: {self.what}" if place else self.what


def from_data(cls: Any, data: Any, path: Path, stage: str) -> Any:
    """``data`` read back into ``cls`` (a dataclass or ``list[...]`` of them); `StageFileError` naming
    ``path`` and the place in it where a field is missing, unknown or of another type."""
    try:
        return _converter(cls)(data)
    except ShapeError as error:
        raise StageFileError(f"{path}: {error} (not the shape this renkei writes): rerun `renkei {stage}`") from None


_Convert = Callable[[Any], Any]


def _items(inner: _Convert, value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise ShapeError(f"{what} expected, found {type(value).__name__}")
    try:
        return [inner(v) for v in value]
    except ShapeError as error:
        index = next(i for i, v in enumerate(value) if _fails(inner, v))
        raise error.at(f"[{index}]") from None


def _fails(inner: _Convert, value: Any) -> bool:
    try:
        inner(value)
    except ShapeError:
        return True
    return False


@lru_cache(maxsize=None)
def _converter(hint: Any) -> _Convert:
    """A function that checks and converts a JSON value of type ``hint``; built once per type, so reading
    a large file costs one call per value and no type inspection."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _dataclass_converter(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1 or len(args) != 2:
            raise TypeError(f"stage files hold only `X | None` unions, not {hint}")
        inner = _converter(options[0])
        return lambda value: None if value is None else inner(value)
    if origin is list:
        inner = _converter(args[0])
        return lambda value: _items(inner, value, "a list")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            inner = _converter(args[0])
            return lambda value: tuple(_items(inner, value, "a list"))
        inners = [_converter(a) for a in args]

        def convert_tuple(value: Any) -> tuple:
            if not isinstance(value, list) or len(value) != len(inners):
                raise ShapeError(f"a list of {len(inners)} expected")
            out = []
            for i, (c, v) in enumerate(zip(inners, value)):
                try:
                    out.append(c(v))
                except ShapeError as error:
                    raise error.at(f"[{i}]") from None
            return tuple(out)
        return convert_tuple
    if hint is float:
        def convert_float(value: Any) -> float:
            # an int stays an int: read back as written, so the bytes written from it stay the same
            if type(value) is float or type(value) is int:
                return value
            raise ShapeError(f"a number expected, found {type(value).__name__}")
        return convert_float
    if hint in (int, str, bool):
        def convert_scalar(value: Any) -> Any:
            if type(value) is not hint:
                raise ShapeError(f"{hint.__name__} expected, found {type(value).__name__}")
            return value
        return convert_scalar
    if hint is Any:
        return lambda value: value
    if hint is dict or origin is dict:  # a free-form record (a source, the tables' rows): checked as an object only
        def convert_dict(value: Any) -> dict:
            if not isinstance(value, dict):
                raise ShapeError(f"an object expected, found {type(value).__name__}")
            return value
        return convert_dict
    raise TypeError(f"no stage-file conversion for {hint!r}")


_SCALAR_TEST = {int: "type(x) is int", str: "type(x) is str", bool: "type(x) is bool",
                float: "(type(x) is float or type(x) is int)"}


def _bad(value: Any) -> Any:
    raise ShapeError(f"a value of another type: {type(value).__name__}")


def _dataclass_converter(cls: type) -> _Convert:
    """The converter of one dataclass, compiled into one function: a scalar field is checked inline, so a
    file of thousands of cells reads back at about the speed of a hand-written reader."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    fields = [(f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls) if f.init]
    names = {name for name, _ in fields}
    scope: dict[str, Any] = {"_cls": cls, "_bad": _bad}
    args = []
    for i, (name, _) in enumerate(fields):
        hint = hints[name]
        optional = typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)
        inner = next((a for a in typing.get_args(hint) if a is not type(None)), None) if optional else hint
        if inner in _SCALAR_TEST:
            test = _SCALAR_TEST[inner] + (" or x is None" if optional else "")
            args.append(f"{name}=(x if ({test.replace('x', '(x := v[' + repr(name) + '])', 1)}) else _bad(x))")
        elif typing.get_origin(hint) is list and dataclasses.is_dataclass(typing.get_args(hint)[0]):
            scope[f"_c{i}"] = _converter(typing.get_args(hint)[0])  # the bulk of a file: lists of records
            args.append(f"{name}=([_c{i}(e) for e in x] if type(x := v[{name!r}]) is list else _bad(x))")
        else:
            scope[f"_c{i}"] = _converter(hint)
            args.append(f"{name}=_c{i}(v[{name!r}])")
    exec(f"def _fast(v):\n    return _cls({', '.join(args)})\n", scope)  # noqa: S102 - built from field names only
    fast = scope["_fast"]

    def convert(value: Any) -> Any:
        if not isinstance(value, dict):
            raise ShapeError(f"an object ({cls.__name__}) expected, found {type(value).__name__}")
        if len(value) != len(fields) or value.keys() != names:
            missing = sorted(names - value.keys())
            if missing:
                raise ShapeError(f"no field {missing[0]!r} ({cls.__name__})")
            raise ShapeError(f"unknown field {sorted(value.keys() - names)[0]!r} ({cls.__name__})")
        try:
            return fast(value)
        except ShapeError:
            # the compiled function does not say where: the field's own converter does, with list indices
            failing, convert_field = next((n, c) for n, c in fields if _fails(c, value[n]))
            try:
                convert_field(value[failing])
            except ShapeError as error:
                raise error.at(f".{failing}") from None
            raise
    return convert
