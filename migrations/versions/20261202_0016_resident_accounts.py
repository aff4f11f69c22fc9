"""resident accounts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 07:50:00

A resident's account may be linked to the register record the person is (one account per
record at most), so the tickets opened on their behalf are theirs to follow.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('resident_id', sa.Uuid(), nullable=True))
        batch.create_unique_constraint(op.f('uq_user_account_resident_id'), ['resident_id'])
        batch.create_foreign_key(op.f('fk_user_account_resident_id_resident'), 'resident',
                                 ['resident_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.drop_constraint(op.f('fk_user_account_resident_id_resident'), type_='foreignkey')
        batch.drop_constraint(op.f('uq_user_account_resident_id'), type_='unique')
        batch.drop_column('resident_id')
