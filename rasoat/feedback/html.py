"""The HTML page: one Jinja2 template, autoescaped, self-contained (inline CSS, no scripts)."""

from __future__ import annotations

from functools import cache

import jinja2

from rasoat.config import PROJECT_ROOT
from rasoat.feedback.view import FeedbackView, thousands

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "feedback"
TEMPLATE = "phan_hoi.html.j2"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,  # every template, whatever its extension: values come from commune files
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = thousands
    return env


def render_html(view: FeedbackView) -> str:
    return environment().get_template(TEMPLATE).render(v=view)
