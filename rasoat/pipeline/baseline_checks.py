"""The re-homed lists reconcile with the lists as recorded: `expectations/baseline_rehome.json`.

For each new province, year and status: the households (rows: one household in one year) and members
of its old constituents, as the file recorded them, must equal what was re-homed into the province's
new units plus what could not be placed. Unplaced households are a bucket of their own, attributed to
the province of their old unit, so the totals still reconcile while they wait for the province (a
warning says how many there are; the blocking checks are the equalities). A failure means rows were
lost, doubled or changed on the way (a conversion table that lists a pair twice, a bad merge): the
import is refused before anything is written.

The old side is computed from the file and the conversion table alone, independently of the
placement: an old commune belongs to the province of its successors (all of a commune's successors
are in one province on the official table; were it not so, to the importing province), a row of a
year on the two-tier map to its unit's province.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from rasoat import unit_codes
from rasoat.admin.maps import admin_map
from rasoat.admin.rehome import Rehomed, successor_pairs, target_map_for
from rasoat.config import PROJECT_ROOT
from rasoat.gx import SuiteFileError, read_suite, run_suite, suite_from_file
from rasoat.schema import STATUS_LABELS_VI, Status
from rasoat.validation.findings import CheckResult, Severity

SUITE_NAME = "baseline_rehome"
SUITE_PATH = PROJECT_ROOT / "expectations" / f"{SUITE_NAME}.json"
TABLE = "baseline_totals"  # the GX data asset's name
REQUIRED_META = ("check", "severity", "title_vi", "expected_vi", "message_vi")
KEYS = ["province_code", "year", "status"]
COUNTS = (
    "old_households",
    "old_members",
    "placed_households",
    "placed_members",
    "unplaced_households",
    "unplaced_members",
)


@cache
def load_suite_config(path: Path = SUITE_PATH) -> dict[str, Any]:
    raw = read_suite(path, SUITE_NAME)
    for expectation in raw["expectations"]:
        missing = [k for k in REQUIRED_META if k not in expectation.get("meta", {})]
        if missing:
            raise SuiteFileError(f"{path.name}: expectation {expectation.get('type')} lacks meta {missing}")
        Severity(expectation["meta"]["severity"])
    return raw


@cache
def rehome_suite() -> Any:
    return suite_from_file(load_suite_config())


def _province_of_recorded(codes: pd.Series, years: pd.Series, importing: str) -> pd.Series:
    """The new province a row belongs to, from its recorded code and year (see the module docstring)."""
    target = target_map_for(years)
    pairs = successor_pairs(target)
    pairs["province_code"] = pairs["new_code"].map(target.units["province_code"])
    provinces = pairs.groupby("old_code")["province_code"].agg(
        lambda p: p.iloc[0] if p.nunique() == 1 else importing
    )
    two_tier = years.map({int(y): admin_map(int(y)).is_two_tier for y in years.unique()}).astype(bool)
    by_old = codes.map(provinces)
    by_new = codes.map(target.units["province_code"])
    return by_new.where(two_tier, by_old).fillna(importing).astype(str)


def _totals(frame: pd.DataFrame, province: pd.Series, prefix: str) -> pd.DataFrame:
    grouped = frame.assign(province_code=province.to_numpy(), members=frame["members"].astype("int64"))
    out = grouped.groupby(KEYS)["members"].agg(households="size", members="sum")
    return out.rename(columns=lambda c: f"{prefix}_{c}")


def totals_frame(source: pd.DataFrame, rehomed: Rehomed) -> pd.DataFrame:
    """One row per (new province, year, status) with COUNTS and the two gaps that must be 0."""
    importing = rehomed.province_code
    codes = source["commune_code"].astype(str).str.zfill(5)
    years = source["year"].astype("int64")
    old = _totals(source.assign(year=years), _province_of_recorded(codes, years, importing), "old")
    placed = rehomed.placed
    placed_province = placed["commune_code"].map(target_map_for(years).units["province_code"]).fillna("??")
    new = _totals(placed, placed_province, "placed")
    unplaced = rehomed.unplaced
    waiting = _totals(
        unplaced,
        _province_of_recorded(
            unplaced["recorded_commune_code"].astype(str), unplaced["year"].astype("int64"), importing
        )
        if len(unplaced)
        else pd.Series(dtype=str),
        "unplaced",
    )
    out = old.join([new, waiting], how="outer").fillna(0).astype("int64").reset_index()
    out["households_gap"] = out["old_households"] - out["placed_households"] - out["unplaced_households"]
    out["members_gap"] = out["old_members"] - out["placed_members"] - out["unplaced_members"]
    out["province_code"] = out["province_code"].map(lambda c: c if c == "??" else unit_codes.province_code(c))
    return out.loc[:, [*KEYS, *COUNTS, "households_gap", "members_gap"]]


@dataclass(frozen=True)
class RehomeCheck:
    results: list[CheckResult]
    failures: pd.DataFrame  # check, severity, province_code, year, status, message_vi
    frame: pd.DataFrame

    @property
    def passed(self) -> bool:
        """No blocking check failed (unplaced households are a warning)."""
        return not any(r.severity is Severity.BLOCKING and not r.success for r in self.results)

    def blocking_messages(self) -> list[str]:
        return self.failures.loc[self.failures["severity"] == Severity.BLOCKING.value, "message_vi"].tolist()


def run_rehome_checks(source: pd.DataFrame, rehomed: Rehomed) -> RehomeCheck:
    """Run the suite on `totals_frame`; the failing rows with their Vietnamese messages."""
    frame = totals_frame(source, rehomed)
    outcomes = run_suite(TABLE, frame, rehome_suite(), {}).outcomes
    results, rows = [], []
    for outcome in outcomes:
        meta = outcome.meta
        result = CheckResult(
            suite=SUITE_NAME,
            check=outcome.check,
            severity=Severity(meta["severity"]),
            title_vi=meta["title_vi"],
            column=outcome.column,
            evaluated=outcome.evaluated,
            failed=outcome.failed,
        )
        results.append(result)
        for index in outcome.rows:
            row = frame.loc[index]
            status = row["status"]
            label = STATUS_LABELS_VI.get(Status(status), status) if status in set(Status) else status
            message = meta["message_vi"].format(status_vi=label, **row.to_dict())
            rows.append(
                {
                    "check": outcome.check,
                    "severity": result.severity.value,
                    "province_code": row["province_code"],
                    "year": int(row["year"]),
                    "status": status,
                    "message_vi": message,
                }
            )
    columns = ["check", "severity", "province_code", "year", "status", "message_vi"]
    return RehomeCheck(results, pd.DataFrame(rows, columns=columns), frame)
