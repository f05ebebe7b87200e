"""`rasoat demo`: a whole review round for Cam Lộ on generated data, end to end.

Generated commune files land in the round's inbox, last years' lists are imported as the baseline,
the `review_round` flow takes them through intake, validation, consolidation and the province's
approval, and an explicit demo approver answers the approval form the way `rasoat approve` does.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from rasoat.config import home

DEMO_DISTRICT = "468"  # Cam Lộ, Quảng Trị
DEMO_PROVINCE = "45"
DEMO_ACTOR = "demo"
DEMO_APPROVER = {
    "decision": "approve",
    "approver_name": "Người phê duyệt mẫu (demo)",
    "approver_position": "Chủ tịch Ủy ban nhân dân tỉnh (demo)",
    "decision_number": "01/QĐ-UBND (demo)",
    "reason": None,
}


def _approve_when_asked(console: Console, year: int, failures: list[BaseException]) -> None:
    from rasoat.operations.approval_client import answer_approval, wait_for_approval_request

    try:
        wait_for_approval_request(year, DEMO_PROVINCE, timeout_s=900)
        answer_approval(year, DEMO_PROVINCE, DEMO_APPROVER)
        console.print(
            f"[bold magenta]\\[demo][/] Phê duyệt bởi người phê duyệt MẪU: {DEMO_APPROVER['approver_name']}, "
            f"{DEMO_APPROVER['approver_position']}, QĐ {DEMO_APPROVER['decision_number']}"
        )
    except BaseException as exc:  # reported by the main thread
        failures.append(exc)


def r1_table(r1, title: str) -> Table:  # type: ignore[no-untyped-def]
    table = Table(title=title)
    for header in (
        "TT",
        "Đơn vị",
        "Số hộ",
        "Nhân khẩu",
        "Hộ nghèo",
        "Tỷ lệ %",
        "Hộ cận nghèo",
        "Tỷ lệ %",
        "Hộ MSTB",
    ):
        table.add_column(header, justify="left" if header in ("TT", "Đơn vị") else "right")
    for row in r1.to_dict("records"):
        style = "bold" if row["tt"] == "" else None
        table.add_row(
            str(row["tt"]),
            str(row["name"]),
            f"{row['households']:,}",
            f"{row['persons']:,}",
            f"{row['poor_households']:,}",
            ""
            if row["poor_households_rate"] != row["poor_households_rate"]
            else f"{row['poor_households_rate']:.2f}",
            f"{row['near_poor_households']:,}",
            ""
            if row["near_poor_households_rate"] != row["near_poor_households_rate"]
            else f"{row['near_poor_households_rate']:.2f}",
            f"{row['mstb_households']:,}",
            style=style,
        )
    return table


def run_demo(
    console: Console,
    year: int,
    seed: int,
    households: int | None,
    generate: Callable[..., object],
) -> None:
    from rasoat.admin_units import commune
    from rasoat.cli_render import movement_summary_table
    from rasoat.consolidation.stored import tables_from_json
    from rasoat.db import session_scope, shared_engine
    from rasoat.db.models import Consolidation
    from rasoat.pipeline.baseline import import_baseline
    from rasoat.pipeline.inbox import inbox_dir
    from rasoat.pipeline.outputs import commune_output_dir
    from rasoat.prefect_server import prefect_api
    from rasoat.standards import standard_for_year

    standard = standard_for_year(year)
    console.print(f"[bold]rasoat demo[/] — huyện Cam Lộ ({DEMO_DISTRICT}), năm {year}, {standard.name_vi}")
    generated = home() / "demo" / str(year) / DEMO_DISTRICT
    result = generate(DEMO_DISTRICT, year, generated, seed, households, 0.0)
    inbox = inbox_dir(year, DEMO_DISTRICT)
    inbox.mkdir(parents=True, exist_ok=True)
    for path in result.files:  # type: ignore[attr-defined]
        shutil.copy2(path, inbox / path.name)
    console.print(f"{len(result.files)} tệp của các xã đã vào hộp thư {inbox}")  # type: ignore[attr-defined]

    engine = shared_engine()
    console.print(f"Cơ sở dữ liệu: {engine.url.render_as_string(hide_password=True)}")
    with session_scope(engine) as session:
        imported = import_baseline(session, result.history_path, DEMO_DISTRICT, DEMO_ACTOR)  # type: ignore[attr-defined]
    console.print(
        f"Danh sách đã phê duyệt các năm {', '.join(map(str, imported.years))}: {imported.rows:,} dòng"
    )

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the demo prints its own summary
    with prefect_api() as (api_url, temporary):
        from flows.review_round import review_round

        console.print(
            f"Prefect: {api_url.removesuffix('/api')}" + (" (máy chủ tạm của bản demo)" if temporary else "")
        )
        failures: list[BaseException] = []
        approver = threading.Thread(target=_approve_when_asked, args=(console, year, failures), daemon=True)
        approver.start()
        with console.status("Đợt rà soát đang chạy: tiếp nhận → kiểm tra → tổng hợp → phê duyệt…"):
            outcome = review_round(year, district_code=DEMO_DISTRICT, actor=DEMO_ACTOR)
        approver.join(timeout=30)
    if failures:
        raise failures[0]

    with session_scope(engine) as session:
        record = session.get(Consolidation, outcome["consolidations"][DEMO_DISTRICT])
        district_tables = tables_from_json(record.tables)
    console.print(r1_table(district_tables["r1"], "Kết quả rà soát theo xã (R1)"))
    totals = {key: district_tables[key].loc[district_tables[key]["tt"] == ""] for key in ("r2", "r3")}
    console.print(movement_summary_table(totals["r2"], totals["r3"]))

    # The review_round flow wrote the documents (PDF, XLSX) of every commune, the district and the
    # province; the demo only says where they are.
    district_dir = commune_output_dir(year, result.files[0].stem).parent  # type: ignore[attr-defined]
    pdfs = sorted(district_dir.parent.rglob("*.pdf"))
    certificates = sum(1 for p in pdfs if p.name.startswith("giay-chung-nhan-"))
    approval = outcome["approval"]
    console.print(
        f"Phê duyệt: {approval['decision']} (mã băm dữ liệu {str(approval['data_sha256'])[:16]}), "  # type: ignore[index]
        "người phê duyệt là người MẪU của bản demo."
    )
    console.print(
        f"Văn bản (PDF): {len(pdfs)} tệp, trong đó {certificates} tệp giấy chứng nhận (một tệp mỗi xã), "
        f"dưới {district_dir.parent}"
    )
    decision_pdf = district_dir.parent / f"quyet-dinh-phe-duyet-{DEMO_PROVINCE}-{year}.pdf"
    console.print(f"Quyết định phê duyệt của tỉnh: {decision_pdf}")
    console.print(
        f"Bảng tổng hợp (XLSX): {district_dir / f'bang-tong-hop-huyen-{DEMO_DISTRICT}-{year}.xlsx'}\n"
        f"                       {district_dir.parent / f'bang-tong-hop-tinh-{DEMO_PROVINCE}-{year}.xlsx'}"
    )
    console.print(
        f"Phản hồi cho các xã: {commune_output_dir(year, commune(result.files[0].stem).code)}/phan-hoi/"
    )  # type: ignore[attr-defined]
