"""Bulk writes on real SQLite and PostgreSQL: COPY / batched inserts keep every value, and rewriting a
commune's rows on rerun is atomic (the old rows or the new ones, never a mix, never none)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from rasoat.classifier import classify
from rasoat.db import (
    get_or_create_round,
    save_classifications,
    save_households,
    session_scope,
    store_submission,
)
from rasoat.db import rows as rows_module
from rasoat.db.models import Classification, Household, Member, Submission
from rasoat.intake import read_submission
from rasoat.standards import standard_for_year

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "468"
YEAR = 2024  # a district round (three-level map)
COMMUNE = "19603"


def _submission(engine: Engine) -> tuple[int, bytes]:
    content = (SAMPLE / f"{COMMUNE}.xlsx").read_bytes()
    with session_scope(engine) as s:
        review_round = get_or_create_round(s, YEAR, "district", "468", standard_for_year(YEAR), "tester")
        submission, _ = store_submission(s, review_round, COMMUNE, f"{COMMUNE}.xlsx", content, "tester")
        return submission.id, content


def _parsed_with_awkward_values(content: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample commune with what real sheets hold: blanks in integer columns (floats then), an
    unknown extra column, members without a birth date, Vietnamese text."""
    parsed = read_submission(content, f"{COMMUNE}.xlsx")
    households = parsed.households.copy()
    households["members"] = households["members"].astype("float64")
    households.loc[households.index[0], "members"] = np.nan
    households.loc[households.index[1], "village"] = None
    households.loc[households.index[1], "meeting_agree_pct"] = None  # a nullable float column's NA
    households["extra:ghi_chu"] = None
    households.loc[households.index[2], "extra:ghi_chu"] = 'Hộ mới tách, ghi chú "có dấu"\t\\ và tab'
    members = parsed.members.copy()
    members.loc[members.index[0], "birth_date"] = pd.NaT
    return households, members


def _stored(engine: Engine, submission_id: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with session_scope(engine) as s:
        households = pd.DataFrame(
            s.execute(
                select(
                    Household.household_id,
                    Household.members,
                    Household.village,
                    Household.income_per_capita,
                    Household.meeting_agree_pct,
                    Household.extra,
                ).where(Household.submission_id == submission_id)
            ).all()
        ).set_index("household_id")
        members = pd.DataFrame(
            s.execute(
                select(Member.household_id, Member.source_row, Member.birth_date, Member.full_name).where(
                    Member.submission_id == submission_id
                )
            ).all()
        ).set_index("source_row")
        classified = pd.DataFrame(
            s.execute(
                select(Classification.household_id, Classification.status, Classification.computed_at).where(
                    Classification.submission_id == submission_id
                )
            ).all()
        ).set_index("household_id")
    return households, members, classified


def _save_all(engine: Engine, submission_id: int, households: pd.DataFrame, members: pd.DataFrame) -> None:
    standard = standard_for_year(YEAR)
    with session_scope(engine) as s:
        submission = s.get(Submission, submission_id)
        save_households(s, submission, households, members)
        classified = households[["household_id", "commune_code", "members"]].join(
            classify(households, standard)
        )
        save_classifications(s, submission, classified, standard)


def test_bulk_write_keeps_every_value(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    submission_id, content = _submission(engine)
    households, members = _parsed_with_awkward_values(content)
    # SQLite sends its rows in batches made as they go: batches of 2 leave a short last one.
    monkeypatch.setattr(rows_module, "BATCH_ROWS", 2)
    paths: list[str] = []
    for name in ("_copy_postgresql", "_insert_sqlite"):
        original = getattr(rows_module, name)
        monkeypatch.setattr(
            rows_module, name, lambda *a, _f=original, _n=name, **k: (paths.append(_n), _f(*a, **k))[1]
        )
    _save_all(engine, submission_id, households, members)
    expected_path = "_copy_postgresql" if engine.dialect.name == "postgresql" else "_insert_sqlite"
    assert set(paths) == {expected_path}  # the fast path of this database, for all three tables

    stored_households, stored_members, classified = _stored(engine, submission_id)
    assert len(stored_households) == len(households) and len(stored_members) == len(members)
    first, second, third = households["household_id"].iloc[:3]
    assert pd.isna(stored_households.loc[first, "members"])
    assert pd.isna(stored_households.loc[second, "village"])
    assert pd.isna(stored_households.loc[second, "meeting_agree_pct"])
    pct = households.set_index("household_id")["meeting_agree_pct"].iloc[2:].astype("float64")
    assert np.allclose(
        stored_households["meeting_agree_pct"].loc[pct.index].astype("float64"), pct, equal_nan=True
    )
    assert stored_households.loc[third, "extra"] == {"ghi_chu": households["extra:ghi_chu"].iloc[2]}
    expected_members = households["members"].iloc[1:].astype("int64").to_numpy()
    assert (
        stored_households["members"].loc[households["household_id"].iloc[1:]].to_numpy() == expected_members
    ).all()
    income = households.set_index("household_id")["income_per_capita"]
    assert (
        stored_households["income_per_capita"]
        .astype("Int64")
        .equals(income.reindex(stored_households.index).astype("Int64"))
    )
    assert pd.isna(stored_members.loc[members["source_row"].iloc[0], "birth_date"])
    row = members.iloc[1]
    assert stored_members.loc[row["source_row"], "birth_date"] == row["birth_date"].date()
    assert stored_members.loc[row["source_row"], "full_name"] == row["full_name"]
    assert isinstance(classified["computed_at"].iloc[0], dt.datetime)
    assert set(classified["status"]) <= {"poor", "near_poor", "mstb", "non_poor"}


def test_rerun_rewrites_the_rows_atomically(engine: Engine) -> None:
    submission_id, content = _submission(engine)
    households, members = _parsed_with_awkward_values(content)
    _save_all(engine, submission_id, households, members)
    before = _stored(engine, submission_id)

    _save_all(engine, submission_id, households, members)  # a rerun: same rows, no duplicates
    again = _stored(engine, submission_id)
    assert [len(f) for f in again] == [len(f) for f in before]

    # A rerun that fails half-way (a duplicate household breaks the unique constraint during the
    # bulk load, after the old rows were deleted) leaves the previous rows exactly as they were.
    broken = pd.concat([households, households.iloc[:1]], ignore_index=True)
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        _save_all(engine, submission_id, broken, members)
    after = _stored(engine, submission_id)
    pd.testing.assert_frame_equal(after[0].sort_index(), before[0].sort_index())
    pd.testing.assert_frame_equal(after[1].sort_index(), before[1].sort_index())
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Classification)) == len(households)
