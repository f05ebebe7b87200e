"""`rasoat demo`: a whole review round on generated data, end to end.

By default the round of this autumn on today's map: two communes of the new Quảng Trị (44), Xã Cam
Lộ and Xã Hiếu Giang, consolidated by the province, with last years' lists recorded under the eight
old Cam Lộ codes re-homed across the 2025 merger. `--legacy` runs a district round of the three-level
map instead (Cam Lộ, district 468, 2024). Generated commune files land in the round's inbox, last
years' lists are imported as the baseline, the `review_round` flow takes them through intake,
validation, consolidation and the province's approval, and an explicit demo approver answers the
approval form the way `rasoat approve` does.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from rasoat.config import home
from rasoat.generate import GenerationResult

DEMO_ACTOR = "demo"


@dataclass(frozen=True)
class DemoRound:
    year: int
    province: str
    district: str | None  # a district round of the three-level map; None: the province's communes
    communes: tuple[str, ...] = ()  # the two-tier demo's units (the others are left out, recorded)
    title: str = ""

    @property
    def scope_code(self) -> str:
        return self.district or self.province


# Today's map: new Quảng Trị; 19597 (Xã Cam Lộ, formerly Thị trấn Cam Lộ) and 19603 (Xã Hiếu
# Giang) were formed from the eight communes of the old district of Cam Lộ.
TWO_TIER_DEMO = DemoRound(
    2026, "44", None, ("19597", "19603"), "Xã Cam Lộ và Xã Hiếu Giang, tỉnh Quảng Trị (44)"
)
LEGACY_DEMO = DemoRound(2024, "45", "468", (), "huyện Cam Lộ (468), tỉnh Quảng Trị cũ (45)")
WITHOUT_OTHERS = (
    "Bản trình diễn: dữ liệu mẫu chỉ có hai xã Cam Lộ và Hiếu Giang; các xã khác của tỉnh không tham gia"
)
DEMO_APPROVER = {
    "decision": "approve",
    "approver_name": "Người phê duyệt mẫu (demo)",
    "approver_position": "Chủ tịch Ủy ban nhân dân tỉnh (demo)",
    "decision_number": "01/QĐ-UBND (demo)",
    "reason": None,
}


def _approve_when_asked(console: Console, year: int, province: str, failures: list[BaseException]) -> None:
    from rasoat.operations.approval_client import answer_approval, wait_for_approval_request

    try:
        wait_for_approval_request(year, province, timeout_s=900)
        answer_approval(year, province, DEMO_APPROVER)
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


def _generate(
    plan: DemoRound, out: Path, seed: int, households: int | None, legacy_generate: Callable[..., object]
) -> GenerationResult:
    if plan.district:
        made = legacy_generate(plan.district, plan.year, out, seed, households, 0.0)
        assert isinstance(made, GenerationResult)
        return made
    from rasoat.generate import generate_communes  # the two-tier units' generator

    return generate_communes(
        plan.province, plan.year, list(plan.communes), out, seed=seed, households=households
    )


def _import_baseline(session: Session, plan: DemoRound, result: GenerationResult) -> object:
    from rasoat.pipeline.baseline import import_baseline, import_province_baseline

    if plan.district:
        return import_baseline(session, result.history_path, plan.district, DEMO_ACTOR)
    assignments = result.history_path.parent / "assignments.csv"
    return import_province_baseline(
        session,
        result.history_path,
        plan.province,
        DEMO_ACTOR,
        assignments=assignments if assignments.is_file() else None,
    )


def run_demo(
    console: Console,
    plan: DemoRound,
    seed: int,
    households: int | None,
    generate: Callable[..., object],
) -> None:
    from rasoat.admin.scope import scope
    from rasoat.cli_render import movement_summary_table
    from rasoat.consolidation.stored import tables_from_json
    from rasoat.db import session_scope, shared_engine
    from rasoat.db.models import Consolidation
    from rasoat.pipeline.inbox import inbox_dir
    from rasoat.pipeline.outputs import commune_output_dir, province_output_dir, scope_output_dir
    from rasoat.prefect_server import prefect_api
    from rasoat.standards import standard_for

    year = plan.year
    unit = scope(year, plan.scope_code)
    standard = standard_for(year, plan.province)
    console.print(f"[bold]rasoat demo[/] — {plan.title}, năm {year}, {standard.name_vi}")
    generated = home() / "demo" / str(year) / unit.code
    result = _generate(plan, generated, seed, households, generate)
    inbox = inbox_dir(year, unit.code)
    inbox.mkdir(parents=True, exist_ok=True)
    for path in result.files:
        shutil.copy2(path, inbox / path.name)
    console.print(f"{len(result.files)} tệp của các xã đã vào hộp thư {inbox}")

    engine = shared_engine()
    console.print(f"Cơ sở dữ liệu: {engine.url.render_as_string(hide_password=True)}")
    with session_scope(engine) as session:
        imported = _import_baseline(session, plan, result)
    console.print(
        f"Danh sách đã phê duyệt các năm {', '.join(map(str, imported.years))}: {imported.rows:,} dòng"
        + ("" if plan.district else ", chuyển từ mã xã cũ sang xã mới theo bảng chuyển đổi")
    )

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the demo prints its own summary
    with prefect_api() as (api_url, temporary):
        from flows.review_round import review_round

        console.print(
            f"Prefect: {api_url.removesuffix('/api')}" + (" (máy chủ tạm của bản demo)" if temporary else "")
        )
        failures: list[BaseException] = []
        approver = threading.Thread(
            target=_approve_when_asked, args=(console, year, plan.province, failures), daemon=True
        )
        approver.start()
        with console.status("Đợt rà soát đang chạy: tiếp nhận → kiểm tra → tổng hợp → phê duyệt…"):
            if plan.district:
                outcome = review_round(year, district_code=plan.district, actor=DEMO_ACTOR)
            else:
                outcome = review_round(
                    year,
                    province_code=plan.province,
                    actor=DEMO_ACTOR,
                    without_missing=True,
                    reason=WITHOUT_OTHERS,
                )
        approver.join(timeout=30)
    if failures:
        raise failures[0]

    with session_scope(engine) as session:
        record = session.get(Consolidation, outcome["consolidations"][unit.code])
        tables = tables_from_json(record.tables)
    r1 = tables["r1"]
    # The demo's province has data for two of its communes only; the others are left out by the
    # recorded decision, and the terminal shows the ones that took part.
    console.print(r1_table(r1.loc[~r1["no_data"].astype(bool)], "Kết quả rà soát theo xã (R1)"))
    totals = {key: tables[key].loc[tables[key]["tt"] == ""] for key in ("r2", "r3")}
    where = "toàn huyện" if plan.district else "các xã của tỉnh có dữ liệu"
    console.print(movement_summary_table(totals["r2"], totals["r3"], where))

    # The review_round flow wrote the documents (PDF, XLSX) of every commune, of the consolidating
    # unit and of the province; the demo only says where they are.
    province_dir = province_output_dir(year, plan.province)
    unit_dir = scope_output_dir(year, unit.code)
    pdfs = sorted(province_dir.rglob("*.pdf"))
    certificates = sum(1 for p in pdfs if p.name.startswith("giay-chung-nhan-"))
    approval = outcome["approval"]
    console.print(
        f"Phê duyệt: {approval['decision']} (mã băm dữ liệu {str(approval['data_sha256'])[:16]}), "  # type: ignore[index]
        "người phê duyệt là người MẪU của bản demo."
    )
    console.print(
        f"Văn bản (PDF): {len(pdfs)} tệp, trong đó {certificates} tệp giấy chứng nhận (một tệp mỗi xã), "
        f"dưới {province_dir}"
    )
    console.print(
        f"Quyết định phê duyệt của tỉnh: {province_dir / f'quyet-dinh-phe-duyet-{plan.province}-{year}.pdf'}"
    )
    tables_name = f"bang-tong-hop-huyen-{unit.code}-{year}.xlsx" if plan.district else None
    lines = [f"Bảng tổng hợp (XLSX): {unit_dir / tables_name}"] if tables_name else []
    lines.append(
        f"Bảng tổng hợp của tỉnh (XLSX): {province_dir / f'bang-tong-hop-tinh-{plan.province}-{year}.xlsx'}"
    )
    console.print("\n".join(lines))
    first = result.files[0].stem
    console.print(f"Phản hồi cho các xã: {commune_output_dir(year, first)}/phan-hoi/")
