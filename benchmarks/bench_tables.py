"""Table appendices benchmark: the province decision (R1–R11 for every district and commune) and a
district report, rendered as the documents stage renders them, in one process.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_tables.py [--province 42] [--json OUT.json]

The province's tables come from generated districts (Hà Tĩnh: 12 districts, 210 communes, with the
scale benchmark's synthetic profiles; a few households a commune: the tables' size depends on the
communes, not the households), consolidated as the approval stage does, cached in the work
directory. Timed: the decision's and the district report's PDFs from their full views through
`_document_jobs` + `render_documents` (one worker), and the appendices alone.
Target: the province decision's appendices in <= 3 s in one process. Not a timed test. `--keep`
writes the PDFs (to read them with pdftotext or pdftoppm).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import pickle
import platform
import time
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from rasoat.admin_units import communes_of, districts
from rasoat.consolidation import (
    ConsolidatedTables,
    consolidate,
    consolidate_province,
)
from rasoat.documents.agency import district_agency, province_agency, signature_for_position
from rasoat.documents.appendix_pdf import draw_appendices
from rasoat.documents.drafts import Draft
from rasoat.documents.higher import district_report_draft, province_decision_draft
from rasoat.documents.pool import render_documents
from rasoat.generate.review import generated_review
from rasoat.pipeline.approval_stage import province_unit
from rasoat.pipeline.documents_stage import _document_jobs, _full_view
from rasoat.standards import standard_for_year

YEAR = 2026
TARGET_S = 3.0
DATE = dt.date(2027, 1, 5)


def district_tables(code: str, per_commune: int) -> ConsolidatedTables:
    households = per_commune * len(communes_of(code))
    return consolidate(generated_review(code, YEAR, seed=1, households=households).input)


def province_tables(province: str, work: Path, per_commune: int = 15) -> list[ConsolidatedTables]:
    """The districts' tables then the province's (last), cached in `work`."""
    cache = work / f"tables-{province}-{per_commune}.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    codes = districts().loc[lambda d: d["province_code"] == province, "district_code"]
    parts = [district_tables(str(c), per_commune) for c in codes]
    done = [*parts, consolidate_province(parts, province_unit(province))]
    work.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(done))
    return done


def decision_draft(tables: ConsolidatedTables) -> Draft:
    agency = province_agency(tables.unit.code)
    signature = signature_for_position("Phó Chủ tịch UBND tỉnh", "Người Ký")
    return province_decision_draft(agency, standard_for_year(YEAR), tables, signature)


def report_draft(tables: ConsolidatedTables, province: str) -> Draft:
    agency = district_agency(tables.unit.code)
    return district_report_draft(agency, province_agency(province), standard_for_year(YEAR), tables)


def timed(draft: Draft, symbol: str) -> dict[str, Any]:
    view = _full_view(draft, symbol, DATE, "Quyết định")
    started = time.perf_counter()
    pdf = render_documents([_as_list(_document_jobs(draft, view))], workers=1)[0]
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    draw_appendices(view["appendices"], 3, landscape=True)
    appendix_s = round(time.perf_counter() - started, 3)
    rows = sum(len(a["table"].rows) + len(a["table"].header_rows) for a in view["appendices"])
    return {
        "kind": draft.kind,
        "path": "reportlab",
        "rows": rows,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "seconds": round(seconds, 3),
        "appendices_s": appendix_s,
        "pdf": pdf,
    }


def _as_list(jobs: Any) -> list[Any]:
    return jobs if isinstance(jobs, list) else [jobs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--province", default="42")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/rasoat-bench-tables"))
    parser.add_argument("--keep", type=Path, help="write the PDFs to this folder")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import scale_data  # benchmarks/ is on sys.path when this file is run

    scale_data.use_data_dir(args.work_dir)  # profiles for Hà Tĩnh's districts
    *parts, province = province_tables(args.province, args.work_dir)
    largest = max(parts, key=lambda t: len(t["r1"]))
    load_before = os.getloadavg()[0]
    results = []
    results.append(timed(decision_draft(province), "14/QĐ-UBND"))
    results.append(timed(report_draft(largest, args.province), "01/BC-UBND"))
    for r in results:
        pdf = r.pop("pdf")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"{r['kind']}-{r['path']}.pdf").write_bytes(pdf)
        print(json.dumps(r, ensure_ascii=False))
    if args.json:
        report = {
            "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
            "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "province": args.province,
            "target_appendices_s": TARGET_S,
            "results": results,
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
