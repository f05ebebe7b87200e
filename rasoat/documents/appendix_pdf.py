"""A document whose body goes through Jinja2 + WeasyPrint and whose appendices are drawn with
reportlab (`grid_pdf`; the charts that open the annex of the district report and the province
decision with `chart_pdf`), joined into one PDF.

`appendix_document_pdf` renders the body, counts its pages, draws the appendices numbered from the
next page and joins both (pypdf), with the appendices' headings in the outline under the body's
title, as WeasyPrint made it, and the body's metadata. The output is deterministic (`invariant`):
unchanged data gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, ClassVar

from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from rasoat.documents.certificate_pdf import register_fonts
from rasoat.documents.chart_pdf import draw_chart_page
from rasoat.documents.grid_pdf import COMPACT, LANDSCAPE, NORMAL, PORTRAIT, GridDrawer
from rasoat.documents.render import html_to_pdf


@dataclass(frozen=True)
class AppendixJob:
    """A document: its body as HTML, and its appendices (`heading`, `title`, `subtitle`, `table`, and
    `compact` for the smaller grid; or a chart page, `chart_pdf.chart_appendices`) to draw after
    it. Pickled to a pool worker."""

    body_html: str
    appendices: list[dict[str, Any]]
    landscape: ClassVar[bool] = False  # the appendices on landscape pages (the tables R1–R11)
    row_cost: ClassVar[int] = 100  # a row's cost in the pool's units (HTML characters)
    chart_rows: ClassVar[int] = 12  # a chart page draws in ≈ 6 ms, a table row in ≈ 0.5 ms

    def size(self) -> int:
        """A rough cost in the pool's units (a certificate page is 4,000)."""
        rows = sum(len(a["table"].rows) for a in self.appendices if "table" in a)
        charts = sum(1 for a in self.appendices if "chart" in a)
        return len(self.body_html) + self.row_cost * (rows + self.chart_rows * charts)


def draw_appendices(
    appendices: list[dict[str, Any]], first_page: int, landscape: bool = False
) -> tuple[bytes, list[int]]:
    """The appendices' PDF bytes, each from a new page numbered on from `first_page`, and the page
    (from 0) on which each starts."""
    buf = io.BytesIO()
    box = LANDSCAPE if landscape else PORTRAIT
    canvas = Canvas(
        buf,
        pagesize=(box.width, box.height),
        invariant=1,
        pageCompression=1,
        initialFontName=register_fonts()["R"],
    )
    drawer = GridDrawer(canvas, first_page, box)
    for a in appendices:
        if "chart" in a:
            draw_chart_page(drawer, a)
        else:
            drawer.appendix(a, COMPACT if a.get("compact") else NORMAL)
    if drawer.page_open:
        drawer.finish_page()
    canvas.save()
    return buf.getvalue(), drawer.starts


def appendix_document_pdf(job: AppendixJob) -> bytes:
    """The body (WeasyPrint) followed by the appendices (reportlab), as one PDF with the body's
    metadata and page numbers running on."""
    body = html_to_pdf(job.body_html)
    if not job.appendices:
        return body
    reader = PdfReader(io.BytesIO(body))
    pages = len(reader.pages)
    drawn, starts = draw_appendices(job.appendices, pages + 1, job.landscape)
    writer = PdfWriter()
    writer.append(reader)
    writer.append(PdfReader(io.BytesIO(drawn)))
    h1 = writer.get_outline_root().get("/First")  # the body's h1 (THÔNG BÁO, QUYẾT ĐỊNH, BÁO CÁO)
    for a, start in zip(job.appendices, starts, strict=True):
        writer.add_outline_item(title=a["heading"], page_number=pages + start, parent=h1)
        writer.add_outline_item(title=a["title"], page_number=pages + start, parent=h1)
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
