"""The consolidated tables R1–R11 (the district report's and the province decision's appendices)
drawn with reportlab.

WeasyPrint laid out ≈ 60–70 table rows a second: ≈ 41–48 s for a province decision's 11 tables
(2,932 rows, 204 pages with the body), 5–9 s a district report (`benchmarks/bench_tables.py`).
`grid_pdf` draws them on A4 landscape pages as the `table_appendix` macro of `_parts.html.j2` lays
them out (merged header cells spanning columns and rows, the `compact` grid for the widest tables)
in ≈ 1.5 s, with the same page breaks. The body stays on Jinja2 + WeasyPrint (`appendix_pdf`:
body, then the tables numbered on, one PDF, same bytes for unchanged data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rasoat.documents.appendix_pdf import AppendixJob, appendix_document_pdf

TABLE_DOCUMENTS = ("district_report", "province_decision")  # the draft kinds with table appendices


@dataclass(frozen=True)
class TableDocumentJob(AppendixJob):
    """A district report or a province decision: its body as HTML, and its tables
    (`table_appendices` entries with a `subtitle`) to draw after it on landscape pages."""

    landscape: ClassVar[bool] = True
    row_cost: ClassVar[int] = 250  # ≈ 2.5 list rows: a table row has 12–20 cells


table_document_pdf = appendix_document_pdf

__all__ = ["TABLE_DOCUMENTS", "TableDocumentJob", "table_document_pdf"]
