"""Chart pages benchmark: what the rates and movements charts of a province's communes cost the
province decision (and a district report), drawn as the documents stage draws them, in one process.

    .venv/bin/python benchmarks/bench_charts.py [--province 42] [--province 79] [--json OUT.json] [--keep DIR]

The charts' figures are synthetic (`ChartData` with the province's units of the 2026 map, rates and
movements drawn from a seeded generator): what the drawing costs depends on the number of units,
not on the households. Timed, each best of `--repeat`: the chart pages alone (`chart_pages` +
`draw_appendices`, reportlab), and a decision-shaped job (a one-page body through WeasyPrint, the
chart pages after it, joined with pypdf) against the same job without charts; the difference is
what the charts cost the document. `--overview` also times the round overview page's SVGs of the
same charts (`charts`: the same painter on an SVG canvas), the first call of the process apart (it
loads the fonts' metrics), and gives their size. Targets: <= 3 s for the documents' charts of a 69-
and of a 168-unit province, <= 0.3 s for the overview page's. Not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
from pypdf import PdfReader

from rasoat.admin.maps import admin_map
from rasoat.consolidation.chart_data import ChartData, UnitMovements, UnitRates
from rasoat.documents.appendix_pdf import draw_appendices
from rasoat.documents.higher import chart_pages
from rasoat.documents.table_pdf import TableDocumentJob, table_document_pdf

YEAR = 2026
TARGET_S = 3.0
OVERVIEW_TARGET_S = 0.3
SUBTITLE = "(Kèm theo Quyết định số 14/QĐ-UBND ngày 05/01/2027 của Ủy ban nhân dân tỉnh)"
BODY = (
    '<html lang="vi"><head><meta charset="utf-8"><title>QUYẾT ĐỊNH</title>'
    '<style>@page { size: A4; margin: 20mm 15mm 20mm 30mm } html { font-family: "Liberation Serif" }</style>'
    "</head><body><h1>QUYẾT ĐỊNH</h1><p>Phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo.</p></body></html>"
)


def synthetic_chart(province: str, seed: int = 7) -> ChartData:
    """The province's units of the review year's map with made-up rates (0.2–14 %, last year's
    within ±1.5 points) and movements (up to 400 households escaped)."""
    units = admin_map(YEAR).units
    units = units.loc[units["province_code"] == province]
    rng = np.random.default_rng(seed)
    n = len(units)
    poor, near = rng.uniform(0.2, 14, n).round(2), rng.uniform(0.5, 9, n).round(2)
    poor_before = (poor + rng.normal(0, 1.5, n).clip(-poor + 0.1)).round(2)
    near_before = (near + rng.normal(0, 1.0, n).clip(-near + 0.1)).round(2)
    codes, names = [str(c) for c in units.index], [str(x) for x in units["name"]]
    rates = [
        UnitRates(c, name, float(a), float(b), float(p), float(q))
        for c, name, a, b, p, q in zip(codes, names, poor, near, poor_before, near_before, strict=True)
    ]
    rates.sort(key=lambda u: (-(u.poor or 0.0), u.code))
    escaped, re_poor, newly = rng.integers(0, 400, n), rng.integers(0, 30, n), rng.integers(0, 120, n)
    moves = [
        UnitMovements(c, name, int(e), int(r), int(w))
        for c, name, e, r, w in zip(codes, names, escaped, re_poor, newly, strict=True)
    ]
    moves.sort(key=lambda m: (-m.escaped, m.code))
    name = str(units["province_name"].iloc[0])
    return ChartData(
        unit_code=province,
        unit_name=name,
        unit_level="province",
        child_level="commune",
        year=YEAR,
        total=UnitRates(province, name, *(float(v.mean()) for v in (poor, near, poor_before, near_before))),
        rates=tuple(rates),
        movements=tuple(moves),
        total_movements=UnitMovements(province, name, *(int(v.sum()) for v in (escaped, re_poor, newly))),
        has_previous=True,
    )


def best(repeat: int, run: Any) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - started)
    return round(min(times), 3), out


def measure(province: str, repeat: int, overview: bool, keep: Path | None) -> dict[str, Any]:
    chart = synthetic_chart(province)

    def pages() -> list[dict[str, Any]]:
        return [{**p, "subtitle": SUBTITLE} for p in chart_pages(chart, two_tier=True)]

    load_before = os.getloadavg()[0]
    charts_s, (drawn, _) = best(repeat, lambda: draw_appendices(pages(), 2, landscape=True))
    with_s, pdf = best(repeat, lambda: table_document_pdf(TableDocumentJob(BODY, pages())))
    without_s, _ = best(repeat, lambda: table_document_pdf(TableDocumentJob(BODY, [])))
    again = table_document_pdf(TableDocumentJob(BODY, pages()))
    result: dict[str, Any] = {
        "province": province,
        "units": len(chart.rates),
        "chart_pages": len(pages()),
        "charts_drawn_s": charts_s,
        "document_with_charts_s": with_s,
        "document_without_charts_s": without_s,
        "charts_in_document_s": round(with_s - without_s, 3),
        "pdf_bytes": len(pdf),
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "same_bytes_twice": again == pdf,
        "sha256": hashlib.sha256(pdf).hexdigest(),
    }
    if overview:
        from rasoat.documents.charts import movements_chart_svgs, rates_chart_svgs

        def svgs() -> list[str]:
            return rates_chart_svgs(chart) + movements_chart_svgs(chart)

        result["overview_svgs_s"], drawn_svgs = best(repeat, svgs)
        result["overview_svgs"] = len(drawn_svgs)
        result["overview_svg_bytes"] = sum(len(svg.encode()) for svg in drawn_svgs)
        result["overview_same_bytes_twice"] = svgs() == drawn_svgs
    result["load_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"charts-{province}.pdf").write_bytes(pdf)
        (keep / f"charts-only-{province}.pdf").write_bytes(drawn)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--province", action="append", help="map code (repeatable); default 42 and 79")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--overview", action="store_true", help="also time the overview page's SVGs")
    parser.add_argument("--keep", type=Path, help="write the PDFs to this folder")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    first_call = None
    if args.overview:  # before anything else has loaded the fonts' metrics
        from rasoat.documents.charts import rates_chart_svgs

        warm = synthetic_chart("01")
        started = time.perf_counter()
        rates_chart_svgs(warm)
        first_call = round(time.perf_counter() - started, 3)
        print(json.dumps({"overview_first_call_s": first_call}))
    table_document_pdf(TableDocumentJob(BODY, []))  # WeasyPrint's import and fonts, not timed
    draw_appendices([{**p, "subtitle": SUBTITLE} for p in chart_pages(synthetic_chart("01"))[:1]], 2, True)
    results = []
    for province in args.province or ["42", "79"]:
        result = measure(province, args.repeat, args.overview, args.keep)
        print(json.dumps({k: v for k, v in result.items() if k != "sha256"}, ensure_ascii=False))
        results.append(result)
    if args.json:
        report = {
            "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
            "target_s": TARGET_S,
            "overview_target_s": OVERVIEW_TARGET_S,
            "overview_first_call_s": first_call,
            "results": results,
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
