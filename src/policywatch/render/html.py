"""The report's pages as HTML: Jinja2 templates with autoescaping, policy text always data.

Every value a policy supplies (its text, its section names, a sentence, even its name in the
configuration) reaches a template as a variable and is escaped there; nothing of it is ever
marked safe or compiled as a template, so "{{ }}" in a policy is words like any others. Control
characters are dropped from every value on its way out (`_fit`): no page, and no entry of the
feed drawn here, ever holds one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .. import report
from .diffview import category_names
from .safe import for_markup

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STYLESHEET = TEMPLATES / "style.css"


def _iso(value: str) -> str:
    """A snapshot stamp (2022-12-02T18-34-05Z) or an ISO time, as an ISO time."""
    day, _, clock = value.partition("T")
    if clock and clock.count("-") == 2 and ":" not in clock:
        clock = clock.replace("-", ":")
    return f"{day}T{clock}" if clock else day


def _day(value: str) -> str:
    return value[:10]


def _moment(value: str) -> str:
    """ "2022-12-02 18:34 UTC" from a stamp or an ISO time."""
    iso = _iso(value)
    day, _, clock = iso.partition("T")
    return f"{day} {clock[:5]} UTC" if clock else day


def _upper_first(value: str) -> str:
    return value[:1].upper() + value[1:]


def _fit(value: Any) -> Any:
    """Every value a template writes, before it is escaped: text without control characters.
    Markup is what a macro drew, its own values already fitted."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return for_markup(value)
    return value


@pass_context
def _to(context: Context, target: str) -> str:
    """A link from the page being drawn to another file of the report."""
    return report.relative(str(context["page_path"]), target)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_fit,
    )
    env.filters.update(
        iso=_iso, day=_day, moment=_moment, upper_first=_upper_first, names=category_names
    )
    env.globals.update(
        to=_to,
        policy_page=report.policy_page,
        change_page=report.change_page,
        text_page=report.text_page,
        raw_copy=report.raw_copy,
    )
    return env


def page(template: str, page_path: str, **context: Any) -> bytes:
    """One page of the report, drawn for its place in the folder (links are relative)."""
    root = report.relative(page_path, "")
    html = environment().get_template(template).render(page_path=page_path, root=root, **context)
    return html.encode("utf-8")


def fragment(template: str, **context: Any) -> str:
    """A piece of HTML for elsewhere than the report's folder (an entry of the feed): drawn
    with the same autoescaping, and linking nowhere."""
    return environment().get_template(template).render(**context)


def stylesheet() -> bytes:
    return STYLESHEET.read_bytes()


def templates_digest() -> str:
    """What the pages' look depends on: every template and the stylesheet, by content."""
    parts = [
        (p.name, p.read_bytes().decode("utf-8")) for p in sorted(TEMPLATES.iterdir()) if p.is_file()
    ]
    return report.key(parts)
