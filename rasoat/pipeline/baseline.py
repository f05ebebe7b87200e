"""Importing last years' approved lists (a baseline) so the first round in rasoat has movements.

The file is the long form the generator writes as history.csv and a province's database exports:
`household_id, commune_code, year, status, members`, one row per household and year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from rasoat.admin_units import communes_of
from rasoat.db import audit
from rasoat.db.history import HISTORY_COLUMNS, replace_history
from rasoat.schema import Status


class BaselineError(ValueError):
    """The baseline file cannot be imported; the message names the file, row and column."""


@dataclass(frozen=True)
class BaselineImport:
    rows: int
    years: list[int]
    communes: int


def read_baseline(path: Path, district_code: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype={"household_id": str, "commune_code": str}, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise BaselineError(f"{path.name}: không đọc được tệp ({type(exc).__name__})") from None
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise BaselineError(f"{path.name}: thiếu cột {', '.join(missing)}")
    frame["commune_code"] = frame["commune_code"].str.zfill(5)
    statuses = {s.value for s in Status}
    checks = (
        ("status", ~frame["status"].isin(statuses), f"cần một trong {', '.join(sorted(statuses))}"),
        ("year", pd.to_numeric(frame["year"], errors="coerce").isna(), "cần năm (số)"),
        ("members", pd.to_numeric(frame["members"], errors="coerce").isna(), "cần số nhân khẩu"),
        (
            "commune_code",
            ~frame["commune_code"].isin({c.code for c in communes_of(district_code)}),
            f"cần mã một xã của huyện {district_code}",
        ),
    )
    for column, bad, expected in checks:
        if bad.any():
            first = int(bad.to_numpy().argmax()) + 2  # header is line 1
            raise BaselineError(
                f"{path.name}, dòng {first}, cột '{column}': {expected} ({int(bad.sum())} dòng sai)"
            )
    frame["year"] = frame["year"].astype(int)
    frame["members"] = frame["members"].astype(int)
    return frame[HISTORY_COLUMNS]


def import_baseline(session: Session, path: Path, district_code: str, actor: str) -> BaselineImport:
    frame = read_baseline(path, district_code)
    rows = replace_history(session, frame, "baseline")
    years = sorted(int(y) for y in frame["year"].unique())
    audit(
        session,
        actor,
        "baseline.imported",
        "district",
        district_code,
        {"file": path.name, "rows": rows, "years": years},
    )
    return BaselineImport(rows=rows, years=years, communes=int(frame["commune_code"].nunique()))
