"""Running an expectation suite on a pandas table, and reading GX's results back per check.

Results are asked for in the COMPLETE format with `unexpected_index_list` (the tables are indexed by
what a reader needs to find a row: a spreadsheet row, a unit's position) and without the unexpected
values themselves, so no name or CCCD number ever sits in a Great Expectations result (nor in the
Data Docs built from it). Each expectation is identified by its `meta.check` key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rasoat.gx import runtime
from rasoat.gx.memo import memo_scope
from rasoat.gx.narrow import narrow_scope

if TYPE_CHECKING:
    import pandas as pd

RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "exclude_unexpected_values": True,  # indexes only: values may be personal
    "return_unexpected_index_query": False,
}


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


def run_suite(table: str, frame: pd.DataFrame, suite: Any, parameters: Mapping[str, Any]) -> SuiteRun:
    """Validate `frame` (the table named `table`) against `suite` with `$PARAMETER` values `parameters`.

    One outcome per expectation; raises GXRunError when GX could not evaluate one."""
    with runtime.lock:
        batch = runtime.batch_definition(table).get_batch(batch_parameters={"dataframe": frame})
        # Each expectation's configuration built once (rasoat.gx.memo); a column check copies its
        # own columns, not the table's (rasoat.gx.narrow, which holds for RESULT_FORMAT).
        with memo_scope(), narrow_scope():
            result = batch.validate(
                suite, result_format=RESULT_FORMAT, expectation_parameters=dict(parameters)
            )
    return SuiteRun([_outcome(item, frame) for item in result.results], result)
