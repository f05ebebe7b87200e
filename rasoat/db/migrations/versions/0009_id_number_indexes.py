"""indexes on CCCD numbers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 06:00:00

Validation asks which of a commune file's CCCD numbers the round's other communes already hold
(`rasoat.pipeline.validation_stage.other_communes_id_numbers`). Without an index on the numbers the
database read every row of every other accepted commune for each commune validated: quadratic in
the communes of a round, which on the two-tier map is a whole province (69 units in Hà Tĩnh, 168 in
Hồ Chí Minh): 26 % of the commune tasks' time in a Hà Tĩnh round (benchmarks/README.md).
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_households_head_id_number", "households", ["head_id_number"])
    op.create_index("ix_members_id_number", "members", ["id_number"])


def downgrade() -> None:
    op.drop_index("ix_members_id_number", table_name="members")
    op.drop_index("ix_households_head_id_number", table_name="households")
