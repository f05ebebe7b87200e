"""rasoat.gx: the one Great Expectations component, and the guard on its patches of GX internals.

The memo (`rasoat.gx.memo`) replaces `Expectation.configuration`, the narrowing (`rasoat.gx.narrow`)
`PandasExecutionEngine.get_domain_records`; a GX release where either no longer applies must fail
here, loudly: what they wrap exists with the shape they were written for, each does its work (fewer
configuration builds, narrowed column domains), and no result changes.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import io
import json
import os
import subprocess
import sys
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rasoat.config import PROJECT_ROOT
from rasoat.consolidation import suite as consolidated
from rasoat.generate import build_district
from rasoat.generate.writer import write_workbook
from rasoat.gx import (
    GXRunError,
    SuiteFileError,
    build_suite,
    gx,
    memo,
    narrow,
    read_suite,
    run_suite,
    runner,
    runtime,
)
from rasoat.intake import read_submission
from rasoat.standards import standard_for_year
from rasoat.validation import ValidationContext, ValidationReport, validate_submission

YEAR = 2024  # a district round (three-level map)
PARAMETERS = {"poor_rate_change_warning_pp": 5.0}


def _checks_frame(rows: int = 60, seed: int = 1) -> pd.DataFrame:
    """A frame with every column of the consolidated suite: zeros, gaps, and values out of range."""
    columns = dict.fromkeys(e["kwargs"]["column"] for e in consolidated.load_suite_config()["expectations"])
    rng = np.random.default_rng(seed)
    values = [0.0, 0.0, 0.0, -1.0, 2.0, np.nan]
    return pd.DataFrame({c: rng.choice(values, rows) for c in columns}, index=range(100, 100 + rows))


@contextlib.contextmanager
def _counted_builds() -> Iterator[Callable[[], int]]:
    """Count GX's own configuration builds (the getter the memo wraps) inside the block."""
    memo.install()
    built = memo._build
    assert built is not None
    count = 0

    def counting(expectation: Any) -> Any:
        nonlocal count
        count += 1
        return built(expectation)

    memo._build = counting
    try:
        yield lambda: count
    finally:
        memo._build = built


def _submission(error_rate: float) -> tuple[Any, ValidationContext]:
    hh, members, _, _ = build_district("468", YEAR, seed=3, households=150, error_rate=error_rate)
    commune = str(hh["household_id"].iloc[0])[:5]
    foreign = hh["commune_code"] != hh["household_id"].str.slice(0, 5)  # injected wrong communes stay
    hh["commune_code"] = hh["commune_code"].where(foreign, commune)
    buffer = io.BytesIO()
    write_workbook(buffer, hh, members)
    parsed = read_submission(buffer.getvalue(), f"{commune}.xlsx")
    return parsed, ValidationContext(YEAR, "468", commune, standard_for_year(YEAR))


# 1. Import, analytics, context -----------------------------------------------------------------------


def test_importing_rasoat_gx_imports_no_great_expectations_and_sets_nothing() -> None:
    code = (
        "import os, sys, rasoat.gx, rasoat.validation, rasoat.consolidation, rasoat.prefect_settings\n"
        "rasoat.prefect_settings.configure_prefect()\n"
        "assert 'great_expectations' not in sys.modules\n"
        "assert 'GX_ANALYTICS_ENABLED' not in os.environ\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GX_ANALYTICS_ENABLED"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT, env=env)


def test_first_use_imports_great_expectations_with_analytics_off() -> None:
    code = (
        "import os, sys\n"
        "from rasoat.gx import gx\n"
        "assert gx() is sys.modules['great_expectations'] and gx() is gx()\n"
        "assert os.environ['GX_ANALYTICS_ENABLED'] == 'False'\n"
    )
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "True"}  # no internet here: the switch wins
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT, env=env)


def test_the_analytics_switch_lives_in_one_place() -> None:
    places = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("rasoat", "flows", "tasks")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if "GX_ANALYTICS_ENABLED" in path.read_text(encoding="utf-8")
    ]
    assert places == ["rasoat/gx/runtime.py"]


def test_rasoat_gx_imports_nothing_of_its_callers() -> None:
    imported = {
        line.split()[1]
        for path in (PROJECT_ROOT / "rasoat" / "gx").glob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(("from rasoat", "import rasoat"))
    }
    assert imported and all(name == "rasoat.gx" or name.startswith("rasoat.gx.") for name in imported)


def test_one_context_serves_the_submission_and_the_consolidated_suites() -> None:
    parsed, context = _submission(error_rate=0.0)
    validate_submission(parsed, context)
    shared = runtime.context()
    run_suite(consolidated.TABLE, _checks_frame(), consolidated.consolidated_suite(), PARAMETERS)
    assert runtime.context() is shared
    assets = set(shared.data_sources.get(runtime.DATASOURCE).get_asset_names())
    assert {"ho", "thanh_vien", consolidated.TABLE} <= assets


# 2. Running a suite -----------------------------------------------------------------------------------


def test_outcomes_give_counts_and_failing_index_labels_never_values() -> None:
    suite = build_suite(
        "probe",
        [
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a", "min_value": 0},
             "meta": {"check": "probe.a"}},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "absent", "min_value": 0},
             "meta": {"check": "probe.absent"}},
            {"type": "expect_column_values_to_be_in_type_list",
             "kwargs": {"column": "a", "type_list": ["int64"]}, "meta": {"check": "probe.type"}},
            {"type": "expect_table_columns_to_match_set",
             "kwargs": {"column_set": ["a", "b"], "exact_match": False}, "meta": {"check": "probe.columns"}},
        ],
    )  # fmt: skip
    frame = pd.DataFrame({"a": [1.0, -2.0, None, -7.5]}, index=[5, 6, 7, 8])
    run = run_suite("probe", frame, suite, {})
    got = run.by_check()
    assert (got["probe.a"].evaluated, got["probe.a"].failed, got["probe.a"].rows) == (3, 2, [6, 8])
    assert got["probe.a"].column == "a" and got["probe.a"].meta == {"check": "probe.a"}
    # A column the table lacks: a column-presence check reports it, this one is not evaluated.
    assert (got["probe.absent"].evaluated, got["probe.absent"].failed) == (0, 0)
    assert (got["probe.type"].evaluated, got["probe.type"].failed, got["probe.type"].observed) == (
        1,
        1,
        "float64",
    )
    assert got["probe.columns"].details == {"mismatched": {"missing": ["b"]}}
    shown = json.dumps([r.result for r in run.raw.results], default=str)
    assert "-7.5" not in shown and "unexpected_list" not in shown


def test_great_expectations_keeps_no_frame_after_a_run() -> None:
    """A worker validates commune after commune: GX's engine used to keep the last frame of each
    table until the next run of that table replaced it, so the previous commune's checked tables
    stayed in memory through the whole next commune."""
    suite = build_suite(
        "probe",
        [
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a", "min_value": 0},
             "meta": {"check": "probe.a"}},
        ],
    )  # fmt: skip
    frame = pd.DataFrame({"a": [1.0, -2.0, 3.0]})
    kept = weakref.ref(frame)
    assert run_suite("probe", frame, suite, {}).by_check()["probe.a"].failed == 1
    del frame
    gc.collect()
    assert kept() is None
    # The next run loads its own frame again: nothing it needs was dropped.
    assert run_suite("probe", pd.DataFrame({"a": [-1.0, -2.0]}), suite, {}).by_check()["probe.a"].failed == 2


def test_an_expectation_gx_cannot_evaluate_is_an_error() -> None:
    suite = build_suite(
        "probe",
        [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "a", "min_value": 0},
                "meta": {"check": "probe.a"},
            }
        ],
    )
    with pytest.raises(GXRunError, match=r"^probe\.a: "):
        run_suite("probe", pd.DataFrame({"a": ["x", 1, None]}), suite, {})


def test_suite_files_are_read_with_clear_errors(tmp_path: Path) -> None:
    raw = read_suite(PROJECT_ROOT / "expectations" / "consolidated.json", "consolidated")
    assert raw["name"] == "consolidated" and raw["expectations"]
    with pytest.raises(SuiteFileError, match="suite name must be 'ho'"):
        read_suite(PROJECT_ROOT / "expectations" / "consolidated.json", "ho")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(SuiteFileError, match="cannot read expectation suite"):
        read_suite(broken, "broken")
    with pytest.raises(SuiteFileError, match="cannot read expectation suite"):
        read_suite(tmp_path / "missing.json", "missing")


# 3. The memo: a patch of GX internals -----------------------------------------------------------------


def test_the_gx_internals_the_memo_wraps_are_still_there() -> None:
    gx()
    from great_expectations.datasource.fluent.interfaces import Batch
    from great_expectations.expectations.expectation import Expectation

    memo.install()
    found = Expectation.__dict__.get("configuration")
    assert isinstance(found, property) and found.fget is memo._configuration, found
    assert memo._build is not None and list(inspect.signature(memo._build).parameters) == ["self"]
    assert memo.gx_getter() is memo._build
    # What makes the memo worth having: GX's kwargs helpers read `self.configuration` per key.
    for helper in ("_get_domain_kwargs", "_get_success_kwargs"):
        assert "self.configuration" in inspect.getsource(getattr(Expectation, helper)), helper
    assert callable(Expectation._get_runtime_kwargs)
    parameters = inspect.signature(Batch.validate).parameters
    assert {"expect", "result_format", "expectation_parameters"} <= set(parameters)


def test_the_memo_refuses_a_gx_without_the_configuration_property(monkeypatch: pytest.MonkeyPatch) -> None:
    gx()
    from great_expectations.expectations.expectation import Expectation

    monkeypatch.setattr(Expectation, "configuration", None)
    with pytest.raises(memo.MemoNotApplicable):
        memo.gx_getter()


def test_the_memo_builds_each_configuration_far_fewer_times(monkeypatch: pytest.MonkeyPatch) -> None:
    suite, frame = consolidated.consolidated_suite(), _checks_frame()
    run_suite(consolidated.TABLE, frame, suite, PARAMETERS)  # GX warmed up
    with _counted_builds() as builds:
        with_memo = run_suite(consolidated.TABLE, frame, suite, PARAMETERS)
        memoised = builds()
        monkeypatch.setattr(runner, "memo_scope", contextlib.nullcontext)
        without = run_suite(consolidated.TABLE, frame, suite, PARAMETERS)
        plain = builds() - memoised
    assert memoised > 0 and plain >= 5 * memoised, (memoised, plain)
    assert with_memo.outcomes == without.outcomes
    assert any(o.failed for o in with_memo.outcomes)  # the comparison covers failures too


def _report(parsed: Any, context: ValidationContext) -> ValidationReport:
    report = validate_submission(parsed, context)
    assert any(not c.success for c in report.checks)  # the comparison covers failures too
    return report


def test_the_memo_changes_no_submission_result(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed, context = _submission(error_rate=0.05)
    with _counted_builds() as builds:
        memoised = _report(parsed, context)
        with_memo = builds()
        monkeypatch.setattr(runner, "memo_scope", contextlib.nullcontext)
        plain = _report(parsed, context)
        without = builds() - with_memo
    assert plain.checks == memoised.checks and plain.findings == memoised.findings
    assert without >= 5 * with_memo, (with_memo, without)


# 4. The narrowing: a patch of GX internals; no fingerprints --------------------------------------------


@contextlib.contextmanager
def _counted_narrowings() -> Iterator[Callable[[], int]]:
    """Count the domain records narrowed to their columns inside the block."""
    narrow.install()
    count = 0
    original = narrow.domain_columns

    def counting(domain_kwargs: dict) -> list[str] | None:
        nonlocal count
        found = original(domain_kwargs)
        count += found is not None
        return found

    narrow.domain_columns = counting  # type: ignore[assignment]
    try:
        yield lambda: count
    finally:
        narrow.domain_columns = original  # type: ignore[assignment]


def test_the_gx_internals_the_narrowing_wraps_are_still_there() -> None:
    gx()
    from great_expectations.execution_engine import PandasExecutionEngine

    narrow.install()
    assert PandasExecutionEngine.__dict__["get_domain_records"] is narrow._get_domain_records
    assert narrow._records is not None and narrow.gx_method() is narrow._records
    assert list(inspect.signature(narrow._records).parameters) == ["self", "domain_kwargs"]
    # What makes it worth having: a column metric takes its domain's records, then filters them.
    from great_expectations.expectations.metrics.map_metric_provider import (
        column_condition_partial,
        map_condition_auxilliary_methods,
    )

    assert "get_compute_domain(" in inspect.getsource(column_condition_partial)
    assert "get_domain_records(" in inspect.getsource(
        map_condition_auxilliary_methods._pandas_map_condition_index
    )
    # What makes it safe: the runner asks for index labels only, never rows or index columns.
    assert not {"include_unexpected_rows", "unexpected_index_column_names"} & set(runner.RESULT_FORMAT)


def test_the_narrowing_refuses_a_gx_without_get_domain_records(monkeypatch: pytest.MonkeyPatch) -> None:
    gx()
    from great_expectations.execution_engine import PandasExecutionEngine

    monkeypatch.setattr(PandasExecutionEngine, "get_domain_records", None)
    with pytest.raises(narrow.NarrowNotApplicable):
        narrow.gx_method()


def test_the_narrowing_changes_no_suite_result(monkeypatch: pytest.MonkeyPatch) -> None:
    suite, frame = consolidated.consolidated_suite(), _checks_frame()
    with _counted_narrowings() as narrowed:
        with_narrowing = run_suite(consolidated.TABLE, frame, suite, PARAMETERS)
        assert narrowed() > 0
    monkeypatch.setattr(runner, "narrow_scope", contextlib.nullcontext)
    without = run_suite(consolidated.TABLE, frame, suite, PARAMETERS)
    assert with_narrowing.outcomes == without.outcomes
    assert any(o.failed for o in with_narrowing.outcomes)  # the comparison covers failures too


def test_the_narrowing_changes_no_submission_result(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed, context = _submission(error_rate=0.05)
    with _counted_narrowings() as narrowed:
        narrowing = _report(parsed, context)
        assert narrowed() > 0
    monkeypatch.setattr(runner, "narrow_scope", contextlib.nullcontext)
    plain = _report(parsed, context)
    assert plain.checks == narrowing.checks and plain.findings == narrowing.findings


def test_outside_a_suite_run_gx_sees_whole_tables() -> None:
    gx()
    narrow.install()
    from great_expectations.execution_engine import PandasExecutionEngine

    engine = PandasExecutionEngine()
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    engine.load_batch_data("probe", frame)
    assert list(engine.get_domain_records({"batch_id": "probe", "column": "a"}).columns) == ["a", "b"]
    with narrow.narrow_scope():
        assert list(engine.get_domain_records({"batch_id": "probe", "column": "a"}).columns) == ["a"]
        assert list(engine.get_domain_records({"batch_id": "probe"}).columns) == ["a", "b"]


def test_no_frame_is_fingerprinted() -> None:
    gx()
    from great_expectations.execution_engine import pandas_execution_engine

    assert pandas_execution_engine.HASH_THRESHOLD == 0
    run = run_suite(consolidated.TABLE, _checks_frame(), consolidated.consolidated_suite(), PARAMETERS)
    markers = run.raw.meta["batch_markers"]
    assert "ge_load_time" in markers and "pandas_data_fingerprint" not in markers


# 5. Counts first, failing rows only for the checks that failed ----------------------------------------


def test_failed_checks_alone_run_again_with_their_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    suite, frame = consolidated.consolidated_suite(), _checks_frame()
    two_phase = run_suite(consolidated.TABLE, frame, suite, PARAMETERS)
    monkeypatch.setattr(runner, "_check_keys", lambda _suite: None)  # one COMPLETE run, as before
    complete = run_suite(consolidated.TABLE, frame, suite, PARAMETERS)
    assert two_phase.outcomes == complete.outcomes
    failed = [o for o in two_phase.outcomes if o.failed]
    assert failed and any(o.rows for o in failed)  # the comparison covers failing rows too
    formats = {
        r.expectation_config.meta["check"]: "unexpected_index_list" in r.result for r in two_phase.raw.results
    }
    assert all(formats[o.check] for o in failed if o.rows)
    assert not any(formats[o.check] for o in two_phase.outcomes if not o.failed and o.evaluated > 1)
    assert [r.success for r in two_phase.raw.results] == [r.success for r in complete.raw.results]


def test_counts_first_changes_no_submission_result(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed, context = _submission(error_rate=0.05)
    two_phase = _report(parsed, context)
    monkeypatch.setattr(runner, "_check_keys", lambda _suite: None)
    complete = _report(parsed, context)
    assert two_phase.checks == complete.checks and two_phase.findings == complete.findings
    assert any(f.row is not None for f in two_phase.findings)


def test_a_clean_table_runs_its_suite_once(monkeypatch: pytest.MonkeyPatch) -> None:
    gx()
    from great_expectations.datasource.fluent.interfaces import Batch

    runs: list[str] = []
    validate = Batch.validate

    def counted(self: Any, expect: Any, **kwargs: Any) -> Any:
        runs.append(kwargs["result_format"]["result_format"])
        return validate(self, expect, **kwargs)

    monkeypatch.setattr(Batch, "validate", counted)
    clean = pd.DataFrame({c: [0.0, 0.0] for c in _checks_frame().columns}, index=[100, 101])
    run = run_suite(consolidated.TABLE, clean, consolidated.consolidated_suite(), PARAMETERS)
    assert runs == ["BASIC"] and not any(o.failed for o in run.outcomes), run.outcomes
