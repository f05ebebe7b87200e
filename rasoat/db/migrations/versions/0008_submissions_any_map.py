"""submissions of any map's communes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:20:00

`submissions.commune_code` referenced `communes`, the three-level map's units. Rounds from 2025 run
on the two-tier map, whose units are in `map_units`, keyed by (map, code): a code alone cannot
reference them. Which map a submission's code belongs to follows from its round's year, and intake
checks the code against that map before anything is stored, so the reference is dropped rather than
pointed at one map.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_submissions_commune_code_communes"), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_commune_code_communes"), "communes", ["commune_code"], ["code"]
        )
