"""PDF rendering across processes: WeasyPrint is pure Python under the GIL, so two cores need two
processes. A job is one document, or one chunk of a long one: WeasyPrint's layout time grows faster
than the page count (≈ 12 pages/s for 28 certificate pages, ≈ 9 for 84), and chunks keep both
processes busy until the end. Chunks are joined with pypdf (≈ 3 ms a page, deterministic bytes).
"""

from __future__ import annotations

import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from pypdf import PdfReader, PdfWriter

from rasoat.documents.render import html_to_pdf


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def render_pdfs(htmls: list[str], workers: int | None = None) -> list[bytes]:
    """PDF bytes of each HTML document, in order; the largest documents are started first."""
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(htmls) <= 1:
        return [html_to_pdf(h) for h in htmls]
    order = sorted(range(len(htmls)), key=lambda i: -len(htmls[i]))
    context = multiprocessing.get_context("spawn")  # no fork of a process holding DB connections
    with ProcessPoolExecutor(max_workers=min(workers, len(htmls)), mp_context=context) as pool:
        results = dict(zip(order, pool.map(html_to_pdf, [htmls[i] for i in order]), strict=True))
    return [results[i] for i in range(len(htmls))]


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of the parts' pages, in order."""
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_documents(documents: list[list[str]], workers: int | None = None) -> list[bytes]:
    """Each document given as its chunks' HTML: every chunk rendered in the pool, then joined."""
    flat = [html for chunks in documents for html in chunks]
    pdfs = iter(render_pdfs(flat, workers))
    return [join_pdfs([next(pdfs) for _ in chunks]) for chunks in documents]
