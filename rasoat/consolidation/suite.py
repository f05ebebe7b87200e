"""The consolidated suite (expectations/consolidated.json): its meta conventions and its results.

Every expectation's `meta` carries what a failure is reported with: `check` (the stable key),
`severity` (`blocking` or `warning`), `title_vi`, `expected_vi` (and optionally `message_vi`, one
line per failing unit). The file is checked when first read and the GX suite built once per process;
`rasoat.gx` runs it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from rasoat.config import PROJECT_ROOT
from rasoat.gx import CheckOutcome, SuiteFileError, read_suite, suite_from_file
from rasoat.validation.findings import CheckResult, Severity

SUITE_NAME = "consolidated"
SUITE_PATH = PROJECT_ROOT / "expectations" / f"{SUITE_NAME}.json"
TABLE = "checks"  # the checks frame, as the GX data asset is named
REQUIRED_META = ("check", "severity", "title_vi", "expected_vi")


@cache
def load_suite_config(path: Path = SUITE_PATH) -> dict[str, Any]:
    """The suite as stored (GX 1.x serialized suite), with its meta fields verified."""
    raw = read_suite(path, SUITE_NAME)
    for expectation in raw["expectations"]:
        meta = expectation.get("meta", {})
        missing = [k for k in REQUIRED_META if k not in meta]
        if missing:
            raise SuiteFileError(f"{path.name}: expectation {expectation.get('type')} lacks meta {missing}")
        Severity(meta["severity"])
    return raw


@cache
def consolidated_suite() -> Any:
    """The `gx.ExpectationSuite`, built once per process."""
    return suite_from_file(load_suite_config())


def check_result(outcome: CheckOutcome) -> CheckResult:
    """One expectation's outcome as the consolidation reports it."""
    return CheckResult(
        suite=SUITE_NAME,
        check=outcome.check,
        severity=Severity(outcome.meta["severity"]),
        title_vi=outcome.meta["title_vi"],
        column=outcome.column,
        evaluated=outcome.evaluated,
        failed=outcome.failed,
    )
