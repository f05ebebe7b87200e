"""Running expectation suites with Great Expectations, and reading its results back.

`import great_expectations` takes about 5 s, so it is imported lazily, once per process, and one
ephemeral data context (in memory, progress bars and analytics off) serves every validation of the
process. Results are asked for in the COMPLETE format with `unexpected_index_list` (the prepared
tables are indexed by spreadsheet row) and without the unexpected values themselves, so no name or
CCCD number ever sits in a Great Expectations result (nor in the Data Docs built from it).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rasoat.validation.gx_memo import memo_scope
from rasoat.validation.suites import FRAMES, CheckSpec

DATASOURCE = "rasoat"
BATCH_DEFINITION = "whole_frame"
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "exclude_unexpected_values": True,  # indexes only: values may be personal
    "return_unexpected_index_query": False,
}

_lock = threading.RLock()
_gx: Any = None
_context: Any = None


class ValidationRunError(RuntimeError):
    """Great Expectations could not evaluate an expectation (a bug, not a commune's mistake)."""


def gx() -> Any:
    """The `great_expectations` module, imported on first use (analytics off: no internet here)."""
    global _gx
    if _gx is None:
        with _lock:
            if _gx is None:
                os.environ["GX_ANALYTICS_ENABLED"] = "False"
                import great_expectations

                _gx = great_expectations
    return _gx


def quiet_context(data_docs_sites: dict[str, Any] | None = None) -> Any:
    """A new ephemeral (in-memory) data context whose config turns progress bars and analytics off.

    No Data Docs site unless one is given (GX's default ephemeral context makes a temporary one)."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=data_docs_sites or {},
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx().get_context(mode="ephemeral", project_config=config)


def context() -> Any:
    """The process's validation context: a pandas data source with one asset per prepared table."""
    global _context
    if _context is None:
        with _lock:
            if _context is None:
                ctx = quiet_context()
                source = ctx.data_sources.add_pandas(DATASOURCE)
                for frame in FRAMES:
                    source.add_dataframe_asset(frame).add_batch_definition_whole_dataframe(BATCH_DEFINITION)
                _context = ctx
    return _context


@dataclass(frozen=True)
class Outcome:
    """What one expectation found on one table."""

    check: str
    evaluated: int
    failed: int
    rows: list[Any] = field(default_factory=list)  # index labels (spreadsheet rows) that failed
    observed: Any = None  # column-level checks: the observed value (a dtype, a column list)
    details: dict[str, Any] = field(default_factory=dict)


def _raised(info: Any) -> str | None:
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _outcome(spec: CheckSpec, result: Any, frame: pd.DataFrame) -> Outcome:
    message = _raised(result.exception_info)
    if message is not None:
        if spec.gx_column is not None and spec.gx_column not in frame.columns:
            # The column is absent: `*.columns_present` reports it; this check could not run.
            return Outcome(spec.check, evaluated=0, failed=0)
        raise ValidationRunError(f"{spec.check}: {message}")
    body = result.result or {}
    if "element_count" in body:
        evaluated = int(body["element_count"]) - int(body.get("missing_count") or 0)
        failed = int(body.get("unexpected_count") or 0)
        rows = list(body.get("unexpected_index_list") or [])
        return Outcome(spec.check, evaluated=evaluated, failed=failed, rows=rows)
    details = body.get("details") or {}
    return Outcome(
        spec.check,
        evaluated=1,
        failed=0 if result.success else 1,
        observed=body.get("observed_value"),
        details=details,
    )


def run(
    frame_name: str,
    frame: pd.DataFrame,
    suite: Any,
    specs: dict[str, CheckSpec],
    parameters: dict[str, Any],
) -> tuple[dict[str, Outcome], Any]:
    """Validate `frame` (the prepared table `frame_name`) against `suite`.

    Returns the outcome per check key and the raw suite validation result (for Data Docs)."""
    with _lock:
        definition = (
            context()
            .data_sources.get(DATASOURCE)
            .get_asset(frame_name)
            .get_batch_definition(BATCH_DEFINITION)
        )
        batch = definition.get_batch(batch_parameters={"dataframe": frame})
        with memo_scope():
            result = batch.validate(suite, result_format=RESULT_FORMAT, expectation_parameters=parameters)
    outcomes = {}
    for item in result.results:
        check = (item.expectation_config.meta or {}).get("check")
        outcomes[check] = _outcome(specs[check], item, frame)
    return outcomes, result
