"""Great Expectations outcomes → CheckResults and Findings (Vietnamese, personal values masked).

One CheckResult per expectation with its exact counts; one Finding per failing row, at most
`MAX_FINDINGS_PER_CHECK` per check (the CheckResult keeps the full count). A rule over several
columns (`meta.columns`) gives one Finding per offending cell of a failing row; a column-level
failure (a wrong dtype, a missing column) one Finding without a row.
"""

from __future__ import annotations

import dataclasses
import math
import string
from typing import Any

import pandas as pd

from rasoat.gx import CheckOutcome
from rasoat.intake.problems import MASK, shown_value
from rasoat.schema import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, PERSONAL_COLUMNS
from rasoat.validation.findings import CheckResult, Finding
from rasoat.validation.suites import CheckSpec

MAX_FINDINGS_PER_CHECK = 1000
HEADERS_VI: dict[str, str] = {c.name: c.header_vi for c in (*MEMBER_COLUMNS, *HOUSEHOLD_COLUMNS)}


class _Blank(dict):
    """Format mapping: an unknown placeholder renders empty instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


_FORMATTER = string.Formatter()


def _fill(template: str, values: dict[str, str]) -> str:
    return _FORMATTER.vformat(template, (), _Blank(values))


def _observed(value: Any) -> str:
    """A column statistic as a commune reads amounts: 2809 → '2.809', 1500000.5 → '1.500.000,5'."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return display(value)
    whole, _, fraction = f"{value:,.1f}".partition(".")
    grouped = whole.replace(",", ".")
    return grouped if fraction == "0" else f"{grouped},{fraction}"


def display(value: Any) -> str:
    """A cell as a commune would read it: no trailing '.0', nothing for a missing value."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y")
    return str(value)


def check_result(spec: CheckSpec, outcome: CheckOutcome | None) -> CheckResult:
    return CheckResult(
        suite=spec.suite,
        check=spec.check,
        severity=spec.severity,
        title_vi=spec.title_vi,
        column=spec.column,
        evaluated=outcome.evaluated if outcome else 0,
        failed=outcome.failed if outcome else 0,
    )


def _column_level(spec: CheckSpec, outcome: CheckOutcome, texts: dict[str, str]) -> list[Finding]:
    values = dict(texts)
    values["header"] = HEADERS_VI.get(spec.column or "", spec.column or "")
    if spec.type == "expect_table_columns_to_match_set":
        missing = (outcome.details.get("mismatched") or {}).get("missing") or []
        values["missing"] = ", ".join(f"'{HEADERS_VI.get(c, c)}' ({c})" for c in missing)
        column = None
    else:
        values["observed"] = _observed(outcome.observed)
        column = spec.column
    return [
        Finding(
            check=spec.check,
            severity=spec.severity,
            sheet=spec.report_sheet,
            row=None,
            column=column,
            header=HEADERS_VI.get(column) if column else None,
            household_id=None,
            value=None,
            expected=_fill(spec.expected_vi, values),
            message=_fill(spec.message_vi, values),
        )
    ]


def _offending(spec: CheckSpec, cells: pd.DataFrame) -> pd.DataFrame:
    """Rows × `spec.columns`: which cells of the failing rows break a several-column rule."""
    numbers = cells.apply(pd.to_numeric, errors="coerce")
    if spec.explode == "missing":
        return cells.isna()
    return cells.notna() & ~numbers.isin([0, 1])  # "not_binary"


def _exploded(spec: CheckSpec, labels: list, frame: pd.DataFrame, texts: dict[str, str]) -> list[Finding]:
    columns = [c for c in spec.columns if c in frame.columns]
    cells = frame.loc[labels, columns]
    bad = _offending(spec, cells)
    households = frame.loc[labels, "household_id"] if "household_id" in frame.columns else None
    out = []
    for label, row in zip(labels, bad.itertuples(index=False, name=None), strict=True):
        for column, is_bad in zip(columns, row, strict=True):
            if not is_bad or len(out) >= MAX_FINDINGS_PER_CHECK:
                continue
            shown = display(cells.at[label, column])
            values = {**texts, "value": shown, "header": HEADERS_VI.get(column, column)}
            out.append(
                Finding(
                    check=spec.check,
                    severity=spec.severity,
                    sheet=spec.report_sheet,
                    row=int(label),
                    column=column,
                    header=HEADERS_VI.get(column, column),
                    household_id=None if households is None else display(households.at[label]) or None,
                    value=shown_value(column, shown) if shown else None,
                    expected=_fill(spec.expected_vi, values),
                    message=_fill(spec.message_vi, values),
                )
            )
    return out


def findings(
    spec: CheckSpec, outcome: CheckOutcome, frame: pd.DataFrame, texts: dict[str, str]
) -> list[Finding]:
    """The Findings of one failed check on the prepared table it ran on."""
    if outcome.failed == 0:
        return []
    if not spec.row_level:
        return _column_level(spec, outcome, texts)
    labels = outcome.rows[:MAX_FINDINGS_PER_CHECK]
    if not labels:
        return []
    if spec.columns:
        return _exploded(spec, labels, frame, texts)
    shown_from = spec.value_from or spec.column
    wanted = {"household_id", *spec.placeholders}
    for name in (shown_from, spec.report_row):
        if name:
            wanted.add(name)
    columns = [c for c in wanted if c in frame.columns]
    rows = frame.loc[labels, columns]
    header = HEADERS_VI.get(spec.column or "", spec.column)
    out = []
    for label, record in zip(labels, rows.to_dict("records"), strict=True):
        raw = record.get(shown_from) if shown_from else None
        value = shown_value(shown_from, display(raw)) if display(raw) != "" else None
        values = dict(texts)
        values.update({name: display(record.get(name)) for name in spec.placeholders})
        values["value"] = value or ""
        values["header"] = header or ""
        row = record.get(spec.report_row) if spec.report_row else label
        household = display(record.get("household_id")) or None
        out.append(
            Finding(
                check=spec.check,
                severity=spec.severity,
                sheet=spec.report_sheet,
                row=None if display(row) == "" else int(row),
                column=spec.column,
                header=header,
                household_id=household,
                value=value,
                expected=_fill(spec.expected_vi, values),
                message=_fill(spec.message_vi, values),
            )
        )
    return out


def personal_values(*frames: pd.DataFrame | None) -> set[str]:
    """Every name and CCCD number of the file, as text."""
    out: set[str] = set()
    for frame in frames:
        if frame is None:
            continue
        for column in PERSONAL_COLUMNS & set(frame.columns):
            out.update(frame[column].dropna().astype(str))
    return out


def mask_personal(found: list[Finding], personal: set[str]) -> list[Finding]:
    """Findings whose shown value is someone's name or CCCD number (typed into another column, e.g.
    after a column shift) get it masked, in the value and in the texts."""
    out = []
    for finding in found:
        hidden = [v for v in (finding.value, finding.household_id) if v and v in personal]
        if not hidden:
            out.append(finding)
            continue
        expected, message = finding.expected, finding.message
        for value in hidden:
            expected, message = expected.replace(value, MASK), message.replace(value, MASK)
        out.append(
            dataclasses.replace(
                finding,
                value=MASK if finding.value in hidden else finding.value,
                household_id=MASK if finding.household_id in hidden else finding.household_id,
                expected=expected,
                message=message,
            )
        )
    return out
