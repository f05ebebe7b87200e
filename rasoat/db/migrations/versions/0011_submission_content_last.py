"""submissions: the file's bytes as the table's last column (SQLite)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:10:00

SQLite stores a row's values in column order and a large value in a chain of overflow pages. The
file's bytes (`content`) came before `sha256`, `status` and the other columns after it, so reading
any of those walked the whole chain of the file: asking which communes of a round are accepted
read every stored workbook (≈ 0.36 s for 168 files of 8 MB; a Hồ Chí Minh-sized round asks it once
per commune, under the round's lock, and loads submissions by id throughout). With `content` last,
the other columns sit on the row's first page. PostgreSQL keeps large values out of the row
(TOAST) and its column order does not matter: nothing changes there. On SQLite the table is copied
once, its stored files with it: an installation with years of files takes a while to upgrade.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ORDER = (
    "id",
    "round_id",
    "commune_code",
    "version",
    "file_name",
    "sha256",
    "size_bytes",
    "received_at",
    "received_by",
    "status",
    "status_reason",
    "content",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # The table is copied in the new order (constraints, indexes and the rows with it) and renamed.
    with op.batch_alter_table("submissions", recreate="always", partial_reordering=[ORDER]):
        pass


def downgrade() -> None:
    pass  # the order is only about speed; the older order reads the same values
