"""retired unit codes

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 18:40:00

Administrative unit codes are never reused (Decision 19/2025/QĐ-TTg): the code of a unit
that is deleted, or that takes another code, is kept here with the unit that held it, and
no other unit may take it. Codes given up before this revision are not known.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'retired_unit_code',
        sa.Column('code', sa.String(length=10), nullable=False),
        sa.Column('unit_id', sa.Uuid(), nullable=False),
        sa.Column('unit_name', sa.String(length=200), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_retired_unit_code')),
    )


def downgrade() -> None:
    op.drop_table('retired_unit_code')
