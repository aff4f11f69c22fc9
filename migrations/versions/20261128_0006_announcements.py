"""announcements

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 07:13:25.547343
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('announcement',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.String(length=4000), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('unit_ids', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_announcement_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_announcement_province_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement'))
    )
    op.create_index(op.f('ix_announcement_commune_id'), 'announcement', ['commune_id'], unique=False)
    op.create_index(op.f('ix_announcement_province_id'), 'announcement', ['province_id'], unique=False)
    op.create_index(op.f('ix_announcement_publish_at_id'), 'announcement', ['publish_at', 'id'], unique=False)
    op.create_table('announcement_unit',
    sa.Column('announcement_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id'], name=op.f('fk_announcement_unit_announcement_id_announcement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_announcement_unit_unit_id_admin_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('announcement_id', 'unit_id', name=op.f('pk_announcement_unit'))
    )
    op.create_index(op.f('ix_announcement_unit_unit_id'), 'announcement_unit', ['unit_id'], unique=False)
    op.create_table('announcement_delivery',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('announcement_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=24), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_by_id', sa.Uuid(), nullable=False),
    sa.Column('delivered_by_name', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id'], name=op.f('fk_announcement_delivery_announcement_id_announcement')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_announcement_delivery_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_delivery')),
    sa.UniqueConstraint('announcement_id', 'household_id', name=op.f('uq_announcement_delivery_announcement_id_household_id'))
    )
    op.create_index(op.f('ix_announcement_delivery_announcement_id_delivered_at_id'), 'announcement_delivery', ['announcement_id', 'delivered_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_announcement_delivery_announcement_id_delivered_at_id'), table_name='announcement_delivery')
    op.drop_table('announcement_delivery')
    op.drop_index(op.f('ix_announcement_unit_unit_id'), table_name='announcement_unit')
    op.drop_table('announcement_unit')
    op.drop_index(op.f('ix_announcement_publish_at_id'), table_name='announcement')
    op.drop_index(op.f('ix_announcement_province_id'), table_name='announcement')
    op.drop_index(op.f('ix_announcement_commune_id'), table_name='announcement')
    op.drop_table('announcement')
