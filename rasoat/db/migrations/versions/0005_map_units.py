"""administrative units per map, and the reform's conversion

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:00:00

Rounds up to 2024 use the three-level map and rounds from 2025 the two-tier map; a code can name a
different unit on each (19597: Thị trấn Cam Lộ, then Xã Cam Lộ), so units are keyed by their map.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "map_units",
        sa.Column("map_id", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_type", sa.String(length=20), nullable=True),
        sa.Column("area_type", sa.String(length=5), nullable=True),
        sa.Column("area_provisional", sa.Boolean(), nullable=False),
        sa.Column("parent_code", sa.String(length=5), nullable=True),
        sa.CheckConstraint("level IN ('province', 'district', 'commune')", name=op.f("ck_map_units_level")),
        sa.CheckConstraint(
            "area_type IS NULL OR area_type IN ('rural', 'urban')", name=op.f("ck_map_units_area_type")
        ),
        sa.PrimaryKeyConstraint("map_id", "level", "code", name=op.f("pk_map_units")),
    )
    op.create_index("ix_map_units_parent", "map_units", ["map_id", "parent_code"], unique=False)
    op.create_table(
        "unit_conversions",
        sa.Column("map_id", sa.String(length=40), nullable=False),
        sa.Column("new_code", sa.String(length=5), nullable=False),
        sa.Column("old_code", sa.String(length=5), nullable=False),
        sa.Column("old_name", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("old_district_code", sa.String(length=3), nullable=False),
        sa.Column("divided", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("map_id", "new_code", "old_code", name=op.f("pk_unit_conversions")),
    )
    op.create_index(op.f("ix_unit_conversions_old_code"), "unit_conversions", ["old_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_unit_conversions_old_code"), table_name="unit_conversions")
    op.drop_table("unit_conversions")
    op.drop_index("ix_map_units_parent", table_name="map_units")
    op.drop_table("map_units")
