"""Great Expectations runner for the consolidated suite (expectations/consolidated.json).

GX is imported lazily, once per process (≈ 5 s), with analytics off (the machines have no internet)
and progress bars off; one ephemeral context, data source and batch definition serve every call.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from rasoat.config import PROJECT_ROOT
from rasoat.validation.findings import CheckResult, Severity
from rasoat.validation.gx_memo import memo_scope

SUITE_NAME = "consolidated"
SUITE_PATH = PROJECT_ROOT / "expectations" / f"{SUITE_NAME}.json"
REQUIRED_META = ("check", "severity", "title_vi", "expected_vi")


RESULT_FORMAT: dict[str, Any] = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
_lock = threading.RLock()  # GX contexts are not meant to be shared between threads unguarded


class SuiteError(RuntimeError):
    """The suite file is malformed or does not fit the checks frame (a programming error)."""


@dataclass(frozen=True)
class Outcome:
    result: CheckResult
    meta: dict[str, Any]
    rows: list[Any] = field(default_factory=list)  # index labels of the checks frame that failed


@cache
def load_suite_config(path: Path = SUITE_PATH) -> dict[str, Any]:
    """The suite as stored (GX 1.x serialized suite), with its meta fields verified."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    for expectation in raw["expectations"]:
        meta = expectation.get("meta", {})
        missing = [k for k in REQUIRED_META if k not in meta]
        if missing:
            raise SuiteError(f"{path.name}: expectation {expectation.get('type')} lacks meta {missing}")
        Severity(meta["severity"])
    return raw


@cache
def _runtime() -> tuple[Any, Any]:
    """(batch definition, suite) in one ephemeral context for the whole process."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("rasoat_consolidation").add_dataframe_asset("checks")
    batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    raw = load_suite_config()
    suite = context.suites.add(
        ExpectationSuite(name=raw["name"], expectations=raw["expectations"], meta=raw.get("meta"))
    )
    return batch_definition, suite


def run_suite(frame: pd.DataFrame, parameters: dict[str, Any]) -> list[Outcome]:
    """Validate the checks frame; one outcome per expectation, in suite order."""
    with _lock:
        batch_definition, suite = _runtime()
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        with memo_scope():  # each expectation's configuration built once (rasoat.validation.gx_memo)
            result = batch.validate(suite, expectation_parameters=parameters, result_format=RESULT_FORMAT)
    out = []
    for item in result.results:
        meta = item.expectation_config.meta
        column = item.expectation_config.kwargs.get("column")
        if item.exception_info and item.exception_info.get("raised_exception"):
            raise SuiteError(f"{meta['check']}: {item.exception_info.get('exception_message')}")
        stats = item.result
        evaluated = int(stats.get("element_count", len(frame))) - int(stats.get("missing_count", 0) or 0)
        check = CheckResult(
            suite=SUITE_NAME,
            check=meta["check"],
            severity=Severity(meta["severity"]),
            title_vi=meta["title_vi"],
            column=column,
            evaluated=evaluated,
            failed=int(stats.get("unexpected_count", 0) or 0),
        )
        out.append(Outcome(check, dict(meta), list(stats.get("unexpected_index_list") or [])))
    return out
