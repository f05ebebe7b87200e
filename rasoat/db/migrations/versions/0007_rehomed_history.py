"""last years' statuses re-homed onto the two-tier map, and the households not yet placed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:00:00

Statuses of 2022–2024 were recorded under the old commune codes; the rounds from 2025 read history
by the new ones. A re-homed row is stored once, under its new unit (`commune_code`), with the code
and household id it was recorded under (`recorded_commune_code`, `recorded_household_id`), so the
rounds of either map can read it (rasoat.db.history.load_history) without a second copy that the
unique (commune_code, household_id, year) would refuse whenever a new unit kept an old code.
Rows written before this revision are as recorded: both columns NULL.

`baseline_unplaced` holds the households of an imported list that could not be placed in a new unit
(a divided commune without the household's new unit, …) until the province resolves them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REASONS = (
    "no_successor",
    "divided_no_target",
    "village_not_assigned",
    "not_successor",
    "other_province",
    "duplicate_id",
)


def upgrade() -> None:
    with op.batch_alter_table("status_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_commune_code", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("recorded_household_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_status_history_recorded_year", ["recorded_commune_code", "year"], unique=False
        )

    op.create_table(
        "baseline_unplaced",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("recorded_commune_code", sa.String(length=5), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_household_id", sa.String(length=64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("members", sa.SmallInteger(), nullable=True),
        sa.Column("village", sa.String(length=200), nullable=True),
        sa.Column("new_commune_code", sa.String(length=5), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN (" + ", ".join(repr(r) for r in REASONS) + ")",
            name=op.f("ck_baseline_unplaced_reason"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_unplaced")),
        sa.UniqueConstraint(
            "recorded_commune_code", "household_id", "year", name="uq_baseline_unplaced_household_year"
        ),
    )
    with op.batch_alter_table("baseline_unplaced", schema=None) as batch_op:
        batch_op.create_index("ix_baseline_unplaced_province", ["province_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("baseline_unplaced", schema=None) as batch_op:
        batch_op.drop_index("ix_baseline_unplaced_province")
    op.drop_table("baseline_unplaced")
    with op.batch_alter_table("status_history", schema=None) as batch_op:
        batch_op.drop_index("ix_status_history_recorded_year")
        batch_op.drop_column("recorded_household_id")
        batch_op.drop_column("recorded_commune_code")
