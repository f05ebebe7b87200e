"""Running an expectation suite on a pandas table, and reading GX's results back per check.

A failed expectation's result is in the COMPLETE format with `unexpected_index_list` (the tables are
indexed by what a reader needs to find a row: a spreadsheet row, a unit's position), and no result
holds the unexpected values themselves, so no name or CCCD number ever sits in a Great Expectations
result (nor in the Data Docs built from it). Each expectation is identified by its `meta.check` key.

The suite first runs in the BASIC format, which gives every count (evaluated, missing, failed) but
builds no list of failing rows; only the expectations that failed run again in the COMPLETE format,
and their results replace the BASIC ones. Most files pass most checks, and the lists' metrics were
about a quarter of a commune's suite runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rasoat.gx import runtime
from rasoat.gx.memo import memo_scope
from rasoat.gx.narrow import narrow_scope
from rasoat.gx.suites import build_suite

if TYPE_CHECKING:
    import pandas as pd

RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "exclude_unexpected_values": True,  # indexes only: values may be personal
    "return_unexpected_index_query": False,
}
COUNTS_FORMAT: dict[str, Any] = {**RESULT_FORMAT, "result_format": "BASIC"}


class GXRunError(RuntimeError):
    """Great Expectations could not evaluate an expectation (a bug, not a mistake in the data)."""


@dataclass(frozen=True)
class CheckOutcome:
    """What one expectation found on one table."""

    check: str  # the expectation's meta.check
    evaluated: int
    failed: int
    rows: list[Any] = field(default_factory=list)  # index labels of the rows that failed
    observed: Any = None  # column-level checks: the observed value (a dtype, a column list)
    details: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    column: str | None = None  # the column the expectation reads (its kwargs' column or column_A)


@dataclass(frozen=True)
class SuiteRun:
    """One suite's run on one table."""

    outcomes: list[CheckOutcome]  # one per expectation, in GX's result order
    raw: Any  # GX's ExpectationSuiteValidationResult (for Data Docs)

    def by_check(self) -> dict[str, CheckOutcome]:
        return {o.check: o for o in self.outcomes}


def _raised(info: Any) -> str | None:
    """GX's exception message, at the top of `exception_info` or (per metric) one level down."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _outcome(result: Any, frame: pd.DataFrame) -> CheckOutcome:
    config = result.expectation_config
    meta = dict(config.meta or {})
    check = meta.get("check")
    kwargs = config.kwargs or {}
    column = kwargs.get("column") or kwargs.get("column_A")
    message = _raised(result.exception_info)
    if message is not None:
        if column is not None and column not in frame.columns:
            # The column is absent: a column-presence check of the suite reports it; this one could not run.
            return CheckOutcome(check, evaluated=0, failed=0, meta=meta, column=column)
        raise GXRunError(f"{check}: {message}")
    body = result.result or {}
    if "element_count" in body:
        return CheckOutcome(
            check,
            evaluated=int(body["element_count"]) - int(body.get("missing_count") or 0),
            failed=int(body.get("unexpected_count") or 0),
            rows=list(body.get("unexpected_index_list") or []),
            meta=meta,
            column=column,
        )
    return CheckOutcome(
        check,
        evaluated=1,
        failed=0 if result.success else 1,
        observed=body.get("observed_value"),
        details=body.get("details") or {},
        meta=meta,
        column=column,
    )


def _check_keys(suite: Any) -> list[str] | None:
    """Each expectation's `meta.check`; None unless every one has its own."""
    keys = [(e.meta or {}).get("check") for e in suite.expectations]
    return keys if all(keys) and len(set(keys)) == len(keys) else None


def _check_of(result: Any) -> Any:
    return (result.expectation_config.meta or {}).get("check")


def _only(suite: Any, checks: set[str]) -> Any:
    """A suite of `suite`'s expectations whose `meta.check` is in `checks`."""
    kept = [e.configuration.to_json_dict() for e in suite.expectations if e.meta.get("check") in checks]
    return build_suite(suite.name, kept)


def run_suite(table: str, frame: pd.DataFrame, suite: Any, parameters: Mapping[str, Any]) -> SuiteRun:
    """Validate `frame` (the table named `table`) against `suite` with `$PARAMETER` values `parameters`.

    One outcome per expectation; raises GXRunError when GX could not evaluate one."""
    values = dict(parameters)
    with runtime.lock:
        try:
            result = _validate(table, frame, suite, values)
        finally:
            runtime.release_batches()  # the frame is the caller's, not kept by GX for the next run
    return SuiteRun([_outcome(item, frame) for item in result.results], result)


def _validate(table: str, frame: pd.DataFrame, suite: Any, values: dict[str, Any]) -> Any:
    """GX's validation result of `suite` on `frame`: counts for all, row lists for failed checks."""
    batch = runtime.batch_definition(table).get_batch(batch_parameters={"dataframe": frame})
    # Each expectation's configuration built once (rasoat.gx.memo); a column check copies its own
    # columns, not the table's (rasoat.gx.narrow, which holds for both formats).
    with memo_scope(), narrow_scope():
        if _check_keys(suite) is None:  # results could not be matched up: one COMPLETE run
            return batch.validate(suite, result_format=RESULT_FORMAT, expectation_parameters=values)
        result = batch.validate(suite, result_format=COUNTS_FORMAT, expectation_parameters=values)
        failed = {_check_of(r) for r in result.results if not r.success}
        if failed:
            detailed = batch.validate(
                _only(suite, failed), result_format=RESULT_FORMAT, expectation_parameters=values
            )
            complete = {_check_of(r): r for r in detailed.results}
            result.results = [complete.get(_check_of(r), r) for r in result.results]
    return result
