"""national status of each classification

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:10:00

A province may apply its own standard above the national one; each household is then classified
under both, and the national status is kept beside the applied one. Rows written before this
revision were classified under the national standard only, so their national status is their status.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("national_status", "national_standard_id", "national_standard_version")


def upgrade() -> None:
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("national_status", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("national_standard_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("national_standard_version", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE classifications SET national_status = status, national_standard_id = standard_id, "
        "national_standard_version = standard_version"
    )
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        for column, length in zip(COLUMNS, (12, 40, 20), strict=True):
            batch_op.alter_column(column, existing_type=sa.String(length=length), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_classifications_national_standard_id_standards"),
            "standards",
            ["national_standard_id", "national_standard_version"],
            ["id", "version"],
        )


def downgrade() -> None:
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_classifications_national_standard_id_standards"), type_="foreignkey"
        )
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
