"""roster order indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 07:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Lists sort by given name (roster order): one index for a commune's list, one for all.
    op.create_index(op.f("ix_resident_commune_id_given_name_folded_id"), "resident",
                    ["commune_id", "given_name_folded", "id"], unique=False)
    op.create_index(op.f("ix_resident_given_name_folded_id"), "resident",
                    ["given_name_folded", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_resident_given_name_folded_id"), table_name="resident")
    op.drop_index(op.f("ix_resident_commune_id_given_name_folded_id"), table_name="resident")
