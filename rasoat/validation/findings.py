"""What validation reports: one result per check, and one finding per offending cell or row.

Shared by the Great Expectations runner (which produces them), the feedback writers (HTML and XLSX
for the commune), the database (validation_results) and the Prefect artifacts (counts only).
Messages are Vietnamese: communes read them. `value` is already masked for personal columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    BLOCKING = "blocking"  # the submission is rejected; no later stage reads it
    WARNING = "warning"  # recorded and shown; the submission moves on


SEVERITY_LABELS_VI: dict[Severity, str] = {Severity.BLOCKING: "Bắt buộc", Severity.WARNING: "Cảnh báo"}


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class CheckResult:
    """One check (a Great Expectations expectation, or a reading step) over one sheet."""

    suite: str  # "ho", "thanh_vien", "doi_chieu" (cross-checks) or "doc_tep" (reading the file)
    check: str  # stable key, e.g. "ho.income_non_negative"
    severity: Severity
    title_vi: str  # what is checked, for the feedback and the UI table
    column: str | None
    evaluated: int  # rows the check looked at
    failed: int  # rows that broke it

    @property
    def success(self) -> bool:
        return self.failed == 0


@dataclass(frozen=True)
class Finding:
    """One problem the commune must fix (or, for a warning, should look at)."""

    check: str
    severity: Severity
    sheet: str | None  # "ho" or "thanh_vien"; None for the file as a whole
    row: int | None  # row number as Excel or a text editor shows it
    column: str | None  # canonical column name
    header: str | None  # the column's header as the file wrote it, or its Vietnamese header
    household_id: str | None
    value: str | None  # the value found (masked for names and CCCD numbers)
    expected: str  # Vietnamese: what the value should be
    message: str  # Vietnamese: what is wrong


@dataclass
class ValidationReport:
    file: str
    checks: list[CheckResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True
    data_docs: str | None = None  # index.html of the Great Expectations Data Docs, when built
    # How the file was read (income unit and conversion, rows taken as totals or the table's end),
    # in Vietnamese for the feedback page; never personal data.
    notes: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.BLOCKING]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def verdict(self) -> Verdict:
        if not self.readable:
            return Verdict.UNREADABLE
        if any(c.severity is Severity.BLOCKING and not c.success for c in self.checks) or self.blocking:
            return Verdict.REJECTED
        return Verdict.ACCEPTED_WITH_WARNINGS if self.warnings else Verdict.ACCEPTED

    @property
    def accepted(self) -> bool:
        return self.verdict in (Verdict.ACCEPTED, Verdict.ACCEPTED_WITH_WARNINGS)
