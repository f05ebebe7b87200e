"""Validation of a stored submission: read its bytes again, run the suites, record the verdict.

A blocking failure marks the submission rejected, and its data is never written as household rows,
so no later stage can read it. An accepted submission's households, members and classifications are
written in the same transaction as its verdict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import ARRAY, Engine, Text, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from rasoat.admin.maps import admin_map
from rasoat.admin.scope import scope
from rasoat.applied_standard import round_standard
from rasoat.classifier import classify_both
from rasoat.db import audit, read_scope, save_classifications, save_households, session_scope
from rasoat.db.models import Household, Member, ReviewRound, Submission, ValidationResult
from rasoat.db.rounds import lock_round
from rasoat.feedback import write_feedback
from rasoat.intake import ParsedSubmission, SubmissionError
from rasoat.intake.cache import read_submission_cached
from rasoat.pipeline.commune_partials import CommuneRows, keep_partial
from rasoat.pipeline.outputs import feedback_dir
from rasoat.standards import national_of
from rasoat.validation import CheckResult, ValidationReport
from rasoat.validation.reading import unreadable_report
from rasoat.validation.validate import ValidationContext, validate_submission

SAMPLE_IDS = 20  # household ids kept per failed check in the database, for operators


@dataclass(frozen=True)
class Validated:
    """The verdict on one submission, with ids and counts only (safe for logs and artifacts)."""

    submission_id: int
    commune_code: str
    version: int
    verdict: str
    blocking: int
    warnings: int
    households: int
    checks: list[CheckResult] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    feedback_html: str | None = None
    feedback_xlsx: str | None = None
    data_docs: str | None = None

    @property
    def accepted(self) -> bool:
        return self.verdict in ("accepted", "accepted_with_warnings")


def own_id_numbers(parsed: ParsedSubmission) -> list[str]:
    """The CCCD numbers a file carries (household heads and members), each once."""
    found: set[str] = set()
    for frame, column in ((parsed.households, "head_id_number"), (parsed.members, "id_number")):
        if frame is not None and column in frame.columns:
            found.update(str(v) for v in frame[column].dropna().tolist())
    return sorted(found)


def _neighbours(submission: Submission) -> Any:
    """The round's other communes' accepted submissions (a query)."""
    return select(Submission.id).where(
        Submission.round_id == submission.round_id,
        Submission.commune_code != submission.commune_code,
        Submission.status == "accepted",
    )


def accepted_neighbours(session: Session, submission: Submission) -> frozenset[int]:
    """Ids of the round's other communes' accepted submissions: what `other_communes_id_numbers`
    answers from (an accepted submission's rows are its stored bytes', they do not change)."""
    return frozenset(session.scalars(_neighbours(submission)))


def other_communes_id_numbers(
    session: Session,
    submission: Submission,
    own: list[str] | None = None,
    *,
    neighbours: frozenset[int] | None = None,
) -> frozenset[str]:
    """CCCD numbers already accepted from the round's other communes (latest accepted versions).

    With `own` (the file's own numbers), only those of them are returned: the checks only ask
    whether each of the file's numbers is among the others, and the database then compares instead
    of sending every number of the district (≈ 30 s per Hà Tĩnh-sized province round). With
    `neighbours` (`accepted_neighbours`), the numbers of exactly those submissions: the answer then
    belongs to that set even if a neighbour is accepted while it is read."""
    others: Any = _neighbours(submission).scalar_subquery() if neighbours is None else sorted(neighbours)
    if own is None:
        heads = session.scalars(
            select(Household.head_id_number).where(
                Household.submission_id.in_(others), Household.head_id_number.is_not(None)
            )
        )
        members = session.scalars(
            select(Member.id_number).where(Member.submission_id.in_(others), Member.id_number.is_not(None))
        )
        return frozenset(heads) | frozenset(members)
    if not own:
        return frozenset()
    found: set[str] = set()
    pairs = ((Household.head_id_number, Household.submission_id), (Member.id_number, Member.submission_id))
    for column, owner in pairs:
        found.update(session.scalars(select(column).where(owner.in_(others), _among(session, column, own))))
    return frozenset(found)


def _among(session: Session, column: Any, values: list[str]) -> Any:
    """`column IN values` with the values sent as ONE parameter: a PostgreSQL array, a JSON array
    for SQLite. An IN list of a commune's ≈ 8,000 numbers as separate parameters cost more to build
    and parse (≈ 0.2 s a query, psycopg's query conversion) than the database spent answering it."""
    if session.get_bind().dialect.name == "postgresql":  # a set to join with (`= ANY` scans the array)
        rows = (
            func.unnest(bindparam("values", values, type_=ARRAY(Text))).table_valued("value").render_derived()
        )
    else:
        rows = func.json_each(bindparam("values", json.dumps(values))).table_valued("value")
    return column.in_(select(rows.c.value))


def validation_inputs(session: Session, submission_id: int) -> str:
    """A digest of everything a verdict depends on besides the code: the file's bytes and its row
    in this database, the standard, and the other communes' accepted files (CCCD numbers must be
    unique across the district, so a neighbour's new file can change this commune's verdict)."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise LookupError(f"no submission {submission_id}")
    review_round = session.get(ReviewRound, submission.round_id)
    assert review_round is not None
    others = session.execute(
        select(Submission.commune_code, Submission.sha256)
        .where(
            Submission.round_id == submission.round_id,
            Submission.commune_code != submission.commune_code,
            Submission.status == "accepted",
        )
        .order_by(Submission.commune_code, Submission.version)
    ).all()
    received = submission.received_at.isoformat() if submission.received_at else ""
    digest = hashlib.sha256(
        f"{submission.id}|{received}|{submission.sha256}|{round_standard(review_round).label}".encode()
    )
    for commune, sha in others:
        digest.update(f";{commune}:{sha}".encode())
    return digest.hexdigest()


def _record_results(session: Session, submission: Submission, report: ValidationReport) -> None:
    session.execute(delete(ValidationResult).where(ValidationResult.submission_id == submission.id))
    ids_by_check: dict[str, list[str]] = {}
    for finding in report.findings:
        if finding.household_id:
            sample = ids_by_check.setdefault(finding.check, [])
            if len(sample) < SAMPLE_IDS and finding.household_id not in sample:
                sample.append(finding.household_id)
    if not report.checks:
        return
    # One executemany on the table: a commune's ≈ 90 results as ORM objects cost more to flush.
    session.execute(
        insert(ValidationResult),
        [
            {
                "submission_id": submission.id,
                "suite": check.suite,
                "expectation": check.check,
                "column": check.column,
                "severity": check.severity.value,
                "success": check.success,
                "unexpected_count": check.failed,
                "details": {
                    "title_vi": check.title_vi,
                    "evaluated": check.evaluated,
                    "household_ids": ids_by_check.get(check.check, []),
                },
            }
            for check in report.checks
        ],
    )


@dataclass(frozen=True)
class _Checked:
    """A submission's report and what it was computed against (no database needed to compute it)."""

    parsed: ParsedSubmission | None  # None: unreadable
    report: ValidationReport
    own_ids: list[str]  # the file's CCCD numbers
    others: frozenset[str]  # those of them already accepted from the round's other communes


def _check(
    submission: Submission,
    review_round: ReviewRound,
    others_of: Callable[[list[str]], frozenset[str]],
    data_docs: bool,
) -> _Checked:
    try:
        parsed = read_submission_cached(submission.content, submission.file_name, review_round.year)
    except SubmissionError as exc:
        return _Checked(None, unreadable_report(submission.file_name, exc.problems), [], frozenset())
    own = own_id_numbers(parsed)
    others = others_of(own)
    context = ValidationContext(
        year=review_round.year,
        scope_code=review_round.scope_code,
        commune_code=submission.commune_code,
        standard=round_standard(review_round),
        other_id_numbers=others,
    )
    out = feedback_dir(review_round.year, submission.commune_code)
    docs_dir = out / f"data-docs-v{submission.version}" if data_docs else None
    return _Checked(parsed, validate_submission(parsed, context, docs_dir), own, others)


def _load(session: Session, submission_id: int) -> tuple[Submission, ReviewRound]:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise LookupError(f"no submission {submission_id}")
    review_round = session.get(ReviewRound, submission.round_id)
    assert review_round is not None
    return submission, review_round


def validate_stored(session: Session, submission_id: int, actor: str, *, data_docs: bool = True) -> Validated:
    """Validate and record in one transaction (the caller's session)."""
    submission, review_round = _load(session, submission_id)
    checked = _check(
        submission, review_round, lambda own: other_communes_id_numbers(session, submission, own), data_docs
    )
    return _record(session, submission, review_round, checked, actor)[0]


def validate_stored_concurrently(
    engine: Engine, submission_id: int, actor: str, *, data_docs: bool = True
) -> Validated:
    """Validate with the database free while the suites run, so communes validate side by side.

    Three short transactions: read the stored file, ask which of its CCCD numbers other communes
    already sent, then (after the checks ran outside any transaction) record the verdict with the
    round's row locked. Under that lock the round's accepted neighbours are read again and the
    numbers of those accepted meanwhile are asked (all of them again if one was withdrawn); a
    neighbour that was accepted meanwhile with one of the same numbers makes the checks run again,
    so two communes validated at the same moment are judged as if one came after the other (the
    second is told of the duplicate), exactly as when they are validated in turn."""
    with read_scope(engine) as session:  # reads only: the other workers' writes go on meanwhile
        submission, review_round = _load(session, submission_id)
        submission.content  # noqa: B018  (deferred column: loaded while the session is open)

    checked_against: dict[str, frozenset[int]] = {}

    def others_now(own: list[str]) -> frozenset[str]:
        with read_scope(engine) as session:
            neighbours = accepted_neighbours(session, submission)
            checked_against["neighbours"] = neighbours
            return other_communes_id_numbers(session, submission, own, neighbours=neighbours)

    checked = _check(submission, review_round, others_now, data_docs)
    with session_scope(engine) as session:
        lock_round(session, review_round.id)  # one commune of the round records at a time
        submission, review_round = _load(session, submission_id)
        if checked.parsed is not None:
            before, now = checked_against.get("neighbours"), accepted_neighbours(session, submission)
            asked, current = now, frozenset[str]()
            if before is not None and before <= now:
                # The numbers are a union over neighbours: only those accepted meanwhile are asked.
                asked, current = now - before, checked.others
            if asked:
                current |= other_communes_id_numbers(session, submission, checked.own_ids, neighbours=asked)
            if current != checked.others:
                checked = _check(submission, review_round, lambda _own: current, data_docs)
        validated, counted = _record(session, submission, review_round, checked, actor)
    if counted is not None and checked.parsed is not None:
        # Counted from the rows just written, still in memory: reading them back costs more than
        # counting them (the partial is valid for what was committed, the same rows).
        keep_partial(engine, submission_id, CommuneRows(counted, checked.parsed.members))
    return validated


def _record(
    session: Session, submission: Submission, review_round: ReviewRound, checked: _Checked, actor: str
) -> tuple[Validated, pd.DataFrame | None]:
    """The verdict recorded, and an accepted file's households with their classification (`status`,
    `deprivation_count`) as written."""
    parsed, report = checked.parsed, checked.report
    counted: pd.DataFrame | None = None
    standard = round_standard(review_round)
    national = national_of(standard)
    out = feedback_dir(review_round.year, submission.commune_code)
    _record_results(session, submission, report)
    status_counts: dict[str, int] = {}
    households = 0
    if report.accepted and parsed is not None:
        result = classify_both(parsed.households, standard, national)
        classified = parsed.households[["household_id", "commune_code", "members"]].join(result)
        save_households(session, submission, parsed.households, parsed.members)
        save_classifications(session, submission, classified, standard, national)
        status_counts = {str(k): int(v) for k, v in result["status"].value_counts().items()}
        counted = parsed.households.assign(
            status=result["status"].astype("object"), deprivation_count=result["deprivation_count"]
        )
        households = len(parsed.households)
        submission.status = "accepted"
        submission.status_reason = f"{len(report.warnings)} warnings" if report.warnings else None
    else:
        submission.status = "unreadable" if not report.readable else "rejected"
        submission.status_reason = f"{len(report.blocking)} blocking problems"

    unit = admin_map(review_round.year).commune(submission.commune_code)
    files = write_feedback(
        report,
        commune_code=unit.code,
        commune_name=unit.name,
        district_name=scope(review_round.year, review_round.scope_code).name,
        year=review_round.year,
        version=submission.version,
        received_at=submission.received_at or dt.datetime.now(dt.UTC),
        sha256=submission.sha256,
        out_dir=out,
    )
    audit(
        session,
        actor,
        f"submission.{submission.status}",
        "submission",
        str(submission.id),
        {
            "commune_code": submission.commune_code,
            "version": submission.version,
            "verdict": report.verdict.value,
            "blocking": len(report.blocking),
            "warnings": len(report.warnings),
            "failed_checks": sorted(c.check for c in report.checks if not c.success),
        },
    )
    validated = Validated(
        submission_id=submission.id,
        commune_code=submission.commune_code,
        version=submission.version,
        verdict=report.verdict.value,
        blocking=len(report.blocking),
        warnings=len(report.warnings),
        households=households,
        checks=list(report.checks),
        status_counts=status_counts,
        feedback_html=str(files.html),
        feedback_xlsx=str(files.xlsx),
        data_docs=report.data_docs,
    )
    return validated, counted
