"""What the documents show, read back from a consolidation one commune at a time: each household
with its head's name, status and movement, last years' statuses, and the members of the recognised
households (for the certificates).

Movements are recomputed as the consolidation computed them (they are not stored on the
classification rows): the same accepted submission, the same approved history. Only the commune's
own rows are read, so a province's documents never hold the whole province in one process.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from rasoat.applied_standard import round_standard
from rasoat.db.history import load_history
from rasoat.db.models import Consolidation, Household, Member, ReviewRound
from rasoat.db.round_data import frame_from_query, load_households
from rasoat.movements import compute_movements, previous_round
from rasoat.schema import Status

PEOPLE_FIELDS = ("household_id", "head_name", "head_id_number")
MEMBER_FIELDS = ("household_id", "full_name", "relation", "birth_year", "birth_date", "sex", "id_number")


def commune_households(
    session: Session, consolidation: Consolidation, commune_code: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(households, history) of one commune of the consolidation: its households with head name and
    id number, status, deprivations and both movements, in file order; and last years' approved
    statuses of the commune.

    The documents use the movements only for the escaped lists (poor or near-poor last year, not
    now), which depend on each listed household's own status last year: the commune's own roster
    decides them, and whether last year's roster was complete (which only decides how households
    absent from it moved) cannot change a document."""
    review_round = session.get(ReviewRound, consolidation.round_id)
    assert review_round is not None
    standard = round_standard(review_round)
    submission_id = int(consolidation.submissions[commune_code])
    households = load_households(session, [submission_id])
    people_query = select(*(getattr(Household, f) for f in PEOPLE_FIELDS))
    people = frame_from_query(  # text columns only: the driver's values are the frame's
        session, people_query.where(Household.submission_id == submission_id), list(PEOPLE_FIELDS)
    )
    households = households.merge(people, on="household_id", how="left")
    history = load_history(
        session, [commune_code], standard.period_first_year, review_round.year - 1, map_year=review_round.year
    )
    previous = previous_round(history, review_round.year, standard.period_first_year)
    complete = bool((previous["status"] == Status.NON_POOR.value).any()) or previous.empty
    moves = compute_movements(
        households[["household_id", "status", "members"]], previous, roster_complete=complete
    )
    moves = moves.loc[moves["status"].notna()].drop_duplicates("household_id").set_index("household_id")
    for column in ("poor_movement", "near_poor_movement", "previous_status"):
        households[column] = households["household_id"].map(moves[column].astype("object")).astype("object")
    return households, history


def household_members(session: Session, submission_ids: list[int], household_ids: pd.Series) -> pd.DataFrame:
    """Members (with names) of the given households, in their file order."""
    query = (
        select(*(getattr(Member, f) for f in MEMBER_FIELDS))
        .where(Member.submission_id.in_(submission_ids))
        .order_by(Member.id)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=list(MEMBER_FIELDS))
    return frame.loc[frame["household_id"].isin(household_ids)].reset_index(drop=True)
