"""register history and search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 06:44:47.472223
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('change_log',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('entity_type', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('related_ids', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log'))
    )
    op.create_index(op.f('ix_change_log_entity_type_entity_id_id'), 'change_log', ['entity_type', 'entity_id', 'id'], unique=False)
    op.add_column('resident', sa.Column('name_lower', sa.String(length=200), nullable=False,
                                        server_default=''))
    op.execute("UPDATE resident SET name_lower = lower(full_name)")
    with op.batch_alter_table('resident') as batch:
        batch.alter_column('name_lower', server_default=None)
    op.add_column('household', sa.Column('residence_type', sa.String(length=16), nullable=False,
                                         server_default='permanent'))
    with op.batch_alter_table('household') as batch:
        batch.alter_column('residence_type', server_default=None)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_resident_name_folded_trgm', 'resident', ['name_folded'], unique=False, postgresql_using='gin', postgresql_ops={'name_folded': 'gin_trgm_ops'})


def downgrade() -> None:
    op.drop_index('ix_resident_name_folded_trgm', table_name='resident', postgresql_using='gin', postgresql_ops={'name_folded': 'gin_trgm_ops'})
    op.drop_column('resident', 'name_lower')
    op.drop_column('household', 'residence_type')
    op.drop_index(op.f('ix_change_log_entity_type_entity_id_id'), table_name='change_log')
    op.drop_table('change_log')
