"""PDF rendering across processes: WeasyPrint and reportlab are pure Python under the GIL, so two
cores need two processes. A job is one document, or one chunk of a long one: HTML for WeasyPrint; a
`CertificateJob` drawn with reportlab (`rasoat.documents.certificate_pdf`); or an `AppendixJob`, a
document whose body goes through WeasyPrint and whose appendices are drawn with reportlab in the
same worker, which needs the body's page count to number the appendix pages
(`rasoat.documents.appendix_pdf`): a notice or decision with its household lists
(`ListDocumentJob`, `list_pdf`), a district report or the province decision with its tables R1–R11
(`TableDocumentJob`, `table_pdf`). Chunks keep both processes busy until the end and are joined
with pypdf (deterministic bytes).
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pypdf import PdfReader, PdfWriter

from rasoat.documents.appendix_pdf import AppendixJob, appendix_document_pdf
from rasoat.documents.certificate_pdf import CertificateJob, certificates_pdf
from rasoat.documents.render import html_to_pdf

Job = str | CertificateJob | AppendixJob  # AppendixJob: ListDocumentJob, TableDocumentJob


def render_job(job: Job) -> bytes:
    """PDF bytes of one job (module level: the pool pickles it by name)."""
    if isinstance(job, CertificateJob):
        return certificates_pdf(job)
    if isinstance(job, AppendixJob):
        return appendix_document_pdf(job)
    return html_to_pdf(job)


def _size(job: Job) -> int:
    if isinstance(job, CertificateJob):
        return len(job.view["pages"]) * 4000
    if isinstance(job, AppendixJob):
        return job.size()
    return len(job)


# reportlab's fonts are process-wide objects that every drawing updates: threads of one process (a
# round's communes, tasks on a thread runner or a Dask worker's threads) render one at a time, which
# costs nothing, the work being GIL-bound anyway.
_in_process = threading.Lock()


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


# Below this many units (≈ 2–3 s of drawing in one process: measured 3–11 µs a unit) a batch is
# drawn here when no pool is running yet: starting one costs ≈ 1.6 s and 3.5 s of CPU (two
# interpreters importing WeasyPrint and reportlab), as much as the second core saves on such a batch,
# and a flow run's process often draws one small commune and ends. A running pool serves every batch.
POOL_MIN_SIZE = 600_000


def render_pdfs(htmls: list[Job], workers: int | None = None) -> list[bytes]:
    """PDF bytes of each job, in order; the largest documents are started first."""
    workers = default_workers() if workers is None else workers
    small = workers not in _pools and sum(_size(h) for h in htmls) < POOL_MIN_SIZE
    if workers <= 1 or len(htmls) <= 1 or small:
        with _in_process:
            return [render_job(h) for h in htmls]
    order = sorted(range(len(htmls)), key=lambda i: -_size(htmls[i]))
    pool = _pool(workers)
    try:
        results = dict(zip(order, pool.map(render_job, [htmls[i] for i in order]), strict=True))
    except BrokenProcessPool:  # a worker died (killed, out of memory): the next call starts afresh
        _forget(workers)
        raise
    return [results[i] for i in range(len(htmls))]


_pools: dict[int, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per size, kept for the process's life: a round writes its districts' documents one
    after another, and starting two interpreters that import WeasyPrint and reportlab again cost
    ≈ 1–2 s per district. Spawned, not forked: the parent holds database connections."""
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            context = multiprocessing.get_context("spawn")
            pool = _pools[workers] = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            if len(_pools) == 1:
                atexit.register(_shutdown)
        return pool


def _forget(workers: int) -> None:
    with _pools_lock:
        pool = _pools.pop(workers, None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _shutdown() -> None:
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


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


def render_documents(documents: list[list[Job]], workers: int | None = None) -> list[bytes]:
    """Each document given as its chunks (HTML, certificate or appendix-document jobs), rendered in
    the pool, then joined."""
    flat = [html for chunks in documents for html in chunks]
    pdfs = iter(render_pdfs(flat, workers))
    return [join_pdfs([next(pdfs) for _ in chunks]) for chunks in documents]
