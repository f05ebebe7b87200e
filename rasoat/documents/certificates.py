"""Giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu số 03, QĐ 24/2021): one page per recognised household,
one PDF per commune.

The page shows the household head, the members (I), and the classification by year of the
standard's period with the deprived indicators (II). Per-household work here is only what each page
needs (its member rows); the selection and the year grid are vectorised.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from rasoat.documents.agency import Agency, collective_signature
from rasoat.documents.bases import document_bases, period_year
from rasoat.documents.lists import list_masks
from rasoat.schema import INDICATOR_COLUMNS, Status
from rasoat.standards import Standard

STATUS_MARKS = {Status.POOR.value: "N", Status.NEAR_POOR.value: "CN"}
STATUS_VI = {Status.POOR.value: "HỘ NGHÈO", Status.NEAR_POOR.value: "HỘ CẬN NGHÈO"}
MALE = ("nam", "1", "m")


def recognised(households: pd.DataFrame) -> pd.DataFrame:
    """Households that get a certificate (poor and near-poor), in list order."""
    masks = list_masks(households)
    chosen = households.loc[masks["poor"] | masks["near_poor"]]
    return chosen.sort_values(["village", "household_id"], kind="stable").reset_index(drop=True)


def year_marks(chosen: pd.DataFrame, history: pd.DataFrame, years: list[int], year: int) -> pd.DataFrame:
    """N / CN per household and year of the period (earlier years from the approved history)."""
    past = history.loc[history["household_id"].isin(chosen["household_id"]) & history["year"].isin(years)]
    grid = (
        past.assign(mark=past["status"].astype("object").map(STATUS_MARKS).fillna(""))
        .pivot_table(index="household_id", columns="year", values="mark", aggfunc="last")
        .reindex(index=chosen["household_id"], columns=years)
    )
    grid[year] = chosen["status"].astype("object").map(STATUS_MARKS).fillna("").to_numpy()
    return grid.astype(object).fillna("").astype(str)  # an all-empty grid is float: no str fill


def deprived_lists(chosen: pd.DataFrame) -> np.ndarray:
    """ "1, 4, 7" per household: the indicators it is deprived in."""
    flags = chosen[list(INDICATOR_COLUMNS)].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy() == 1
    labels = np.array([str(i) for i in range(1, len(INDICATOR_COLUMNS) + 1)], dtype=object)
    return np.array([", ".join(labels[row]) for row in flags], dtype=object)


def _birth_years(members: pd.DataFrame) -> pd.Series:
    """The year of birth as text: the stated year, else the year of the full date, else blank."""
    born = pd.to_numeric(members["birth_year"], errors="coerce")
    if "birth_date" in members:
        born = born.fillna(pd.to_datetime(members["birth_date"], errors="coerce").dt.year)
    return born.astype("Int64").astype(str).replace("<NA>", "")


def certificate_pages(
    agency: Agency,
    district_name: str | None,
    province_name: str,
    year: int,
    standard: Standard,
    households: pd.DataFrame,
    members: pd.DataFrame,
    history: pd.DataFrame,
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """(pages, keys): one view per certificate page (without number and date), and per household
    the register key and the hash of what its page shows. The residence names the district on the
    three-level map; on the two-tier map there is none (`district_name` None): "xã Cam Lộ, tỉnh
    Quảng Trị"."""
    chosen = recognised(households)
    years = list(range(standard.period_first_year, min(standard.period_last_year, year) + 1))
    marks = year_marks(chosen, history, years, year)
    deprived = deprived_lists(chosen)
    members = members.loc[members["household_id"].isin(chosen["household_id"])]  # this commune's only
    male = (
        members["sex"].astype("object").fillna("").astype(str).str.strip().str.lower().isin(MALE).to_numpy()
    )
    mem = pd.DataFrame(
        {
            "household_id": members["household_id"].to_numpy(),
            "name": members["full_name"].astype("object").fillna("").to_numpy(),
            "relation": members["relation"].astype("object").fillna("").to_numpy(),
            "born": _birth_years(members),
            "male": male,
        }
    )
    by_household = {k: g for k, g in mem.groupby("household_id", sort=False)}
    empty = mem.iloc[0:0]
    pages: list[dict[str, Any]] = []
    digests: list[str] = []
    residence_tail = ", ".join(p for p in (agency.phrase, district_name, province_name) if p)
    for i, row in enumerate(chosen.itertuples(index=False)):  # one page each: inherently per household
        rows = by_household.get(row.household_id, empty)
        ethnicity = row.ethnicity or ""
        member_rows = [
            [str(k), n, ethnicity, r, b if m else "", "" if m else b]
            for k, (n, r, b, m) in enumerate(
                zip(rows["name"], rows["relation"], rows["born"], rows["male"], strict=True), start=1
            )
        ]
        page = {
            "household_id": row.household_id,
            "head_name": row.head_name or "",
            "head_id_number": row.head_id_number or "",
            "ethnicity": ethnicity,
            "residence": f"{row.village}, {residence_tail}" if row.village else residence_tail,
            "status": STATUS_VI[row.status],
            "members": member_rows,
            "marks": [marks.iat[i, j] for j in range(len(years))],
            "deprived": deprived[i],
        }
        pages.append(page)
        digests.append(hashlib.sha256(json.dumps(page, ensure_ascii=False).encode()).hexdigest())
    keys = pd.DataFrame(
        {
            "doc_key": [f"certificate:{agency.code}:{h}" for h in chosen["household_id"]],
            "data_sha256": digests,
        }
    )
    return pages, keys


def certificates_view(
    agency: Agency, year: int, standard: Standard, pages: list[dict[str, Any]], years: list[int]
) -> dict[str, Any]:
    return {
        "title": f"Giấy chứng nhận hộ nghèo, hộ cận nghèo năm {year} — {agency.unit_name}",
        "agency": agency,
        "year": year,
        "years": years,
        "bases": [
            *document_bases("certificate", standard, period_year(agency, year)),
            f"Căn cứ kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} của Ủy ban nhân dân {agency.phrase}",
        ],
        "authority": f"CHỦ TỊCH {agency.name_upper}",
        "signature": collective_signature(),
        "pages": pages,
    }
