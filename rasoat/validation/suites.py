"""The expectation suites, kept as Great Expectations JSON files in `expectations/`.

One file per suite: `ho.json` (households sheet), `thanh_vien.json` (members sheet) and
`doi_chieu.json` (cross-checks). Each expectation's `meta` says what the runner needs to turn a
failure into findings a commune can act on:

- `check`: stable key (`ho.income_non_negative`), unique across the suites;
- `severity`: `blocking` (the submission is rejected) or `warning`;
- `title_vi`, `expected_vi`, `message_vi`: Vietnamese texts; `expected_vi` and `message_vi` may hold
  `{placeholders}`: `value`, `header`, `observed`, `missing`, a context parameter (`commune_code`,
  `district_code`, `review_year`, `min_birth_year`, `b2_points`, `income_unit`, `income_header`) or
  a prepared column (never a personal one: names and CCCD numbers are not echoed);
- `column`: the canonical column a finding points at (defaults to the expectation's column);
- `frame` (cross-checks only): which prepared table the expectation runs on, `ho` or `thanh_vien`;
- optional `report_sheet` / `report_row` (a prepared column holding the row to show) /
  `value_from` (a prepared column whose value is shown) when the finding is best located elsewhere;
- optional `columns` + `explode` (`missing` or `not_binary`) for one rule over several columns,
  stated on a derived per-row column: a failing row gives one finding per offending cell.

Reading the files needs no Great Expectations import; building `gx.ExpectationSuite` objects does
(both through `rasoat.gx`).
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rasoat.config import PROJECT_ROOT
from rasoat.gx import SuiteFileError, build_suite, read_suite, suite_from_file
from rasoat.schema import HOUSEHOLD_SHEET, MEMBER_SHEET, PERSONAL_COLUMNS
from rasoat.validation.findings import Severity

SHEET_SUITES: tuple[str, ...] = (HOUSEHOLD_SHEET, MEMBER_SHEET)  # "ho", "thanh_vien"
CROSS_SUITE = "doi_chieu"
SUITE_NAMES: tuple[str, ...] = (*SHEET_SUITES, CROSS_SUITE)
FRAMES: tuple[str, ...] = SHEET_SUITES  # the prepared tables expectations run on
CONTEXT_PLACEHOLDERS = frozenset(
    {"value", "header", "observed", "missing", "commune_code", "district_code", "scope_vi", "review_year"}
    | {"min_birth_year", "b2_points", "income_unit", "income_header"}
)
REQUIRED_META = ("check", "severity", "title_vi", "expected_vi", "message_vi")
EXPLODE_KINDS = ("missing", "not_binary")


def expectations_dir() -> Path:
    return Path(os.environ.get("RASOAT_EXPECTATIONS_DIR", PROJECT_ROOT / "expectations"))


@dataclass(frozen=True)
class CheckSpec:
    """One expectation as the runner sees it (its `meta`, its type and its target table)."""

    suite: str
    check: str
    severity: Severity
    title_vi: str
    expected_vi: str
    message_vi: str
    type: str
    kwargs: dict[str, Any] = field(hash=False, compare=False)
    frame: str
    column: str | None
    report_sheet: str
    report_row: str | None
    value_from: str | None
    placeholders: tuple[str, ...]  # prepared columns named in expected_vi / message_vi
    columns: tuple[str, ...] = ()  # a rule over several columns: the cells a failing row is checked in
    explode: str | None = None  # "missing" or "not_binary": which of those cells are reported

    @property
    def gx_column(self) -> str | None:
        """The column the expectation itself reads (may be a derived column)."""
        return self.kwargs.get("column") or self.kwargs.get("column_A")

    @property
    def row_level(self) -> bool:
        """Row-level expectations report failing rows; the others (types, columns) a whole column."""
        return not self.type.startswith(
            (
                "expect_table_",
                "expect_column_values_to_be_in_type_list",
                # column statistics: one observed value for the whole column
                "expect_column_median_",
                "expect_column_mean_",
                "expect_column_quantile_",
            )
        )


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _spec(suite: str, raw: dict[str, Any]) -> CheckSpec:
    meta = raw.get("meta") or {}
    missing = [k for k in REQUIRED_META if not meta.get(k)]
    if missing:
        raise SuiteFileError(f"{suite}: expectation {raw.get('type')} lacks meta {', '.join(missing)}")
    check = meta["check"]
    if not check.startswith(f"{suite}."):
        raise SuiteFileError(f"{suite}: check key {check} must start with '{suite}.'")
    try:
        severity = Severity(meta["severity"])
    except ValueError as exc:
        raise SuiteFileError(f"{check}: severity must be blocking or warning") from exc
    frame = meta.get("frame", suite)
    if frame not in FRAMES:
        raise SuiteFileError(f"{check}: meta.frame must be one of {', '.join(FRAMES)}")
    kwargs = raw.get("kwargs") or {}
    columns = tuple(meta.get("columns") or ())
    explode = meta.get("explode")
    if bool(columns) != (explode in EXPLODE_KINDS):
        raise SuiteFileError(f"{check}: meta.columns goes with meta.explode ({', '.join(EXPLODE_KINDS)})")
    default_column = None if columns else kwargs.get("column") or kwargs.get("column_A")
    column = meta.get("column", default_column)
    value_from = meta.get("value_from")
    placeholders = tuple(
        sorted((_fields(meta["expected_vi"]) | _fields(meta["message_vi"])) - CONTEXT_PLACEHOLDERS)
    )
    personal = (set(placeholders) | {value_from}) & PERSONAL_COLUMNS
    if personal:
        raise SuiteFileError(f"{check}: messages must not show personal columns ({', '.join(personal)})")
    return CheckSpec(
        suite=suite,
        check=check,
        severity=severity,
        title_vi=meta["title_vi"],
        expected_vi=meta["expected_vi"],
        message_vi=meta["message_vi"],
        type=raw["type"],
        kwargs=kwargs,
        frame=frame,
        column=column,
        report_sheet=meta.get("report_sheet", frame),
        report_row=meta.get("report_row"),
        value_from=value_from,
        placeholders=placeholders,
        columns=columns,
        explode=explode,
    )


@cache
def _raw_suites(directory: Path) -> dict[str, dict[str, Any]]:
    return {name: read_suite(directory / f"{name}.json", name) for name in SUITE_NAMES}


def raw_suites() -> dict[str, dict[str, Any]]:
    """The suite files as JSON dicts, by suite name (read once per process and directory)."""
    return _raw_suites(expectations_dir())


@cache
def _specs(directory: Path) -> tuple[CheckSpec, ...]:
    specs = tuple(
        _spec(name, raw) for name, suite in _raw_suites(directory).items() for raw in suite["expectations"]
    )
    keys = [s.check for s in specs]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise SuiteFileError(f"check keys used twice: {', '.join(duplicated)}")
    return specs


def check_specs() -> tuple[CheckSpec, ...]:
    """Every expectation of the three suites, in file order (ho, thanh_vien, doi_chieu)."""
    return _specs(expectations_dir())


def specs_by_check() -> dict[str, CheckSpec]:
    return {s.check: s for s in check_specs()}


def expectation_dicts(frame: str, suites: tuple[str, ...] = SUITE_NAMES) -> list[dict[str, Any]]:
    """The serialized expectations of `suites` that run on the prepared table `frame`."""
    out = []
    for name in suites:
        for raw in raw_suites()[name]["expectations"]:
            if (raw.get("meta") or {}).get("frame", name) == frame:
                out.append(raw)
    return out


def expectation_suite(name: str, frame: str | None = None, suites: tuple[str, ...] | None = None) -> Any:
    """A fresh `gx.ExpectationSuite` named `name`, from the files.

    With `frame`, it holds the expectations of `suites` (default: all three) that run on that table,
    so one Great Expectations run covers a sheet and its cross-checks."""
    if frame is None:
        return suite_from_file(raw_suites()[name])
    return build_suite(name, expectation_dicts(frame, suites or SUITE_NAMES))
