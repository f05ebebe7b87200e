"""PDF rendering across processes: WeasyPrint is pure Python under the GIL, so two cores need two
processes. Each job is one whole document (a commune's certificates, a decision with its lists)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

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
