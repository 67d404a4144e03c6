"""Per-page progress on a terminal, silence everywhere else (CI, logs, pipes)."""

from __future__ import annotations

import sys
from typing import Iterable, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress_bar(items: Iterable[T], desc: str, unit: str, enabled: bool | None = None) -> Iterable[T]:
    """Wrap items in a tqdm bar when stderr is a terminal (or when asked explicitly)."""
    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(items, desc=desc, unit=unit, disable=not show, leave=False, file=sys.stderr)
