"""The household lists (Phụ lục I–IV of the commune's notice and decision) drawn with reportlab.

`grid_pdf` draws the lists on A4 portrait pages, fast enough for a province's tens of thousands of
rows (each drawn twice: notice and decision). The notice and the decision keep their body on
Jinja2 + WeasyPrint (`appendix_pdf`: body, then the lists numbered on, one PDF, same bytes for
unchanged data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasoat.documents.appendix_pdf import AppendixJob, appendix_document_pdf, draw_appendices


@dataclass(frozen=True)
class ListDocumentJob(AppendixJob):
    """A notice or a decision: its body as HTML, and its lists (`list_appendices` entries with a
    `subtitle`) to draw after it on portrait pages. A list row takes ≈ 1/40 of a certificate page's
    time."""


def appendices_pdf(appendices: list[dict[str, Any]], first_page: int) -> bytes:
    """PDF bytes of the lists, each from a new page, numbered from `first_page`."""
    return draw_appendices(appendices, first_page)[0]


list_document_pdf = appendix_document_pdf

__all__ = ["ListDocumentJob", "appendices_pdf", "list_document_pdf"]
