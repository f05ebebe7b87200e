"""What the feedback shows, computed once for both the HTML page and the workbook.

Everything here is display text in Vietnamese. Values come from the commune's file (already masked
for personal columns by the validator); they are cleaned of characters that neither HTML nor XLSX
can carry, and cut to a readable length, but never interpreted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from rasoat.schema import HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET
from rasoat.validation import CheckResult, Finding, Severity, ValidationReport, Verdict
from rasoat.validation.findings import SEVERITY_LABELS_VI

# Vietnam has kept UTC+7 without daylight saving since 1975; a fixed offset needs no tz database.
VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

MAX_TEXT = 1000  # characters of one value, header or message shown; the rest becomes "…"

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.ACCEPTED: "Chấp nhận",
    Verdict.ACCEPTED_WITH_WARNINGS: "Chấp nhận, có cảnh báo",
    Verdict.REJECTED: "Không chấp nhận — cần sửa và gửi lại",
    Verdict.UNREADABLE: "Không đọc được tệp",
}


# Finding.sheet and CheckResult.suite → what the commune official reads.
SHEET_LABELS: dict[str | None, str] = {
    HOUSEHOLD_SHEET: "Hộ gia đình",
    MEMBER_SHEET: "Thành viên",
    "doi_chieu": "Đối chiếu hộ – thành viên",
    "doc_tep": "Đọc tệp",
    None: "Toàn tệp",
}

_SHEET_ORDER: dict[str | None, int] = {None: 0, "doc_tep": 0, HOUSEHOLD_SHEET: 1, MEMBER_SHEET: 2}

_HEADERS_VI: dict[str, dict[str, str]] = {
    HOUSEHOLD_SHEET: {c.name: c.header_vi for c in HOUSEHOLD_COLUMNS},
    MEMBER_SHEET: {c.name: c.header_vi for c in MEMBER_COLUMNS},
}

# C0 controls other than tab/newline/CR, DEL, and lone surrogates: invalid in XML, odd in HTML,
# unencodable in UTF-8 (surrogates). They become U+FFFD so the official sees that something is there.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean(text: object | None) -> str:
    if text is None:
        return ""
    out = text if isinstance(text, str) else str(text)
    if _UNPRINTABLE.search(out):
        out = _UNPRINTABLE.sub("\ufffd", out)
    if len(out) > MAX_TEXT:
        out = out[: MAX_TEXT - 1] + "…"
    return out


def sheet_label(sheet: str | None) -> str:
    return SHEET_LABELS.get(sheet, clean(sheet))


def column_label(finding: Finding) -> str:
    """The header as the file wrote it; else the schema's Vietnamese header; else the raw name."""
    if finding.header:
        return clean(finding.header)
    if finding.column is None:
        return ""
    for sheet in (finding.sheet, HOUSEHOLD_SHEET, MEMBER_SHEET):
        header = _HEADERS_VI.get(sheet or "", {}).get(finding.column)
        if header:
            return header
    return clean(finding.column)


def thousands(n: int) -> str:
    """1234567 → '1.234.567' (Vietnamese grouping)."""
    return f"{n:,}".replace(",", ".")


def vietnam_time(moment: dt.datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time. A naive datetime is taken as UTC (how SQLite returns the
    database's timezone-aware columns)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")


@dataclass(frozen=True, slots=True)
class FindingRow:
    stt: int
    blocking: bool
    severity: str
    sheet: str
    row: int | None
    column: str
    household_id: str
    value: str
    expected: str
    message: str


@dataclass(frozen=True, slots=True)
class CheckRow:
    sheet: str
    title: str
    blocking: bool
    severity: str
    evaluated: int
    failed: int

    @property
    def failing(self) -> bool:
        return self.failed > 0


@dataclass(frozen=True)
class FeedbackView:
    year: int
    commune_code: str
    commune_name: str
    district_name: str
    version: int
    next_version: int
    received: str  # dd/mm/yyyy HH:MM, Vietnam time
    sha256: str
    sha256_short: str
    file_name: str  # the file as the commune sent it
    verdict: Verdict
    verdict_label: str
    checks: list[CheckRow]
    blocking: list[FindingRow]
    warnings: list[FindingRow]
    failing_checks: int
    xlsx_name: str
    # How the file was read: the income unit and its conversion, rows taken as totals or as the
    # table's end, yes/no columns in words (rasoat.intake.notes).
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def has_findings(self) -> bool:
        return bool(self.blocking or self.warnings)

    @property
    def title(self) -> str:
        return f"Kết quả kiểm tra dữ liệu rà soát hộ nghèo, hộ cận nghèo năm {self.year}"


def _sort_key(indexed: tuple[int, Finding]) -> tuple[int, int, int]:
    """Within one severity: file-level problems first, then sheet by sheet and row by row as the
    official scrolls the file; the validator's order breaks ties."""
    index, f = indexed
    return (_SHEET_ORDER.get(f.sheet, 3), -1 if f.row is None else f.row, index)


def _finding_rows(findings: list[Finding], start: int) -> list[FindingRow]:
    ordered = sorted(enumerate(findings), key=_sort_key)
    return [
        FindingRow(
            stt=stt,
            blocking=f.severity is Severity.BLOCKING,
            severity=SEVERITY_LABELS_VI[f.severity],
            sheet=sheet_label(f.sheet),
            row=f.row,
            column=column_label(f),
            household_id=clean(f.household_id),
            value=clean(f.value),
            expected=clean(f.expected),
            message=clean(f.message),
        )
        for stt, (_, f) in enumerate(ordered, start=start)
    ]


def _check_row(c: CheckResult) -> CheckRow:
    return CheckRow(
        sheet=sheet_label(c.suite),
        title=clean(c.title_vi),
        blocking=c.severity is Severity.BLOCKING,
        severity=SEVERITY_LABELS_VI[c.severity],
        evaluated=c.evaluated,
        failed=c.failed,
    )


def build_view(
    report: ValidationReport,
    *,
    commune_code: str,
    commune_name: str,
    district_name: str,
    year: int,
    version: int,
    received_at: dt.datetime,
    sha256: str,
    xlsx_name: str,
) -> FeedbackView:
    blocking_src: list[Finding] = []
    warning_src: list[Finding] = []
    for f in report.findings:
        (blocking_src if f.severity is Severity.BLOCKING else warning_src).append(f)
    blocking = _finding_rows(blocking_src, 1)
    warnings = _finding_rows(warning_src, len(blocking) + 1)
    # Failing checks first (blocking before warnings): a commune reads what to fix, not 90 passes.
    rows = [_check_row(c) for c in report.checks]
    checks = sorted(rows, key=lambda c: (not c.failing, not c.blocking))
    verdict = report.verdict
    return FeedbackView(
        year=year,
        commune_code=commune_code,
        commune_name=clean(commune_name),
        district_name=clean(district_name),
        version=version,
        next_version=version + 1,
        received=vietnam_time(received_at),
        sha256=sha256,
        sha256_short=sha256[:12],
        file_name=clean(re.split(r"[\\/]", report.file)[-1]),  # never the server's path
        verdict=verdict,
        verdict_label=VERDICT_LABELS[verdict],
        checks=checks,
        blocking=blocking,
        warnings=warnings,
        failing_checks=sum(1 for c in checks if c.failing),
        xlsx_name=xlsx_name,
        notes=[clean(n) for n in report.notes],
    )
