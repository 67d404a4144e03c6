"""The Jinja environment of every page renkei publishes: templates from this package, autoescape on for every
template (a build's strings are text read from a PDF, so never markup), no undefined name passes silently.
``renkei.css`` is included inline, so a page is one offline file (plus its images)."""

from __future__ import annotations

from functools import lru_cache

import html

import jinja2


def html_escape(text: object) -> str:
    """Text read from a PDF as HTML text (for the pieces built outside a template, e.g. a character diff)."""
    return html.escape(str(text), quote=True)


def html_code(identifier: str) -> str:
    return f"<code>{html_escape(identifier)}</code>"


def amount(value: object) -> str:
    """An amount as printed in the tables: thousands separated, "–" where none is printed (never 0)."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{int(round(value)):,}"  # type: ignore[call-overload]


def signed(value: object) -> str:
    """A change: +1,234 / −56 / 0, "–" where a side has nothing printed."""
    if value is None:
        return "–"
    return f"{int(value):+,}" if value else "0"  # type: ignore[call-overload]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.publish", "templates"),
        autoescape=True,  # every template, whatever its name ends in
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(amount=amount, signed=signed)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
