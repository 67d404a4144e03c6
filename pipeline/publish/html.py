"""The Jinja environment of every page renkei publishes: templates from this package, autoescape on for every
template (a build's strings are text read from a PDF, so never markup), no undefined name passes silently.
``renkei.css`` is included inline, so a page is one offline file (plus its images)."""

from __future__ import annotations

from functools import lru_cache

import jinja2


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.publish", "templates"),
        autoescape=True,  # every template, whatever its name ends in
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
