"""outreach campaigns and visits

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 07:06:13.638185
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('campaign',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('goals', sa.JSON(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('group_ids', sa.JSON(), nullable=False),
    sa.Column('street_ids', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('target_households', sa.Integer(), nullable=False),
    sa.Column('target_residents', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_campaign_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_campaign_province_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    op.create_index(op.f('ix_campaign_commune_id'), 'campaign', ['commune_id'], unique=False)
    op.create_index(op.f('ix_campaign_province_id'), 'campaign', ['province_id'], unique=False)
    op.create_table('campaign_counter',
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_counter_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('campaign_id', 'dimension', 'key', 'metric', name=op.f('pk_campaign_counter'))
    )
    op.create_table('campaign_household',
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('group_id', sa.Uuid(), nullable=False),
    sa.Column('street_id', sa.Uuid(), nullable=True),
    sa.Column('volunteer_id', sa.Uuid(), nullable=True),
    sa.Column('walk_order', sa.Integer(), nullable=False),
    sa.Column('added_late', sa.Boolean(), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=False),
    sa.Column('reached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reached_visit_id', sa.Uuid(), nullable=True),
    sa.Column('last_visit_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_outcome', sa.String(length=24), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_household_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_campaign_household_household_id_household')),
    sa.PrimaryKeyConstraint('campaign_id', 'household_id', name=op.f('pk_campaign_household'))
    )
    op.create_index(op.f('ix_campaign_household_campaign_id_volunteer_id_walk_order'), 'campaign_household', ['campaign_id', 'volunteer_id', 'walk_order'], unique=False)
    op.create_table('visit',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('client_visit_id', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_name', sa.String(length=200), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('notes', sa.String(length=4000), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('residents', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_visit_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_visit_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit')),
    sa.UniqueConstraint('campaign_id', 'client_visit_id', name=op.f('uq_visit_campaign_id_client_visit_id'))
    )
    op.create_index(op.f('ix_visit_campaign_id_household_id_visited_at'), 'visit', ['campaign_id', 'household_id', 'visited_at'], unique=False)
    op.create_table('campaign_resident_action',
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('group_id', sa.Uuid(), nullable=False),
    sa.Column('street_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_resident_action_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_campaign_resident_action_resident_id_resident')),
    sa.PrimaryKeyConstraint('campaign_id', 'resident_id', 'action', name=op.f('pk_campaign_resident_action'))
    )
    op.create_table('visit_need',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=True),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_visit_need_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_visit_need_household_id_household')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_visit_need_resident_id_resident')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_need_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_need'))
    )
    op.create_index(op.f('ix_visit_need_campaign_id_status_created_at'), 'visit_need', ['campaign_id', 'status', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_visit_need_campaign_id_status_created_at'), table_name='visit_need')
    op.drop_table('visit_need')
    op.drop_table('campaign_resident_action')
    op.drop_index(op.f('ix_visit_campaign_id_household_id_visited_at'), table_name='visit')
    op.drop_table('visit')
    op.drop_index(op.f('ix_campaign_household_campaign_id_volunteer_id_walk_order'), table_name='campaign_household')
    op.drop_table('campaign_household')
    op.drop_table('campaign_counter')
    op.drop_index(op.f('ix_campaign_province_id'), table_name='campaign')
    op.drop_index(op.f('ix_campaign_commune_id'), table_name='campaign')
    op.drop_table('campaign')
