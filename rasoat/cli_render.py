"""Rich tables for the command line (Vietnamese labels: district staff read them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.table import Table

from rasoat.intake.problems import Problem
from rasoat.schema import STATUS_ORDER, Status
from rasoat.standards import Standard

if TYPE_CHECKING:
    from rasoat.pipeline.status import RoundStatus
    from rasoat.pipeline.validation_stage import Validated

MAX_PROBLEMS_SHOWN = 30
SHORT_LABELS = {
    Status.POOR: "Nghèo",
    Status.NEAR_POOR: "Cận nghèo",
    Status.MSTB: "MSTB",
    Status.NON_POOR: "Không nghèo",
}


def problems_table(problems: list[Problem]) -> Table:
    table = Table(title="Các lỗi cần sửa", show_lines=False)
    for header in ("Tệp", "Sheet", "Dòng", "Cột", "Giá trị", "Lỗi"):
        table.add_column(header, overflow="fold")
    for p in problems[:MAX_PROBLEMS_SHOWN]:
        table.add_row(
            p.file,
            p.sheet or "",
            "" if p.row is None else str(p.row),
            p.header or p.column or "",
            p.value or "",
            p.message,
        )
    if len(problems) > MAX_PROBLEMS_SHOWN:
        table.caption = f"… và {len(problems) - MAX_PROBLEMS_SHOWN} lỗi khác"
    return table


def summary_table(summary: pd.DataFrame, title: str, names: dict[str, str] | None = None) -> Table:
    table = Table(title=title)
    table.add_column("Xã", overflow="fold")
    table.add_column("Số hộ", justify="right")
    table.add_column("Nhân khẩu", justify="right")
    for status in STATUS_ORDER:
        table.add_column(SHORT_LABELS[status], justify="right")
    table.add_column("Khác đề xuất", justify="right")
    names = names or {}
    for row in summary.itertuples(index=False):  # one row per commune: small
        code = str(row[0])
        label = "Tổng" if code == "total" else f"{code} {names.get(code, '')}".strip()
        cells = [f"{getattr(row, s.value):,} ({getattr(row, s.value + '_rate'):.2f}%)" for s in STATUS_ORDER]
        table.add_row(
            label,
            f"{row.households:,}",
            f"{row.persons:,}",
            *cells,
            f"{row.disagrees:,}",
            end_section=code == "total" or None,
        )
    return table


def _scope_text(standard: Standard) -> str:
    if standard.scope is None:
        return "toàn quốc"
    legacy = ", ".join(standard.scope.legacy_provinces)
    return (
        f"tỉnh {standard.scope.province}"
        + (f" (mã cũ {legacy})" if legacy else "")
        + f", trên {standard.extends}"
    )


def standards_table(standards: tuple[Standard, ...]) -> Table:
    table = Table(title="Chuẩn nghèo")
    for header in ("Mã", "Phiên bản", "Năm", "Phạm vi", "Trần thu nhập NT/TT", "Mức sống TB", "Ghi chú"):
        table.add_column(header, overflow="fold")
    for s in standards:
        band = (
            "—"
            if s.mstb_band is None
            else " / ".join(f"{lo:,}–{hi:,}" for lo, hi in (s.mstb_band["rural"], s.mstb_band["urban"]))
        )
        notes = []
        if s.b1_provisional:
            notes.append("điểm B1 tạm tính")
        if s.indicators_provisional:
            notes.append("danh mục chỉ số tạm tính")
        table.add_row(
            s.id,
            s.version,
            f"{s.first_year}–{s.last_year}",
            _scope_text(s),
            f"{s.income_ceiling['rural']:,} / {s.income_ceiling['urban']:,}",
            band,
            ", ".join(notes),
        )
    return table


R2_HEADERS = (
    "Đầu kỳ",
    "→ cận nghèo",
    "Vượt chuẩn CN",
    "Giảm khác",
    "Từ cận nghèo",
    "Tái nghèo",
    "Phát sinh mới",
    "Tăng khác",
    "Cuối kỳ",
)
R3_HEADERS = (
    "Đầu kỳ",
    "Thoát CN",
    "→ nghèo",
    "Giảm khác",
    "Từ nghèo",
    "Tái CN",
    "Phát sinh mới",
    "Tăng khác",
    "Cuối kỳ",
)


def movement_summary_table(r2: pd.DataFrame, r3: pd.DataFrame, where: str = "toàn huyện") -> Table:
    """The unit's totals of reports R2 (poor) and R3 (near-poor), households and persons."""
    table = Table(title=f"Diễn biến hộ nghèo (R2) và hộ cận nghèo (R3), {where}")
    table.add_column("")
    for i in range(1, 10):
        table.add_column(f"({i})", justify="right")
    for label, frame, headers in (("Nghèo", r2, R2_HEADERS), ("Cận nghèo", r3, R3_HEADERS)):
        table.add_row(f"[bold]{label}[/]", *headers, style="dim")
        for row in frame.itertuples(index=False):
            unit = "Hộ" if row.unit == "households" else "Nhân khẩu"
            table.add_row(unit, *(f"{getattr(row, f'c{i}'):,}" for i in range(1, 10)))
    return table


VERDICT_STYLE = {
    "accepted": ("green", "CHẤP NHẬN"),
    "accepted_with_warnings": ("yellow", "CHẤP NHẬN, CÓ CẢNH BÁO"),
    "rejected": ("red", "KHÔNG CHẤP NHẬN — cần sửa và gửi lại"),
    "unreadable": ("red", "KHÔNG ĐỌC ĐƯỢC TỆP"),
}


def verdict_panel(validated: Validated) -> Table:
    """The verdict on one submission and its failed checks (counts only)."""
    colour, words = VERDICT_STYLE[validated.verdict]
    table = Table(
        title=f"Xã {validated.commune_code}, bản nộp v{validated.version}: [bold {colour}]{words}[/]",
        caption=(
            f"{validated.blocking} lỗi bắt buộc, {validated.warnings} cảnh báo"
            + (f"; phản hồi: {validated.feedback_html}" if validated.feedback_html else "")
        ),
    )
    table.add_column("Kiểm tra")
    table.add_column("Mức")
    table.add_column("Dòng lỗi", justify="right")
    for check in validated.checks:
        if not check.success:
            level = "bắt buộc" if check.severity.value == "blocking" else "cảnh báo"
            table.add_row(check.title_vi, level, f"{check.failed:,}")
    if not any(not c.success for c in validated.checks):
        table.add_row("Tất cả các kiểm tra đều đạt", "", "0")
    return table


def round_result_table(result: dict[str, object]) -> Table:
    table = Table(title="Kết quả đợt rà soát")
    table.add_column("Bước")
    table.add_column("Kết quả")
    verdicts: dict[str, str] = result.get("verdicts", {})  # type: ignore[assignment]
    for commune, verdict in sorted(verdicts.items()):
        table.add_row(f"Xã {commune}", VERDICT_STYLE[verdict][1])
    consolidations: dict[str, int] = result.get("consolidations", {})  # type: ignore[assignment]
    for district, consolidation_id in sorted(consolidations.items()):
        level = "huyện" if len(str(district)) == 3 else "tỉnh"  # a two-tier province consolidates itself
        table.add_row(f"Tổng hợp {level} {district}", f"lần tổng hợp #{consolidation_id}")
    approval = result.get("approval")
    if isinstance(approval, dict):
        words = "PHÊ DUYỆT" if approval["decision"] == "approved" else "TRẢ LẠI"
        table.add_row("Tỉnh", f"{words} (mã băm dữ liệu {str(approval['data_sha256'])[:12]})")
    return table


def round_status_table(status: RoundStatus) -> Table:
    table = Table(title=f"Đợt {status.year} — {status.scope} — {status.state} ({status.standard})")
    table.add_column("")
    table.add_column("")
    for code, text in status.communes.items():
        table.add_row(f"Xã {code}", text)
    table.add_row("Tổng hợp", status.consolidation or "chưa")
    table.add_row("Phê duyệt", status.approval or "chưa")
    return table
