"""ticket SLA, attachments, Open311 fields

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 07:22:12

Public holidays of the working calendar; ticket attachments (the blob is in the storage);
on a ticket: working minutes to the first answer and to the resolution, the door-step need
it came from, the fraud warning published from it, and where (address, position) and an
email for requests that come through Open311.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('work_holiday',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_holiday')),
    sa.UniqueConstraint('day', name=op.f('uq_work_holiday_day'))
    )
    op.create_table('ticket_attachment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=False),
    sa.Column('uploaded_by_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_attachment_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_attachment')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_ticket_attachment_storage_key'))
    )
    op.create_index(op.f('ix_ticket_attachment_ticket_id_created_at_id'), 'ticket_attachment', ['ticket_id', 'created_at', 'id'], unique=False)
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('visit_need_id', sa.Uuid(), nullable=True))
        batch.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch.add_column(sa.Column('announcement_id', sa.Uuid(), nullable=True))
        batch.add_column(sa.Column('first_response_work_minutes', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('resolution_work_minutes', sa.Integer(), nullable=True))
        batch.create_index(op.f('ix_ticket_commune_id_created_at_id'), ['commune_id', 'created_at', 'id'], unique=False)
        batch.create_unique_constraint(op.f('uq_ticket_visit_need_id'), ['visit_need_id'])
        batch.create_foreign_key(op.f('fk_ticket_visit_need_id_visit_need'), 'visit_need', ['visit_need_id'], ['id'])
        batch.create_foreign_key(op.f('fk_ticket_announcement_id_announcement'), 'announcement', ['announcement_id'], ['id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_ticket_subject_folded_trgm', 'ticket', ['subject_folded'], unique=False, postgresql_using='gin', postgresql_ops={'subject_folded': 'gin_trgm_ops'})


def downgrade() -> None:
    op.drop_index('ix_ticket_subject_folded_trgm', table_name='ticket', postgresql_using='gin', postgresql_ops={'subject_folded': 'gin_trgm_ops'})
    with op.batch_alter_table('ticket') as batch:
        batch.drop_constraint(op.f('fk_ticket_announcement_id_announcement'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_ticket_visit_need_id_visit_need'), type_='foreignkey')
        batch.drop_constraint(op.f('uq_ticket_visit_need_id'), type_='unique')
        batch.drop_index(op.f('ix_ticket_commune_id_created_at_id'))
        batch.drop_column('resolution_work_minutes')
        batch.drop_column('first_response_work_minutes')
        batch.drop_column('announcement_id')
        batch.drop_column('longitude')
        batch.drop_column('latitude')
        batch.drop_column('address')
        batch.drop_column('visit_need_id')
        batch.drop_column('contact_email')
    op.drop_index(op.f('ix_ticket_attachment_ticket_id_created_at_id'), table_name='ticket_attachment')
    op.drop_table('ticket_attachment')
    op.drop_table('work_holiday')
