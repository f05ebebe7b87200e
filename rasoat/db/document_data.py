"""What the documents show, read back from a consolidation one commune at a time: each household
with its head's name, status and movement, last years' statuses, and the members of the recognised
households (for the certificates).

Movements are recomputed as the consolidation computed them (they are not stored on the
classification rows): the same accepted submission, the same approved history. Only the commune's
own rows are read, so a province's documents never hold the whole province in one process.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rasoat.applied_standard import round_standard
from rasoat.db.history import load_history
from rasoat.db.models import Classification, Consolidation, Household, Member, ReviewRound
from rasoat.db.round_data import HOUSEHOLD_FIELDS, classified_households, rows_from_query
from rasoat.movements import compute_movements, previous_round
from rasoat.schema import Status

PEOPLE_FIELDS = ("household_id", "head_name", "head_id_number")
LISTED = (Status.POOR.value, Status.NEAR_POOR.value)
ID_CHUNK = 500
MEMBER_FIELDS = ("household_id", "full_name", "relation", "birth_year", "birth_date", "sex", "id_number")


def commune_households(
    session: Session, consolidation: Consolidation, commune_code: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(households, history) of one commune of the consolidation: the households its documents
    show, with head name and id number, status, deprivations and movements, in file order; and the
    commune's households on last years' lists (poor and near-poor rows of the approved history).

    The documents show only households on a list: poor or near-poor now (the lists and the
    certificates), or poor or near-poor last year and still in the roster (the escaped lists).
    Only those are read, about a tenth of a commune and of its history. The movements the lists
    use (stayed, to or from the sibling group, escaped) depend only on each listed household's own
    statuses and are exact; a household that joined a list is `new` or `re_entered` here, never
    `other_increase` (which needs last year's whole roster, and no document shows it)."""
    review_round = session.get(ReviewRound, consolidation.round_id)
    assert review_round is not None
    standard = round_standard(review_round)
    submission_id = int(consolidation.submissions[commune_code])
    history = load_history(
        session,
        [commune_code],
        standard.period_first_year,
        review_round.year - 1,
        map_year=review_round.year,
        statuses=LISTED,
    )
    previous = previous_round(history, review_round.year, standard.period_first_year)
    was_listed = previous["household_id"].astype("object").drop_duplicates().tolist()
    households = listed_households(session, submission_id, was_listed)
    # Last years' lists without their non-poor rows read as an imported list (roster incomplete):
    # what the documents use (stayed, to or from the sibling group, escaped) comes out exactly.
    moves = compute_movements(
        households[["household_id", "status", "members"]], previous, roster_complete=False
    )
    moves = moves.loc[moves["status"].notna()].drop_duplicates("household_id").set_index("household_id")
    for column in ("poor_movement", "near_poor_movement", "previous_status"):
        households[column] = households["household_id"].map(moves[column].astype("object")).astype("object")
    return households, history


def listed_households(session: Session, submission_id: int, was_listed: list[str]) -> pd.DataFrame:
    """The submission's households that are poor or near-poor now, or whose id is in `was_listed`,
    with their classification and head's name and id number, in file order."""
    columns = [*HOUSEHOLD_FIELDS, "status", "deprivation_count", *PEOPLE_FIELDS[1:]]
    people = (getattr(Household, f) for f in PEOPLE_FIELDS[1:])
    query = classified_households(*people, Household.id).where(Household.submission_id == submission_id)
    rows = rows_from_query(session, query.where(Classification.status.in_(LISTED)))
    no_longer = query.where(Classification.status.not_in(LISTED))
    rows += _rows_by_ids(session, no_longer, Household.household_id, was_listed)
    return _in_file_order(rows, columns)


def household_members(session: Session, submission_ids: list[int], household_ids: pd.Series) -> pd.DataFrame:
    """Members (with names) of the given households, in their file order: looked up by household
    (the index on submission and household), in chunks, rather than the submission's every member."""
    wanted = household_ids.astype("object").drop_duplicates().tolist()
    query = select(*(getattr(Member, f) for f in MEMBER_FIELDS), Member.id).where(
        Member.submission_id.in_(submission_ids)
    )
    frame = _in_file_order(_rows_by_ids(session, query, Member.household_id, wanted), list(MEMBER_FIELDS))
    frame["birth_date"] = pd.to_datetime(frame["birth_date"])  # SQLite gives ISO text, PostgreSQL dates
    return frame


def _rows_by_ids(session: Session, query: Select[Any], column: Any, ids: list[str]) -> list[Any]:
    """The query's rows whose `column` is one of `ids`, asked in chunks far below any driver's limit
    on parameters."""
    rows: list[Any] = []
    for start in range(0, len(ids), ID_CHUNK):
        rows += rows_from_query(session, query.where(column.in_(ids[start : start + ID_CHUNK])))
    return rows


def _in_file_order(rows: list[Any], columns: list[str]) -> pd.DataFrame:
    """One frame from rows whose last value is their table's id (dropped): built once from all the
    rows, so its columns' types are those of a single read, in the order the file gave them."""
    frame = pd.DataFrame.from_records(rows, columns=[*columns, "row"], coerce_float=False)
    return frame.sort_values("row", kind="stable").drop(columns="row").reset_index(drop=True)
