"""commune partials: each accepted file's count rows, kept for consolidation

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 08:30:00

On the two-tier map a province consolidates up to 168 communes and 4 million households. Reading
every accepted household back for each consolidation made the province's process grow with the
province and a corrected file of one commune cost the whole province again. Each accepted file's
count rows of R1–R11 are now kept (`commune_partials`), keyed by the file, the standard and a
counter of writes to last years' lists per year (`history_revisions`), and consolidation adds them up.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "history_revisions",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_history_revisions")),
    )
    op.execute("INSERT INTO history_revisions (year, revision) VALUES (0, 0)")
    op.create_table(
        "commune_partials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("standard_label", sa.String(length=200), nullable=False),
        sa.Column("history_revision", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_commune_partials_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune_partials")),
        sa.UniqueConstraint(
            "submission_id", "standard_label", "history_revision", name="uq_commune_partials_inputs"
        ),
    )
    with op.batch_alter_table("commune_partials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commune_partials_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("commune_partials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_partials_submission_id"))
    op.drop_table("commune_partials")
    op.drop_table("history_revisions")
