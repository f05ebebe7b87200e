"""The §6.3 invariants of the consolidated tables, checked with Great Expectations.

Cross-table invariants are first turned into one derived *checks frame*: one row per row of the
tables (the unit's total, then its districts/communes), one numeric column per invariant (a
difference that must be 0, a margin that must be ≥ 0, a count of wrong cells that must be 0, NaN
where the invariant does not apply to the row). The suite `expectations/consolidated.json` then
states the expectations on those columns; `check_tables` runs it and returns one `CheckResult` per
expectation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rasoat.consolidation import suite
from rasoat.consolidation.spec import ID_COLUMNS, TABLES, UNITS
from rasoat.consolidation.tables import ConsolidatedTables, poor_rates, rate, to_wide
from rasoat.gx import run_suite
from rasoat.schema import INDICATOR_COLUMNS
from rasoat.validation.findings import CheckResult, Severity

RATE_TOLERANCE = 1e-9  # rates are compared exactly, up to float noise
SUMMED_TABLES = ("r1", "r2", "r3", "r4", "r6", "r8", "r9", "r10", "r11")
RATE_TABLES = ("r1", "r5", "r7", "r9")

PreviousRates = Mapping[str, float] | pd.Series | ConsolidatedTables | None


def _f(values) -> np.ndarray:
    return np.asarray(values, dtype="float64")


def _sum_gap(wide: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Per total row: the largest |row − Σ rows directly under it| over `keys`; NaN for rows with no
    rows under them (communes)."""
    values = wide[keys].astype("float64")
    children = values.groupby(wide["parent_code"].astype("object")).sum()
    aligned = children.reindex(wide["code"].astype("object")).to_numpy()
    gap = np.abs(values.to_numpy() - aligned)
    has_children = ~np.isnan(aligned).any(axis=1)
    out = np.full(len(wide), np.nan)
    out[has_children] = gap[has_children].max(axis=1)
    return out


def _wrong_rates(tables: ConsolidatedTables, key: str) -> np.ndarray:
    """Per row: how many rate cells differ from count / denominator × 100 (2 decimals, blank at 0)."""
    table = tables[key]
    wrong = np.zeros(len(table))
    for column in TABLES[key].rate_columns:
        r = column.rate
        source = tables[r.numerator_table] if r.numerator_table else table
        expected = rate(_f(source[r.numerator]), _f(table[r.denominator]))
        actual = _f(table[column.key])
        same = (np.isnan(expected) & np.isnan(actual)) | (np.abs(actual - expected) <= RATE_TOLERANCE)
        wrong += ~same
    return wrong


def _mismatches(*pairs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.sum([_f(a) != _f(b) for a, b in pairs], axis=0).astype("float64")


def _previous(previous_rates: PreviousRates) -> pd.Series:
    if previous_rates is None:
        return pd.Series(dtype="float64")
    if isinstance(previous_rates, ConsolidatedTables):
        return poor_rates(previous_rates)
    series = pd.Series(previous_rates, dtype="float64")
    series.index = series.index.astype(str)
    return series


def checks_frame(tables: ConsolidatedTables, previous_rates: PreviousRates = None) -> pd.DataFrame:
    """One row per row of the tables, one column per invariant (see the module docstring).

    `previous_rates`: last year's poor-household rate (%) per unit code (a mapping, a Series, or last
    year's `ConsolidatedTables`); units without one are not checked for the year-on-year change."""
    r1 = tables["r1"]
    wide = {key: to_wide(TABLES[key], tables[key]) for key in SUMMED_TABLES}
    for key, frame in [*wide.items(), *((k, tables[k]) for k in ("r5", "r7"))]:
        if not frame["code"].astype(str).reset_index(drop=True).equals(r1["code"].astype(str)):
            raise ValueError(f"bảng {key} không cùng danh sách dòng với bảng r1")
    out = r1.loc[:, [c for c in ID_COLUMNS if c != "no_data"]].copy()
    m = tables.min_deprivations

    for key in ("r2", "r3"):
        w = wide[key]
        for unit in UNITS:
            c = {i: _f(w[f"{unit}.c{i}"]) for i in range(1, 10)}
            out[f"{key}_identity_{unit}"] = c[9] - (c[1] - c[2] - c[3] - c[4] + c[5] + c[6] + c[7] + c[8])
    w2, w3 = wide["r2"], wide["r3"]
    for unit in UNITS:
        out[f"poor_to_near_{unit}"] = _f(w2[f"{unit}.c2"]) - _f(w3[f"{unit}.c5"])
        out[f"near_to_poor_{unit}"] = _f(w3[f"{unit}.c3"]) - _f(w2[f"{unit}.c5"])
    for key, status in (("r2", "poor"), ("r3", "near_poor")):
        for unit in UNITS:
            out[f"{key}_end_vs_r1_{unit}"] = _f(wide[key][f"{unit}.c9"]) - _f(r1[f"{status}_{unit}"])

    for key in SUMMED_TABLES:
        spec = TABLES[key]
        keys = [f"{u}.{c}" for u in UNITS for c in spec.count_keys] if spec.long else list(spec.count_keys)
        out[f"{key}_sum"] = _sum_gap(wide[key], keys)
    for key in RATE_TABLES:
        out[f"{key}_rates"] = _wrong_rates(tables, key)

    for key, status in (("r4", "poor"), ("r6", "near_poor")):
        t = tables[key]
        households = _f(t[f"{status}_households"])
        indicators = t.loc[:, list(INDICATOR_COLUMNS)].to_numpy(dtype="float64")
        total = _f(t["total_deprivations"])
        out[f"{key}_total_vs_indicators"] = total - indicators.sum(axis=1)
        out[f"{key}_indicators_over_households"] = (
            (indicators > households[:, None]).sum(axis=1).astype(float)
        )
    out["r4_min_deprivations"] = _f(tables["r4"]["total_deprivations"]) - m * _f(
        tables["r4"]["poor_households"]
    )
    out["r6_max_deprivations"] = (m - 1) * _f(tables["r6"]["near_poor_households"]) - _f(
        tables["r6"]["total_deprivations"]
    )
    out["deprivation_tables_vs_r1"] = _mismatches(
        (tables["r4"]["poor_households"], r1["poor_households"]),
        (tables["r5"]["poor_households"], r1["poor_households"]),
        (tables["r6"]["near_poor_households"], r1["near_poor_households"]),
        (tables["r7"]["near_poor_households"], r1["near_poor_households"]),
    )

    r8 = tables["r8"]
    out["r8_vs_r1"] = _mismatches(
        (r8["poor_households"], r1["poor_households"]),
        (r8["near_poor_households"], r1["near_poor_households"]),
    ) + sum(
        (_f(r8[f"{s}_{g}"]) > _f(r8[f"{s}_households"])).astype(float)
        for s in ("poor", "near_poor")
        for g in ("no_labour_capacity", "merit")
    )
    r9 = tables["r9"]
    out["r9_vs_r1"] = _mismatches(
        (_f(r9["minority_households"]) + _f(r9["kinh_households"]), r1["households"]),
        (_f(r9["minority_poor_households"]) + _f(r9["kinh_poor_households"]), r1["poor_households"]),
        (
            _f(r9["minority_near_poor_households"]) + _f(r9["kinh_near_poor_households"]),
            r1["near_poor_households"],
        ),
    )
    r10 = tables["r10"]
    causes = [c.key for c in TABLES["r10"].columns if c.key != "poor_households"]
    out["r10_vs_r1"] = _mismatches(
        (r10["poor_households"], r1["poor_households"]),
        (r10.loc[:, causes].to_numpy(dtype="float64").sum(axis=1), r10["poor_households"]),
    )
    r11 = tables["r11"]
    measures = ("children_no_insurance", "children_malnourished", "children_out_of_school")
    over = sum(
        (_f(r11[f"{p}{mk}"]) > _f(r11[f"{p}children"])).astype(float)
        for p in ("", "poor_", "near_poor_")
        for mk in measures
    )
    split = _mismatches(
        *((r11[mk], _f(r11[f"poor_{mk}"]) + _f(r11[f"near_poor_{mk}"])) for mk in ("children", *measures))
    )
    out["r11_consistency"] = over + split

    is_commune = (r1["level"] == "commune").to_numpy()
    out["commune_no_data"] = np.where(is_commune, r1["no_data"].to_numpy(dtype=float), np.nan)
    previous = _previous(previous_rates).reindex(r1["code"].astype(str)).to_numpy(dtype="float64")
    out["poor_rate_change_pp"] = np.abs(_f(r1["poor_households_rate"]) - previous)
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class ConsolidationCheck:
    """The outcome of the consolidated suite on one unit's tables."""

    results: list[CheckResult]  # one per expectation, in suite order
    failures: pd.DataFrame  # one row per (check, failing row): check, severity, level, code, name,
    #                         value, message_vi (Vietnamese, for the district/province officer)
    frame: pd.DataFrame  # the checks frame the suite ran on

    @property
    def blocking(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity is Severity.BLOCKING and not r.success]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity is Severity.WARNING and not r.success]

    @property
    def passed(self) -> bool:
        """No blocking check failed (warnings allowed)."""
        return not self.blocking


def _value_text(value: float) -> str:
    return f"{value:g}".replace(".", ",")  # Vietnamese decimal comma


def run_checks(tables: ConsolidatedTables, previous_rates: PreviousRates = None) -> ConsolidationCheck:
    """Run `expectations/consolidated.json` on the tables' checks frame, with the failing rows.

    Great Expectations is imported on first use (≈ 5 s, once per process)."""
    from rasoat.consolidation.settings import load_settings

    frame = checks_frame(tables, previous_rates)
    parameters = {"poor_rate_change_warning_pp": load_settings().poor_rate_change_warning_pp}
    outcomes = run_suite(suite.TABLE, frame, suite.consolidated_suite(), parameters).outcomes
    results = [suite.check_result(o) for o in outcomes]
    rows = []
    for outcome, result in zip(outcomes, results, strict=True):
        column = result.column
        for index in outcome.rows:
            row = frame.loc[index]
            value = float(row[column])
            rows.append(
                {
                    "check": result.check,
                    "severity": result.severity.value,
                    "level": row["level"],
                    "code": row["code"],
                    "name": row["name"],
                    "value": value,
                    "message_vi": outcome.meta.get("message_vi", result.title_vi).format(
                        code=row["code"], name=row["name"], value=_value_text(value), **parameters
                    ),
                }
            )
    columns = ["check", "severity", "level", "code", "name", "value", "message_vi"]
    return ConsolidationCheck(results, pd.DataFrame(rows, columns=columns), frame)


def check_tables(tables: ConsolidatedTables, previous_rates: PreviousRates = None) -> list[CheckResult]:
    """One `CheckResult` per expectation of `expectations/consolidated.json` (see `run_checks` for
    the failing rows)."""
    return run_checks(tables, previous_rates).results
