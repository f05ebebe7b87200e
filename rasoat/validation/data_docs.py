"""Great Expectations Data Docs (a local static HTML site) for one validated submission.

Built only on request, from the results the validation already produced (nothing is validated
twice): a separate ephemeral context with a filesystem site holds the three suites and, per suite
and table, the validation result. The results carry row indexes, never values, so the pages show
no name or CCCD number.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from rasoat.gx import gx, quiet_context
from rasoat.validation.suites import SUITE_NAMES, expectation_suite

SITE = "rasoat_local_site"


def _split(combined: Any, suite_name: str) -> Any | None:
    """The part of a combined (sheet + cross-check) result that belongs to `suite_name`."""
    from great_expectations.core import ExpectationSuiteValidationResult

    results = [
        r
        for r in combined.results
        if str((r.expectation_config.meta or {}).get("check", "")).startswith(f"{suite_name}.")
    ]
    if not results:
        return None
    passed = sum(1 for r in results if r.success)
    return ExpectationSuiteValidationResult(
        success=passed == len(results),
        results=results,
        suite_name=suite_name,
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(results) - passed,
            "success_percent": 100.0 * passed / len(results),
        },
        meta=dict(combined.meta or {}),
    )


def build(directory: Path, file: str, combined_results: list[tuple[str, Any]]) -> Path:
    """Write the site under `directory`; returns its index.html.

    `combined_results`: (table name, suite validation result) per table that was validated."""
    gx()  # the import with analytics off comes first
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    context = quiet_context(
        data_docs_sites={
            SITE: {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(directory),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        }
    )
    for name in SUITE_NAMES:
        context.suites.add(expectation_suite(name))
    run_id = RunIdentifier(
        run_name=re.sub(r"[^\w.-]+", "_", file) or "submission", run_time=dt.datetime.now(dt.UTC)
    )
    for table, combined in combined_results:
        for name in SUITE_NAMES:
            part = _split(combined, name)
            if part is None:
                continue
            key = ValidationResultIdentifier(ExpectationSuiteIdentifier(name=name), run_id, table)
            context.validation_results_store.set(key, part)
    context.build_data_docs(site_names=[SITE])
    return directory / "index.html"
