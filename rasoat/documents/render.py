"""Templates → HTML → PDF, and writing files all-or-nothing.

Jinja2 runs with StrictUndefined: a missing value fails the render loudly instead of printing an
empty field in a signed document. WeasyPrint lays the HTML out (Pango + fontconfig give Liberation
Serif for "Times New Roman"). The certificates, the household lists of the notice and the decision,
and the charts and tables R1–R11 of the district report and the province decision are not HTML:
reportlab draws them (`certificate_pdf`, `list_pdf`, `table_pdf` on `grid_pdf`, `chart_pdf`); the
bodies of those four documents are rendered here. Files are written to a temporary name in the
same folder and renamed into place; files with names or CCCD numbers are created with mode 0600.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from rasoat.config import PROJECT_ROOT
from rasoat.documents.grid import thousands

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "documents"
PRIVATE = 0o600
SHARED = 0o644


class TemplateRenderError(RuntimeError):
    """A document template failed to render (a missing value, a syntax error)."""


@cache
def template_environment(directory: Path) -> jinja2.Environment:
    """The templates of one folder: escaped, strict about missing values, numbers with Vietnamese
    thousands separators. One environment per folder and process (its template cache)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = thousands
    return env


def environment() -> jinja2.Environment:
    return template_environment(TEMPLATE_DIR)


def render_html(template: str, view: dict[str, Any]) -> str:
    try:
        return environment().get_template(template).render(v=view)
    except jinja2.TemplateError as exc:
        # The message names the template and the missing name, never a value (values can be names).
        raise TemplateRenderError(f"template {template}: {type(exc).__name__}: {exc.message}") from exc


FONT_EPOCH = "0"  # the embedded fonts' "modified" date: fixed, so unchanged data keeps its bytes
_RENDERING = threading.Lock()  # one render at a time sets and restores the variable (GIL-bound anyway)


@contextmanager
def _fixed_font_dates() -> Iterator[None]:
    """Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which stamps each subset
    with the current time (`head.modified`): the same document rendered a second later got other
    bytes, and the register would see a changed file. fontTools takes the time from
    SOURCE_DATE_EPOCH when it is set (reproducible builds); set only while rendering."""
    with _RENDERING:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = FONT_EPOCH if before is None else before
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]


@cache
def _font_config() -> Any:
    """One WeasyPrint font configuration per process: each render otherwise sets fontconfig up
    again (a sixth of a commune's three bodies; the same bytes)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(html: str) -> bytes:
    import weasyprint  # imported on first use: ≈ 0.5 s, not needed by the rest of the CLI

    with _fixed_font_dates():  # its lock also keeps the shared font configuration to one render
        return weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf(font_config=_font_config())


def write_atomic(path: Path, data: bytes, *, private: bool) -> str:
    """Write `data` to `path` via a temporary file and a rename; returns its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, PRIVATE if private else SHARED)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return hashlib.sha256(data).hexdigest()


def write_temp(path: Path, data: bytes, *, private: bool) -> tuple[Path, str]:
    """The first half of an atomic write: the bytes in a temporary file beside `path` (renamed into
    place with `os.replace` once the register has accepted the document)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, PRIVATE if private else SHARED)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(tmp), hashlib.sha256(data).hexdigest()
