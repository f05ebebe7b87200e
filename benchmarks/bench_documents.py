"""Documents benchmark: every certificate (Mẫu 03) of Đắk Hà (district 615, 2026), and the lists.

    .venv/bin/python benchmarks/bench_documents.py [--households N] [--workers 2] [--json OUT.json]

The district is generated in memory (18,100 households by default, ≈ 3,800 poor and near-poor:
one certificate page each). The timed part is what `district_documents` does per commune: build
the page contexts, draw the pages (reportlab, `rasoat.documents.certificate_pdf`) in chunks of
`CHUNK` pages and join them into one PDF per commune, the chunks spread over `--workers` processes.
Lists: the four lists of every commune as the decision's appendices (the decision's body through
WeasyPrint, the lists drawn with reportlab, `rasoat.documents.list_pdf`) and as XLSX, in rows per
second. Wall clock and this process's CPU time,
with the load average (the machine is shared). Target: all certificates in <= 60 s on the project's
2-core machine. Not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
from pypdf import PdfReader

from rasoat.documents.agency import commune_agency, district_agency, province_agency
from rasoat.documents.certificate_pdf import CertificateJob
from rasoat.documents.certificates import certificate_pages, certificates_view
from rasoat.documents.commune import decision_draft
from rasoat.documents.dates import place_and_date
from rasoat.documents.list_pdf import ListDocumentJob
from rasoat.documents.lists import household_lists
from rasoat.documents.pool import Job, render_documents, render_pdfs
from rasoat.documents.render import render_html
from rasoat.documents.xlsx import write_lists_xlsx
from rasoat.generate import build_district
from rasoat.movements import compute_movements, previous_round
from rasoat.pipeline.documents_stage import CHUNK
from rasoat.standards import standard_for_year

DISTRICT, YEAR = "615", 2026
TARGET_S = 60.0


def district_frames(households: int | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    hh, members, history, _ = build_district(DISTRICT, YEAR, seed=0, households=households)
    standard = standard_for_year(YEAR)
    previous = previous_round(history, YEAR, standard.first_year)
    moves = compute_movements(hh[["household_id", "status", "members"]], previous)
    moves = moves.loc[moves["status"].notna()].set_index("household_id")
    for column in ("poor_movement", "near_poor_movement"):
        hh[column] = hh["household_id"].map(moves[column].astype("object"))
    members = members.assign(birth_year=members["birth_date"].dt.year)
    return hh, members, history


def certificate_jobs(
    hh: pd.DataFrame, members: pd.DataFrame, history: pd.DataFrame
) -> tuple[list[list[Job]], int]:
    standard = standard_for_year(YEAR)
    district, province = district_agency(DISTRICT), province_agency("62")
    years = list(range(standard.first_year, YEAR + 1))
    htmls: list[list[Job]] = []
    pages_total = 0
    for code, mine in hh.groupby("commune_code", sort=True):
        agency = commune_agency(str(code))
        pages, _ = certificate_pages(
            agency, district.phrase, province.phrase, YEAR, standard, mine, members, history
        )
        for n, page in enumerate(pages, start=1):
            page["number"] = f"Số: {n:02d}/GCN-HN.HCN"
            page["date_line"] = place_and_date(agency.place, dt.date(2026, 11, 27))
        htmls.append(
            [
                CertificateJob(certificates_view(agency, YEAR, standard, pages[i : i + CHUNK], years))
                for i in range(0, max(len(pages), 1), CHUNK)
            ]
        )
        pages_total += len(pages)
    return htmls, pages_total


def list_jobs(hh: pd.DataFrame, out: Path) -> tuple[list[Job], int]:
    standard = standard_for_year(YEAR)
    district = district_agency(DISTRICT)
    jobs: list[Job] = []
    rows = 0
    for code, mine in hh.groupby("commune_code", sort=True):
        agency = commune_agency(str(code))
        lists = household_lists(mine)
        draft = decision_draft(agency, district, YEAR, standard, lists)
        view = {
            **draft.view,
            "agency": agency,
            "year": YEAR,
            "number": "Số: 02/QĐ-UBND",
            "date_line": place_and_date(agency.place, dt.date(2026, 11, 27)),
            "appendices": [
                {**a, "subtitle": "(Kèm theo Quyết định số 02/QĐ-UBND)"} for a in draft.view["appendices"]
            ],
        }
        body = render_html(draft.template, {**view, "appendices": []})
        jobs.append(ListDocumentJob(body, view["appendices"]))
        write_lists_xlsx(lists, out / f"danh-sach-{code}.xlsx", agency.unit_name, YEAR)
        rows += sum(len(v) for v in lists.values())
    return jobs, rows


def timed(fn):  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    hh, members, history = district_frames(args.households)
    load_before = os.getloadavg()
    (htmls, pages), t_ctx, _ = timed(lambda: certificate_jobs(hh, members, history))
    pdfs, t_pdf, _ = timed(lambda: render_documents(htmls, args.workers))
    with tempfile.TemporaryDirectory() as tmp:
        for i, pdf in enumerate(pdfs):
            Path(tmp, f"gcn-{i}.pdf").write_bytes(pdf)
        (ljobs, rows), t_lctx, _ = timed(lambda: list_jobs(hh, Path(tmp)))
        lpdfs, t_lpdf, _ = timed(lambda: render_pdfs(ljobs, args.workers))
    certificates_s = t_ctx + t_pdf
    lists_s = t_lctx + t_lpdf
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "district": DISTRICT,
        "households": len(hh),
        "workers": args.workers,
        "certificates": {
            "communes": len(htmls),
            "pages": pages,
            "context_s": round(t_ctx, 2),
            "chunk_pages": CHUNK,
            "pdf_s": round(t_pdf, 2),
            "total_s": round(certificates_s, 2),
            "pages_per_s": round(pages / certificates_s, 1),
            "pdf_bytes": sum(len(p) for p in pdfs),
            "target_s": TARGET_S,
            "met": certificates_s <= TARGET_S,
        },
        "lists": {
            "rows": rows,
            "html_and_xlsx_s": round(t_lctx, 2),
            "pdf_s": round(t_lpdf, 2),
            "total_s": round(lists_s, 2),
            "rows_per_s": round(rows / lists_s, 1),
            "pdf_pages": sum(len(PdfReader(io.BytesIO(p)).pages) for p in lpdfs),
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
