"""voter lists and reconciliation

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 12:32:50

Voter lists of polling areas as the commune office hands them over (immutable versions,
their rows exactly as imported, and saved column mappings per commune); reconciliation runs
(one queued or running per election and unit), the discrepancies each found, and election
officers' resolutions by the difference's key (one live per key), kept across runs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('voter_list_mapping',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_voter_list_mapping_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_voter_list_mapping_province_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_list_mapping')),
    sa.UniqueConstraint('commune_id', 'name', name=op.f('uq_voter_list_mapping_commune_id_name'))
    )
    op.create_table('discrepancy_resolution',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('discrepancy_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('legal_reason', sa.String(length=64), nullable=True),
    sa.Column('note', sa.String(length=4000), nullable=False),
    sa.Column('resolved_by_id', sa.Uuid(), nullable=False),
    sa.Column('resolved_by_name', sa.String(length=200), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_discrepancy_resolution_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_discrepancy_resolution_election_id_election'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_discrepancy_resolution_province_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discrepancy_resolution'))
    )
    op.create_index(op.f('ix_discrepancy_resolution_election_id_commune_id_id'), 'discrepancy_resolution', ['election_id', 'commune_id', 'id'], unique=False)
    op.create_index('uq_discrepancy_resolution_election_id_key_live', 'discrepancy_resolution', ['election_id', 'key'], unique=True, postgresql_where=sa.text('superseded_at IS NULL'), sqlite_where=sa.text('superseded_at IS NULL'))
    op.create_table('reconciliation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('previous_id', sa.Uuid(), nullable=True),
    sa.Column('list_version_ids', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=200), nullable=True),
    sa.Column('submitted_by', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_reconciliation_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_reconciliation_election_id_election'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_reconciliation_province_id_admin_unit')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_reconciliation_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation'))
    )
    op.create_index(op.f('ix_reconciliation_election_id_commune_id_id'), 'reconciliation', ['election_id', 'commune_id', 'id'], unique=False)
    op.create_index('uq_reconciliation_election_id_unit_id_active', 'reconciliation', ['election_id', 'unit_id'], unique=True, postgresql_where=sa.text("status IN ('queued', 'running')"), sqlite_where=sa.text("status IN ('queued', 'running')"))
    op.create_table('discrepancy',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('reconciliation_id', sa.Uuid(), nullable=False),
    sa.Column('election_id', sa.Uuid(), nullable=False),
    sa.Column('polling_area_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('group_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('row_id', sa.Uuid(), nullable=True),
    sa.Column('resident_id', sa.Uuid(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('other_row_ids', sa.JSON(), nullable=False),
    sa.Column('is_new', sa.Boolean(), nullable=False),
    sa.Column('resolution_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_discrepancy_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_discrepancy_election_id_election')),
    sa.ForeignKeyConstraint(['group_id'], ['admin_unit.id'], name=op.f('fk_discrepancy_group_id_admin_unit')),
    sa.ForeignKeyConstraint(['polling_area_id'], ['polling_area.id'], name=op.f('fk_discrepancy_polling_area_id_polling_area')),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_discrepancy_province_id_admin_unit')),
    sa.ForeignKeyConstraint(['reconciliation_id'], ['reconciliation.id'], name=op.f('fk_discrepancy_reconciliation_id_reconciliation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discrepancy'))
    )
    op.create_index(op.f('ix_discrepancy_election_id_key'), 'discrepancy', ['election_id', 'key'], unique=False)
    op.create_index(op.f('ix_discrepancy_reconciliation_id_kind_id'), 'discrepancy', ['reconciliation_id', 'kind', 'id'], unique=False)
    op.create_table('voter_list_version',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Uuid(), nullable=False),
    sa.Column('polling_area_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('import_job_id', sa.Uuid(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Uuid(), nullable=True),
    sa.Column('imported_by_name', sa.String(length=200), nullable=True),
    sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finalised_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_voter_list_version_commune_id_admin_unit')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_voter_list_version_election_id_election'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['import_job_id'], ['import_job.id'], name=op.f('fk_voter_list_version_import_job_id_import_job')),
    sa.ForeignKeyConstraint(['polling_area_id'], ['polling_area.id'], name=op.f('fk_voter_list_version_polling_area_id_polling_area'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_voter_list_version_province_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_list_version')),
    sa.UniqueConstraint('polling_area_id', 'number', name=op.f('uq_voter_list_version_polling_area_id_number'))
    )
    op.create_index(op.f('ix_voter_list_version_election_id_commune_id_id'), 'voter_list_version', ['election_id', 'commune_id', 'id'], unique=False)
    op.create_table('voter_list_row',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version_id', sa.Uuid(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('seq', sa.String(length=20), nullable=True),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('name_folded', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('sex', sa.String(length=8), nullable=True),
    sa.Column('id_number', sa.String(length=12), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['voter_list_version.id'], name=op.f('fk_voter_list_row_version_id_voter_list_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_list_row')),
    sa.UniqueConstraint('version_id', 'line', name=op.f('uq_voter_list_row_version_id_line'))
    )
    op.create_index(op.f('ix_voter_list_row_version_id_birth_date'), 'voter_list_row', ['version_id', 'birth_date'], unique=False)
    op.create_index(op.f('ix_voter_list_row_version_id_id_number'), 'voter_list_row', ['version_id', 'id_number'], unique=False)
    with op.batch_alter_table('import_job') as batch:
        batch.add_column(sa.Column('polling_area_id', sa.Uuid(), nullable=True))
        batch.add_column(sa.Column('columns', sa.JSON(), nullable=True))
        batch.create_foreign_key(op.f('fk_import_job_polling_area_id_polling_area'),
                                 'polling_area', ['polling_area_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('import_job') as batch:
        batch.drop_constraint(op.f('fk_import_job_polling_area_id_polling_area'),
                              type_='foreignkey')
        batch.drop_column('columns')
        batch.drop_column('polling_area_id')
    op.drop_index(op.f('ix_voter_list_row_version_id_id_number'), table_name='voter_list_row')
    op.drop_index(op.f('ix_voter_list_row_version_id_birth_date'), table_name='voter_list_row')
    op.drop_table('voter_list_row')
    op.drop_index(op.f('ix_voter_list_version_election_id_commune_id_id'), table_name='voter_list_version')
    op.drop_table('voter_list_version')
    op.drop_index(op.f('ix_discrepancy_reconciliation_id_kind_id'), table_name='discrepancy')
    op.drop_index(op.f('ix_discrepancy_election_id_key'), table_name='discrepancy')
    op.drop_table('discrepancy')
    op.drop_index('uq_reconciliation_election_id_unit_id_active', table_name='reconciliation', postgresql_where=sa.text("status IN ('queued', 'running')"), sqlite_where=sa.text("status IN ('queued', 'running')"))
    op.drop_index(op.f('ix_reconciliation_election_id_commune_id_id'), table_name='reconciliation')
    op.drop_table('reconciliation')
    op.drop_index('uq_discrepancy_resolution_election_id_key_live', table_name='discrepancy_resolution', postgresql_where=sa.text('superseded_at IS NULL'), sqlite_where=sa.text('superseded_at IS NULL'))
    op.drop_index(op.f('ix_discrepancy_resolution_election_id_commune_id_id'), table_name='discrepancy_resolution')
    op.drop_table('discrepancy_resolution')
    op.drop_table('voter_list_mapping')
