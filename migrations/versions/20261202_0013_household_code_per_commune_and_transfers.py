"""household codes per commune; transfer requests

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 01:00:00

A household code is issued by the commune office: it is unique among the living
households of one commune (it was unique across the whole register, so a code used in
another commune was refused, which told a caller that the other commune had it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVING = "deleted_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("household") as batch:
        batch.drop_constraint("uq_household_code", type_="unique")
    op.create_index("uq_household_commune_id_code_living", "household", ["commune_id", "code"],
                    unique=True, postgresql_where=sa.text(LIVING),
                    sqlite_where=sa.text(LIVING))
    op.create_index(op.f("ix_household_code"), "household", ["code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_household_code"), table_name="household")
    op.drop_index("uq_household_commune_id_code_living", table_name="household")
    with op.batch_alter_table("household") as batch:
        batch.create_unique_constraint("uq_household_code", ["code"])
