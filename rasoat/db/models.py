"""The review database: every round, every submission's original bytes, and who did what when.

Enumerations are stored as short strings guarded by CHECK constraints (portable between SQLite and
PostgreSQL, readable in a SQL shell). Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AREA_TYPES = ("rural", "urban")
SCOPE_LEVELS = ("commune", "district", "province")
ROUND_STATES = ("open", "validating", "consolidated", "awaiting_approval", "approved", "rejected", "closed")
SUBMISSION_STATES = ("received", "accepted", "rejected", "unreadable")
SEVERITIES = ("blocking", "warning")
DECISIONS = ("approved", "rejected")
HISTORY_SOURCES = ("baseline", "round")
# Why a household of an imported list is not placed yet (rasoat.admin.rehome.REASONS, same order).
UNPLACED_REASONS = (
    "no_successor",
    "divided_no_target",
    "village_not_assigned",
    "not_successor",
    "other_province",
    "duplicate_id",
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # SQLAlchemy reads this class attribute once at mapping time; it is never mutated.
    type_annotation_map = {dict[str, Any]: JSON, dt.datetime: DateTime(timezone=True)}  # noqa: RUF012


class Province(Base):
    __tablename__ = "provinces"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class District(Base):
    __tablename__ = "districts"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)


class Commune(Base):
    __tablename__ = "communes"
    __table_args__ = (CheckConstraint(one_of("area_type", AREA_TYPES), name="area_type"),)
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    area_type: Mapped[str] = mapped_column(String(5))


UNIT_LEVELS = ("province", "district", "commune")


class MapUnit(Base):
    """A unit of one administrative map (`data/admin/maps.yaml`): the three-level map of the rounds up
    to 2024 and the two-tier map from 2025 hold the same code with different names, types and areas
    (19597: Thị trấn Cam Lộ, urban; Xã Cam Lộ, rural), so each row is keyed by its map.

    `provinces`, `districts` and `communes` above stay the three-level map that submissions point to."""

    __tablename__ = "map_units"
    __table_args__ = (
        CheckConstraint(one_of("level", UNIT_LEVELS), name="level"),
        CheckConstraint(f"area_type IS NULL OR {one_of('area_type', AREA_TYPES)}", name="area_type"),
        Index("ix_map_units_parent", "map_id", "parent_code"),
    )
    map_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_type: Mapped[str | None] = mapped_column(String(20))  # communes: Xã, Phường, Thị trấn, Đặc khu
    area_type: Mapped[str | None] = mapped_column(String(5))  # communes only
    area_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_code: Mapped[str | None] = mapped_column(String(5))  # district or province; none for a province


class UnitConversion(Base):
    """One (new unit, old commune) pair of a two-tier map's conversion table: whole merges and the
    parts of divided communes, for re-homing last years' lists."""

    __tablename__ = "unit_conversions"
    map_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    new_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    old_code: Mapped[str] = mapped_column(String(5), primary_key=True, index=True)
    old_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)
    old_district_code: Mapped[str] = mapped_column(String(3))
    divided: Mapped[bool] = mapped_column(Boolean)


class StandardRecord(Base):
    """A poverty standard as it was when used (id, version and hash of its YAML file)."""

    __tablename__ = "standards"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)


class ReviewRound(Base):
    __tablename__ = "review_rounds"
    __table_args__ = (
        UniqueConstraint("year", "scope_level", "scope_code", name="uq_review_rounds_scope"),
        ForeignKeyConstraint(["standard_id", "standard_version"], ["standards.id", "standards.version"]),
        CheckConstraint(one_of("scope_level", SCOPE_LEVELS), name="scope_level"),
        CheckConstraint(one_of("state", ROUND_STATES), name="state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    standard_id: Mapped[str] = mapped_column(String(40))
    standard_version: Mapped[str] = mapped_column(String(20))
    scope_level: Mapped[str] = mapped_column(String(10))
    scope_code: Mapped[str] = mapped_column(String(5))
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))


class Submission(Base):
    """A commune's file exactly as received. Never overwritten: a changed file is a new version."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("round_id", "commune_code", "version", name="uq_submissions_version"),
        UniqueConstraint("round_id", "commune_code", "sha256", name="uq_submissions_content"),
        CheckConstraint(one_of("status", SUBMISSION_STATES), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"), index=True)
    # No reference to `communes`: the code is on its round's map (three-level or two-tier), checked
    # at intake; see migration 0008.
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    received_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default="received")
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Last: SQLite keeps a large value in a chain of overflow pages, and reading a column stored
    # after it walks the whole chain (migration 0011).
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("submission_id", "household_id", name="uq_households_submission_household"),
        Index("ix_households_round_commune", "round_id", "commune_code"),
        # Validation asks which of a file's CCCD numbers the round's other communes already hold
        # (`other_communes_id_numbers`): without it each commune scanned every other commune's rows,
        # quadratic in the communes of a round (a two-tier province has up to 168).
        Index("ix_households_head_id_number", "head_id_number"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"))
    source_row: Mapped[int | None] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(String(5))
    household_id: Mapped[str] = mapped_column(String(64))
    village: Mapped[str | None] = mapped_column(Text)
    head_name: Mapped[str | None] = mapped_column(Text)
    head_id_number: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    members: Mapped[int | None] = mapped_column(SmallInteger)
    area: Mapped[str | None] = mapped_column(String(5))
    income_per_capita: Mapped[int | None] = mapped_column(BigInteger)
    b1_score: Mapped[int | None] = mapped_column(Integer)
    # The 12 deprivation indicators, in the order of rasoat.schema.INDICATOR_COLUMNS.
    d01: Mapped[int | None] = mapped_column(SmallInteger)
    d02: Mapped[int | None] = mapped_column(SmallInteger)
    d03: Mapped[int | None] = mapped_column(SmallInteger)
    d04: Mapped[int | None] = mapped_column(SmallInteger)
    d05: Mapped[int | None] = mapped_column(SmallInteger)
    d06: Mapped[int | None] = mapped_column(SmallInteger)
    d07: Mapped[int | None] = mapped_column(SmallInteger)
    d08: Mapped[int | None] = mapped_column(SmallInteger)
    d09: Mapped[int | None] = mapped_column(SmallInteger)
    d10: Mapped[int | None] = mapped_column(SmallInteger)
    d11: Mapped[int | None] = mapped_column(SmallInteger)
    d12: Mapped[int | None] = mapped_column(SmallInteger)
    b2_score: Mapped[int | None] = mapped_column(Integer)
    agri_household: Mapped[int | None] = mapped_column(SmallInteger)
    no_labour_capacity: Mapped[int | None] = mapped_column(SmallInteger)
    merit_household: Mapped[int | None] = mapped_column(SmallInteger)
    poverty_cause: Mapped[str | None] = mapped_column(String(40))
    reported_status: Mapped[str | None] = mapped_column(String(20))
    meeting_agree_pct: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        Index("ix_members_submission_household", "submission_id", "household_id"),
        Index("ix_members_id_number", "id_number"),  # see ix_households_head_id_number
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    source_row: Mapped[int | None] = mapped_column(Integer)
    household_id: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str | None] = mapped_column(Text)
    relation: Mapped[str | None] = mapped_column(String(40))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    sex: Mapped[str | None] = mapped_column(String(5))
    id_number: Mapped[str | None] = mapped_column(String(20))
    has_health_insurance: Mapped[int | None] = mapped_column(SmallInteger)
    in_school: Mapped[int | None] = mapped_column(SmallInteger)


class Classification(Base):
    __tablename__ = "classifications"
    __table_args__ = (
        UniqueConstraint("submission_id", "household_id", name="uq_classifications_submission_household"),
        ForeignKeyConstraint(["standard_id", "standard_version"], ["standards.id", "standards.version"]),
        ForeignKeyConstraint(
            ["national_standard_id", "national_standard_version"], ["standards.id", "standards.version"]
        ),
        Index("ix_classifications_round_status", "round_id", "status"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    commune_code: Mapped[str] = mapped_column(String(5))
    household_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))
    deprivation_count: Mapped[int] = mapped_column(SmallInteger)
    b2_score: Mapped[int] = mapped_column(SmallInteger)
    criterion: Mapped[str] = mapped_column(String(30))
    income_path: Mapped[str] = mapped_column(String(10))
    standard_id: Mapped[str] = mapped_column(String(40))  # the standard applied (provincial or national)
    standard_version: Mapped[str] = mapped_column(String(20))
    # The same household under the national standard: national figures stay comparable between
    # provinces. Equal to status/standard_* where no provincial standard applies.
    national_status: Mapped[str] = mapped_column(String(12))
    national_standard_id: Mapped[str] = mapped_column(String(40))
    national_standard_version: Mapped[str] = mapped_column(String(20))
    previous_status: Mapped[str | None] = mapped_column(String(12))
    poor_movement: Mapped[str | None] = mapped_column(String(20))
    near_poor_movement: Mapped[str | None] = mapped_column(String(20))
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ValidationResult(Base):
    __tablename__ = "validation_results"
    __table_args__ = (CheckConstraint(one_of("severity", SEVERITIES), name="severity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    suite: Mapped[str] = mapped_column(String(100))
    expectation: Mapped[str] = mapped_column(String(200))
    column: Mapped[str | None] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(10))
    success: Mapped[bool] = mapped_column(Boolean)
    unexpected_count: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    validated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Approval(Base):
    __tablename__ = "approvals"
    __table_args__ = (CheckConstraint(one_of("decision", DECISIONS), name="decision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    approver_name: Mapped[str] = mapped_column(String(200))
    approver_position: Mapped[str] = mapped_column(String(200))
    decision_number: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str | None] = mapped_column(Text)
    data_sha256: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lapsed_at: Mapped[dt.datetime | None] = mapped_column()
    lapsed_reason: Mapped[str | None] = mapped_column(Text)


class Document(Base):
    """A generated official document; numbers are never reused within an agency's year."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("issuing_agency", "year", "symbol", name="uq_documents_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("review_rounds.id"), index=True)
    issuing_agency: Mapped[str] = mapped_column(String(40))
    doc_type: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    data_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # What the document is ("decision:19597:2026", "certificate:19597:<household>"): regenerating the
    # same document with the same data keeps its number and date; changed data gets a new number.
    doc_key: Mapped[str | None] = mapped_column(String(120), index=True)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)


class AuditEntry(Base):
    """Append-only: the repository offers no update or delete for it."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StatusHistory(Base):
    """Each household's approved status per year: imported baselines and approved rounds.

    Movements (R2/R3) compare this year's classification with last year's row here, and re-entry
    looks at the earlier years of the standard's period."""

    __tablename__ = "status_history"
    __table_args__ = (
        UniqueConstraint("commune_code", "household_id", "year", name="uq_status_history_household_year"),
        Index("ix_status_history_commune_year", "commune_code", "year"),
        Index("ix_status_history_recorded_year", "recorded_commune_code", "year"),
        CheckConstraint(one_of("source", HISTORY_SOURCES), name="source"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    household_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    members: Mapped[int | None] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(10))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("review_rounds.id"))
    # A row re-homed onto the two-tier map (migration 0007) sits under its new unit; these keep the
    # code and id the list recorded it under, which the rounds of the old map still read it by.
    # NULL: recorded as stored.
    recorded_commune_code: Mapped[str | None] = mapped_column(String(5))
    recorded_household_id: Mapped[str | None] = mapped_column(String(64))


class BaselineUnplaced(Base):
    """Households of an imported list that could not be placed in a new unit (rasoat.admin.rehome),
    waiting for the province: one row per household and year, with the reason. Importing the list of
    their old commune and year again replaces them (placed ones leave the queue)."""

    __tablename__ = "baseline_unplaced"
    __table_args__ = (
        UniqueConstraint(
            "recorded_commune_code", "household_id", "year", name="uq_baseline_unplaced_household_year"
        ),
        Index("ix_baseline_unplaced_province", "province_code"),
        CheckConstraint(one_of("reason", UNPLACED_REASONS), name="reason"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2))
    recorded_commune_code: Mapped[str] = mapped_column(String(5))
    household_id: Mapped[str] = mapped_column(String(64))
    recorded_household_id: Mapped[str | None] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    members: Mapped[int | None] = mapped_column(SmallInteger)
    village: Mapped[str | None] = mapped_column(String(200))
    new_commune_code: Mapped[str | None] = mapped_column(String(5))
    reason: Mapped[str] = mapped_column(String(30))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class HistoryRevision(Base):
    """When the statuses of each year were last written (rasoat.db.history): row 0 is a counter every
    write to status_history raises, each other row a year and the counter's value at its last write.
    A commune's partial consolidation is valid while the years it read are unchanged."""

    __tablename__ = "history_revisions"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(BigInteger)


class CommunePartialRecord(Base):
    """One accepted commune file's count rows of R1–R11 (rasoat.consolidation.partial), computed on
    the worker that accepted it: a consolidation adds these up instead of reading households back.
    Keyed by what they depend on: the file (submission), the standard, last years' lists."""

    __tablename__ = "commune_partials"
    __table_args__ = (
        UniqueConstraint(
            "submission_id", "standard_label", "history_revision", name="uq_commune_partials_inputs"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    standard_label: Mapped[str] = mapped_column(String(200))
    history_revision: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # codes and counts only, no people
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Consolidation(Base):
    """One consolidation of a round: its tables, the data they were built from, who ran it."""

    __tablename__ = "consolidations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    data_sha256: Mapped[str] = mapped_column(String(64))
    submissions: Mapped[dict[str, Any]] = mapped_column(JSON)  # commune code → submission id used
    missing: Mapped[dict[str, Any]] = mapped_column(JSON)  # commune code → why it is not included
    forced: Mapped[bool] = mapped_column(Boolean, default=False)  # consolidated without them
    forced_reason: Mapped[str | None] = mapped_column(Text)
    tables: Mapped[dict[str, Any]] = mapped_column(JSON)
    checks_passed: Mapped[bool] = mapped_column(Boolean, default=True)
