"""elections

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 07:38:54

Elections with their levels and key dates (national, or a by-election of a province or a
commune); polling areas of a commune for an election, over residential groups and streets
(each group and each street in one area per election); exclusions of citizens deprived of
the right to vote, with the legal reason and the document, one active per person and
election.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('election',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('election_day', sa.Date(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('list_posting_on', sa.Date(), nullable=False),
    sa.Column('amendment_deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('complaint_deadline_on', sa.Date(), nullable=False),
    sa.Column('voting_opens_at', sa.Time(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=True),
    sa.Column('commune_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_election_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_election_province_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_election'))
    )
    op.create_index(op.f('ix_election_commune_id'), 'election', ['commune_id'], unique=False)
    op.create_index(op.f('ix_election_election_day_id'), 'election', ['election_day', 'id'], unique=False)
    op.create_index(op.f('ix_election_province_id'), 'election', ['province_id'], unique=False)
    op.create_table('polling_area',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_polling_area_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_polling_area_election_id_election'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_polling_area_province_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polling_area')),
    sa.UniqueConstraint('election_id', 'commune_id', 'code', name=op.f('uq_polling_area_election_id_commune_id_code'))
    )
    op.create_index(op.f('ix_polling_area_commune_id_id'), 'polling_area', ['commune_id', 'id'], unique=False)
    op.create_index(op.f('ix_polling_area_election_id'), 'polling_area', ['election_id'], unique=False)
    op.create_table('polling_area_street',
    sa.Column('polling_area_id', sa.Uuid(), nullable=False),
    sa.Column('street_id', sa.Uuid(), nullable=False),
    sa.Column('election_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_polling_area_street_election_id_election')),
    sa.ForeignKeyConstraint(['polling_area_id'], ['polling_area.id'], name=op.f('fk_polling_area_street_polling_area_id_polling_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['street_id'], ['street.id'], name=op.f('fk_polling_area_street_street_id_street')),
    sa.PrimaryKeyConstraint('polling_area_id', 'street_id', name=op.f('pk_polling_area_street')),
    sa.UniqueConstraint('election_id', 'street_id', name=op.f('uq_polling_area_street_election_id_street_id'))
    )
    op.create_table('polling_area_unit',
    sa.Column('polling_area_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('election_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_polling_area_unit_election_id_election')),
    sa.ForeignKeyConstraint(['polling_area_id'], ['polling_area.id'], name=op.f('fk_polling_area_unit_polling_area_id_polling_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_polling_area_unit_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('polling_area_id', 'unit_id', name=op.f('pk_polling_area_unit')),
    sa.UniqueConstraint('election_id', 'unit_id', name=op.f('uq_polling_area_unit_election_id_unit_id'))
    )
    op.create_table('election_exclusion',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('group_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('document_ref', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=4000), nullable=True),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Uuid(), nullable=True),
    sa.Column('revoked_by_name', sa.String(length=200), nullable=True),
    sa.Column('revoke_note', sa.String(length=4000), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_election_exclusion_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_election_exclusion_election_id_election'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['group_id'], ['admin_unit.id'], name=op.f('fk_election_exclusion_group_id_admin_unit')),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_election_exclusion_province_id_admin_unit')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_election_exclusion_resident_id_resident'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_election_exclusion'))
    )
    op.create_index(op.f('ix_election_exclusion_election_id_commune_id_id'), 'election_exclusion', ['election_id', 'commune_id', 'id'], unique=False)
    op.create_index(op.f('ix_election_exclusion_resident_id'), 'election_exclusion', ['resident_id'], unique=False)
    op.create_index('uq_election_exclusion_election_id_resident_id_active', 'election_exclusion', ['election_id', 'resident_id'], unique=True, postgresql_where=sa.text('revoked_at IS NULL'), sqlite_where=sa.text('revoked_at IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_election_exclusion_election_id_resident_id_active', table_name='election_exclusion', postgresql_where=sa.text('revoked_at IS NULL'), sqlite_where=sa.text('revoked_at IS NULL'))
    op.drop_index(op.f('ix_election_exclusion_resident_id'), table_name='election_exclusion')
    op.drop_index(op.f('ix_election_exclusion_election_id_commune_id_id'), table_name='election_exclusion')
    op.drop_table('election_exclusion')
    op.drop_table('polling_area_unit')
    op.drop_table('polling_area_street')
    op.drop_index(op.f('ix_polling_area_election_id'), table_name='polling_area')
    op.drop_index(op.f('ix_polling_area_commune_id_id'), table_name='polling_area')
    op.drop_table('polling_area')
    op.drop_index(op.f('ix_election_province_id'), table_name='election')
    op.drop_index(op.f('ix_election_election_day_id'), table_name='election')
    op.drop_index(op.f('ix_election_commune_id'), table_name='election')
    op.drop_table('election')
