"""Great Expectations for rasoat: every suite (the communes' submissions, the consolidated tables)
runs through this package.

    suite = suite_from_file(read_suite(path, "consolidated"))  # or build_suite(name, expectations)
    run = run_suite("checks", frame, suite, {"poor_rate_change_warning_pp": 5.0})
    run.outcomes  # one CheckOutcome per expectation: counts and failing index labels
    run.raw       # GX's own result (Data Docs are built from it)

It owns what must exist once per process: the lazy `great_expectations` import (≈ 5 s) with
analytics off (no internet here), the ephemeral context and the lock around it
(`rasoat.gx.runtime`, which also turns off GX's fingerprint of every frame), the memo that keeps GX
from rebuilding each expectation's configuration dozens of times per check (`rasoat.gx.memo`), and
the narrowing that keeps a column check from copying the whole table (`rasoat.gx.narrow`).
Importing this package does not import GX. What a check means (findings, messages, severities)
stays with the callers, `rasoat.validation` and `rasoat.consolidation`; this package never imports
them.
"""

from rasoat.gx import memo, narrow, runner, runtime
from rasoat.gx.runner import CheckOutcome, GXRunError, SuiteRun, run_suite
from rasoat.gx.runtime import disable_analytics, gx, quiet_context
from rasoat.gx.suites import SuiteFileError, build_suite, read_suite, suite_from_file

__all__ = [
    "CheckOutcome",
    "GXRunError",
    "SuiteFileError",
    "SuiteRun",
    "build_suite",
    "disable_analytics",
    "gx",
    "memo",
    "narrow",
    "quiet_context",
    "read_suite",
    "run_suite",
    "runner",
    "runtime",
    "suite_from_file",
]
