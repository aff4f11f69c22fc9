"""readiness guardian

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 18:30:00

A readiness fact may name the guardian with whom a child under 14 activated VNeID level 2
(`guardian_id`, a resident). Existing facts name none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('readiness_fact') as batch:
        batch.add_column(sa.Column('guardian_id', sa.Uuid(), nullable=True))
        batch.create_foreign_key(op.f('fk_readiness_fact_guardian_id_resident'), 'resident',
                                 ['guardian_id'], ['id'], ondelete='SET NULL')
    op.create_index(op.f('ix_readiness_fact_guardian_id'), 'readiness_fact', ['guardian_id'],
                    unique=False, postgresql_where=sa.text('guardian_id IS NOT NULL'),
                    sqlite_where=sa.text('guardian_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index(op.f('ix_readiness_fact_guardian_id'), table_name='readiness_fact')
    with op.batch_alter_table('readiness_fact') as batch:
        batch.drop_constraint(op.f('fk_readiness_fact_guardian_id_resident'),
                              type_='foreignkey')
        batch.drop_column('guardian_id')
