"""The consolidated tables R1–R11 (the district report's and the province decision's appendices)
drawn with reportlab.

`grid_pdf` draws them on A4 landscape pages: merged header cells spanning columns and rows, the
`compact` grid for the widest tables, totals bold, numbers right-aligned; a province decision's
thousands of table rows take seconds. The charts that open the annex come first (`chart_pdf`). The
body stays on Jinja2 + WeasyPrint (`appendix_pdf`: body, then the charts and tables numbered on,
one PDF, same bytes for unchanged data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rasoat.documents.appendix_pdf import AppendixJob, appendix_document_pdf

TABLE_DOCUMENTS = ("district_report", "province_decision")  # the draft kinds with table appendices


@dataclass(frozen=True)
class TableDocumentJob(AppendixJob):
    """A district report or a province decision: its body as HTML, and its chart pages and tables
    (`chart_pages`, `table_appendices` entries with a `subtitle`) to draw after it on landscape
    pages."""

    landscape: ClassVar[bool] = True
    row_cost: ClassVar[int] = 250  # ≈ 2.5 list rows: a table row has 12–20 cells


table_document_pdf = appendix_document_pdf

__all__ = ["TABLE_DOCUMENTS", "TableDocumentJob", "table_document_pdf"]
