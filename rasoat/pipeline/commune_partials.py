"""Each accepted commune file's share of its round's consolidation, kept in the database.

The worker that accepts a commune's file counts its rows of R1–R11 right away, while nothing else
waits for it (`keep_partial`); a consolidation then reads these few hundred numbers per commune
instead of every household (`partials_for`), and computes only what is missing or out of date. A
kept partial is valid for its file, the round's standard and last years' lists as they were: the
lists' years carry a revision (`rasoat.db.history.history_revision`), raised by every import or
approval that writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rasoat.admin.scope import Scope, scope
from rasoat.applied_standard import round_standard
from rasoat.consolidation import Unit
from rasoat.consolidation.partial import CommunePartial, commune_partial
from rasoat.db import read_scope, session_scope
from rasoat.db.history import history_revision, load_history
from rasoat.db.models import CommunePartialRecord, Consolidation, ReviewRound, Submission
from rasoat.db.round_data import load_households, load_members


@dataclass(frozen=True)
class KeptPartial:
    """A commune's partial with what it was computed from."""

    submission_id: int
    standard_label: str
    history_revision: int
    partial: CommunePartial
    counted_now: bool = False  # not kept: counted from the commune's rows by this call


@dataclass(frozen=True, eq=False)  # frames: never compared as a whole
class CommuneRows:
    """An accepted file's rows as the validation wrote them, still in memory: its households with
    their classification (`status`, `deprivation_count`) and its members."""

    households: pd.DataFrame
    members: pd.DataFrame


@dataclass(frozen=True)
class _Inputs:
    submission: Submission
    review_round: ReviewRound
    unit: Scope
    standard_label: str
    period_first_year: int
    min_deprivations: int
    revision: int


def _inputs(session: Session, submission_id: int) -> _Inputs:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise LookupError(f"no submission {submission_id}")
    if submission.status != "accepted":
        raise ValueError(f"submission {submission_id} is {submission.status}, not accepted")
    review_round = session.get(ReviewRound, submission.round_id)
    assert review_round is not None
    standard = round_standard(review_round)
    year = review_round.year
    return _Inputs(
        submission=submission,
        review_round=review_round,
        unit=scope(year, review_round.scope_code),
        standard_label=standard.label,
        period_first_year=standard.period_first_year,
        min_deprivations=standard.min_deprivations,
        revision=current_revision(session, review_round),
    )


def _stored(session: Session, submission_id: int, label: str, revision: int) -> CommunePartial | None:
    payload = session.execute(
        select(CommunePartialRecord.payload).where(
            CommunePartialRecord.submission_id == submission_id,
            CommunePartialRecord.standard_label == label,
            CommunePartialRecord.history_revision == revision,
        )
    ).scalar()
    return None if payload is None else CommunePartial.from_json(payload)


def _compute(session: Session, found: _Inputs, rows: CommuneRows | None = None) -> CommunePartial:
    """The partial from the file's rows: `rows` when the caller holds them, else read back."""
    code = found.submission.commune_code
    year = found.review_round.year
    names = {c.code: c.name for c in found.unit.communes}
    if code not in names:
        raise LookupError(f"xã {code} không thuộc {found.unit.label_vi} năm {year}")
    unit = Unit(found.unit.code, found.unit.name, found.unit.level)
    if rows is None:
        rows = CommuneRows(
            load_households(session, [found.submission.id]), load_members(session, [found.submission.id])
        )
    return commune_partial(
        unit,
        Unit(code, names[code], "commune"),
        year,
        rows.households,
        rows.members,
        load_history(session, [code], found.period_first_year, year - 1, map_year=year),
        period_first_year=found.period_first_year,
        min_deprivations=found.min_deprivations,
    )


def _keep(session: Session, kept: KeptPartial) -> None:
    """Store a partial; one kept meanwhile by another process, from the same inputs, stands."""
    try:
        with session.begin_nested():
            session.add(
                CommunePartialRecord(
                    submission_id=kept.submission_id,
                    standard_label=kept.standard_label,
                    history_revision=kept.history_revision,
                    payload=kept.partial.to_json(),
                )
            )
    except IntegrityError:
        pass


def _found_or_counted(session: Session, submission_id: int, rows: CommuneRows | None = None) -> KeptPartial:
    found = _inputs(session, submission_id)
    label, revision = found.standard_label, found.revision
    partial = _stored(session, submission_id, label, revision)
    if partial is not None:
        return KeptPartial(submission_id, label, revision, partial)
    return KeptPartial(submission_id, label, revision, _compute(session, found, rows), counted_now=True)


def partial_for(session: Session, submission_id: int) -> KeptPartial:
    """The accepted submission's partial: the kept one when its inputs are unchanged, else computed
    from its rows and kept. Two processes computing the same one at once keep one row."""
    kept = _found_or_counted(session, submission_id)
    if kept.counted_now:
        _keep(session, kept)
    return kept


def partials_for(session: Session, submission_ids: list[int]) -> list[KeptPartial]:
    """The partials of a consolidation's submissions (one round's): the kept ones in one query, the
    missing or stale ones counted from their rows one commune at a time (memory of one commune)."""
    if not submission_ids:
        return []
    found = _inputs(session, submission_ids[0])
    label, revision = found.standard_label, found.revision
    rows = session.execute(
        select(CommunePartialRecord.submission_id, CommunePartialRecord.payload).where(
            CommunePartialRecord.submission_id.in_(submission_ids),
            CommunePartialRecord.standard_label == label,
            CommunePartialRecord.history_revision == revision,
        )
    ).all()
    kept = {int(sid): CommunePartial.from_json(payload) for sid, payload in rows}
    out = []
    for submission_id in submission_ids:
        if submission_id in kept:
            out.append(KeptPartial(submission_id, label, revision, kept[submission_id]))
        else:
            out.append(partial_for(session, submission_id))
    return out


def keep_partial(engine: Engine, submission_id: int, rows: CommuneRows | None = None) -> KeptPartial | None:
    """After a verdict: keep the accepted file's partial for the consolidation to come (nothing for a
    rejected file). The rows (or only last years' lists, when the caller holds the file's `rows`,
    as written) are read in a read-only transaction (on SQLite it does not hold the write lock while
    it reads and counts, so other workers' writes go on) and the partial is stored in a short one.
    Inputs that changed in between only make it stale."""
    with read_scope(engine) as session:
        submission = session.get(Submission, submission_id)
        if submission is None or submission.status != "accepted":
            return None
        kept = _found_or_counted(session, submission_id, rows)
    if kept.counted_now:
        with session_scope(engine) as session:
            _keep(session, kept)
    return kept


def current_revision(session: Session, review_round: ReviewRound) -> int:
    """The revision of the lists a round's partials read (the standard's period up to last year)."""
    standard = round_standard(review_round)
    return history_revision(session, standard.period_first_year, review_round.year - 1)


def kept_partials(
    session: Session, consolidations: Sequence[Consolidation]
) -> dict[str, CommunePartial] | None:
    """The partials kept for the consolidations' communes at their rounds' standards and last years'
    lists as they are now, by commune code; None unless every commune has one. Reads only: nothing
    is counted or kept (a caller that only shows figures falls back on counting them itself)."""
    out: dict[str, CommunePartial] = {}
    for consolidation in consolidations:
        review_round = session.get(ReviewRound, consolidation.round_id)
        assert review_round is not None
        submission_ids = [int(s) for s in consolidation.submissions.values()]
        payloads = session.scalars(
            select(CommunePartialRecord.payload).where(
                CommunePartialRecord.submission_id.in_(submission_ids),
                CommunePartialRecord.standard_label == round_standard(review_round).label,
                CommunePartialRecord.history_revision == current_revision(session, review_round),
            )
        ).all()
        if len(payloads) != len(submission_ids):
            return None
        out.update((p.commune_code, p) for p in map(CommunePartial.from_json, payloads))
    return out
