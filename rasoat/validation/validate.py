"""The validation gate: a parsed commune submission → a ValidationReport.

    report = validate_submission(parsed, ValidationContext(2026, "468", "19597", standard_for_year(2026)))

Runs, with Great Expectations, the suites of `expectations/` on the prepared tables (one run per
table: the sheet's suite together with the cross-checks on that table), and adds the reader's
problems as blocking `doc_tep` findings. Nothing personal is logged: counts only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from rasoat.gx import CheckOutcome, run_suite
from rasoat.intake.notes import reading_notes
from rasoat.intake.read import ParsedSubmission
from rasoat.standards import Standard
from rasoat.validation import reading
from rasoat.validation.findings import Severity, ValidationReport
from rasoat.validation.prepare import prepare
from rasoat.validation.results import check_result, findings, mask_personal, personal_values
from rasoat.validation.suites import FRAMES, check_specs, expectation_suite, expectations_dir, specs_by_check

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValidationContext:
    year: int
    scope_code: str  # the round's district (three-level map) or province (two-tier map)
    commune_code: str  # the commune the submission is filed under
    standard: Standard
    other_id_numbers: frozenset[str] = frozenset()  # CCCDs accepted from other communes of the round


@cache
def _suite(frame: str, directory: Path) -> Any:
    return expectation_suite(f"{frame}+doi_chieu", frame=frame)


_STATISTICS = ("expect_column_median_", "expect_column_mean_", "expect_column_quantile_")


def _without_empty_statistics(
    outcomes: dict[str, CheckOutcome], table: Any, by_check: dict[str, Any]
) -> dict[str, CheckOutcome]:
    """A statistic of a column without any value (the median income of a list scored with B1 only)
    judges nothing: the check did not apply, rather than failed. Whether the column may be empty at
    all is another rule's (`ho.income_or_b1_required`)."""
    for check, outcome in outcomes.items():
        spec = by_check[check]
        column = spec.gx_column
        if (
            outcome.failed
            and spec.type.startswith(_STATISTICS)
            and column in table.columns
            and table[column].notna().sum() == 0
        ):
            outcomes[check] = replace(outcome, evaluated=0, failed=0, rows=[])
    return outcomes


def validate_submission(
    parsed: ParsedSubmission, context: ValidationContext, data_docs_dir: Path | None = None
) -> ValidationReport:
    """Validate one submission; with `data_docs_dir`, also build Great Expectations Data Docs there
    when a check failed."""
    started = time.perf_counter()
    specs = check_specs()
    by_check = specs_by_check()
    prepared = prepare(parsed, context)
    tables = {"ho": prepared.households, "thanh_vien": prepared.members}

    outcomes: dict[str, CheckOutcome] = {}
    raw_results: list[tuple[str, Any]] = []
    for frame in FRAMES:
        table = tables[frame]
        if table is None:  # no members sheet: its checks and the cross-checks on it do not apply
            continue
        run = run_suite(frame, table, _suite(frame, expectations_dir()), prepared.parameters)
        outcomes.update(_without_empty_statistics(run.by_check(), table, by_check))
        raw_results.append((frame, run.raw))

    rows = {
        "ho": len(prepared.households),
        "thanh_vien": 0 if prepared.members is None else len(prepared.members),
    }
    report = ValidationReport(file=parsed.file, notes=reading_notes(parsed))
    report.checks.extend(reading.check_results(parsed.problems, rows))
    ids = reading.household_ids(parsed.problems, parsed.file, tables)
    report.findings.extend(reading.finding(p, h) for p, h in zip(parsed.problems, ids, strict=True))
    # How cells were read that the commune should confirm (columns of tick marks): warnings.
    report.checks.extend(reading.check_results(parsed.notices, rows, Severity.WARNING))
    report.findings.extend(reading.finding(p, severity=Severity.WARNING) for p in parsed.notices)
    for spec in specs:
        outcome = outcomes.get(spec.check)
        report.checks.append(check_result(spec, outcome))
        if outcome is not None and outcome.failed:
            report.findings.extend(findings(spec, outcome, tables[spec.frame], prepared.texts))

    if report.findings:  # a name or CCCD typed into another column is not echoed either
        personal = personal_values(parsed.households, parsed.members)
        report.findings = mask_personal(report.findings, personal)

    failed = [c for c in report.checks if not c.success]
    # Data Docs help whoever investigates a failed check; a clean file's would only repeat the
    # all-pass table of the run's artifact, and cost ≈ 0.4 s a commune (a province: ≈ 80 s).
    if data_docs_dir is not None and failed:
        from rasoat.validation import data_docs

        report.data_docs = str(data_docs.build(Path(data_docs_dir), parsed.file, raw_results))

    log.info(
        "validated %s: %d households, %d members, %d checks (%d blocking and %d warning failed), "
        "%d findings, verdict %s, %.2f s",
        parsed.file,
        rows["ho"],
        rows["thanh_vien"],
        len(report.checks),
        sum(c.severity is Severity.BLOCKING for c in failed),
        sum(c.severity is Severity.WARNING for c in failed),
        len(report.findings),
        report.verdict.value,
        time.perf_counter() - started,
    )
    return report
