"""foundation and identity

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 06:30:42.157069
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The audit trail is append-only: the database itself refuses to change or remove a row.
AUDIT_APPEND_ONLY = [
    """CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
]


def upgrade() -> None:

    op.create_table('admin_unit',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_folded', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('province_id', sa.Uuid(), nullable=True),
    sa.Column('commune_id', sa.Uuid(), nullable=True),
    sa.Column('old_address_text', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['admin_unit.id'], name=op.f('fk_admin_unit_parent_id_admin_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_admin_unit_code'))
    )
    op.create_index(op.f('ix_admin_unit_commune_id'), 'admin_unit', ['commune_id'], unique=False)
    op.create_index(op.f('ix_admin_unit_level'), 'admin_unit', ['level'], unique=False)
    op.create_index(op.f('ix_admin_unit_name_folded_id'), 'admin_unit', ['name_folded', 'id'], unique=False)
    op.create_index(op.f('ix_admin_unit_parent_id_name_folded_id'), 'admin_unit', ['parent_id', 'name_folded', 'id'], unique=False)
    op.create_index(op.f('ix_admin_unit_province_id'), 'admin_unit', ['province_id'], unique=False)
    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=True),
    sa.Column('on_behalf_of', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=True),
    sa.Column('object_ids', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.Column('client_ip', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    op.create_index(op.f('ix_audit_event_action_id'), 'audit_event', ['action', 'id'], unique=False)
    op.create_index(op.f('ix_audit_event_actor_id_id'), 'audit_event', ['actor_id', 'id'], unique=False)
    op.create_index(op.f('ix_audit_event_occurred_at'), 'audit_event', ['occurred_at'], unique=False)
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    op.create_table('revoked_token',
    sa.Column('jti', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('jti', name=op.f('pk_revoked_token'))
    )
    op.create_index(op.f('ix_revoked_token_expires_at'), 'revoked_token', ['expires_at'], unique=False)
    op.create_table('service_account',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_epoch', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_account')),
    sa.UniqueConstraint('client_id', name=op.f('uq_service_account_client_id'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_epoch', sa.Integer(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_index(op.f('ix_user_account_role'), 'user_account', ['role'], unique=False)
    op.create_table('refresh_token',
    sa.Column('jti', sa.String(length=64), nullable=False),
    sa.Column('family_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_refresh_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('jti', name=op.f('pk_refresh_token'))
    )
    op.create_index(op.f('ix_refresh_token_family_id'), 'refresh_token', ['family_id'], unique=False)
    op.create_index(op.f('ix_refresh_token_user_id'), 'refresh_token', ['user_id'], unique=False)
    op.create_table('service_account_unit',
    sa.Column('service_account_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['service_account_id'], ['service_account.id'], name=op.f('fk_service_account_unit_service_account_id_service_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_service_account_unit_unit_id_admin_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('service_account_id', 'unit_id', name=op.f('pk_service_account_unit'))
    )
    op.create_index(op.f('ix_service_account_unit_unit_id'), 'service_account_unit', ['unit_id'], unique=False)
    op.create_table('street',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_folded', sa.String(length=200), nullable=False),
    sa.Column('old_name', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_street_commune_id_admin_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_street_province_id_admin_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_street')),
    sa.UniqueConstraint('commune_id', 'name_folded', name=op.f('uq_street_commune_id_name_folded'))
    )
    op.create_index(op.f('ix_street_name_folded_id'), 'street', ['name_folded', 'id'], unique=False)
    op.create_index(op.f('ix_street_province_id'), 'street', ['province_id'], unique=False)
    op.create_table('user_unit',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_user_unit_unit_id_admin_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_unit_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'unit_id', name=op.f('pk_user_unit'))
    )
    op.create_index(op.f('ix_user_unit_unit_id'), 'user_unit', ['unit_id'], unique=False)
    op.create_table('household',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('group_id', sa.Uuid(), nullable=False),
    sa.Column('street_id', sa.Uuid(), nullable=True),
    sa.Column('house_number', sa.String(length=32), nullable=True),
    sa.Column('house_number_sort', sa.Integer(), nullable=False),
    sa.Column('old_address_text', sa.String(length=500), nullable=True),
    sa.Column('head_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_household_commune_id_admin_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['group_id'], ['admin_unit.id'], name=op.f('fk_household_group_id_admin_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_household_province_id_admin_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['street_id'], ['street.id'], name=op.f('fk_household_street_id_street'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household')),
    sa.UniqueConstraint('code', name=op.f('uq_household_code'))
    )
    op.create_index(op.f('ix_household_commune_id_id'), 'household', ['commune_id', 'id'], unique=False)
    op.create_index(op.f('ix_household_group_id_street_id_house_number_sort_id'), 'household', ['group_id', 'street_id', 'house_number_sort', 'id'], unique=False)
    op.create_table('resident',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=True),
    sa.Column('relationship', sa.String(length=24), nullable=True),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('group_id', sa.Uuid(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('name_folded', sa.String(length=200), nullable=False),
    sa.Column('given_name_folded', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('id_number', sa.String(length=12), nullable=True),
    sa.Column('id_number_mismatch', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('residence_status', sa.String(length=24), nullable=False),
    sa.Column('residence_since', sa.Date(), nullable=True),
    sa.Column('status_changed_on', sa.Date(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_unit.id'], name=op.f('fk_resident_commune_id_admin_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['group_id'], ['admin_unit.id'], name=op.f('fk_resident_group_id_admin_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_resident_household_id_household'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_resident_province_id_admin_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident'))
    )
    op.create_index(op.f('ix_resident_commune_id_id'), 'resident', ['commune_id', 'id'], unique=False)
    op.create_index(op.f('ix_resident_group_id_given_name_folded_id'), 'resident', ['group_id', 'given_name_folded', 'id'], unique=False)
    op.create_index(op.f('ix_resident_household_id'), 'resident', ['household_id'], unique=False)
    op.create_index(op.f('ix_resident_name_folded_birth_date'), 'resident', ['name_folded', 'birth_date'], unique=False)
    op.create_index('uq_resident_id_number_living', 'resident', ['id_number'], unique=True, postgresql_where=sa.text('deleted_at IS NULL AND id_number IS NOT NULL'), sqlite_where=sa.text('deleted_at IS NULL AND id_number IS NOT NULL'))
    op.create_table('readiness_fact',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_readiness_fact_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_fact'))
    )
    op.create_index(op.f('ix_readiness_fact_resident_id_kind'), 'readiness_fact', ['resident_id', 'kind'], unique=False)
    # household.head_id and resident.household_id point at each other: add one FK afterwards.
    with op.batch_alter_table("household") as batch:
        batch.create_foreign_key(
            "fk_household_head_id_resident", "resident", ["head_id"], ["id"], ondelete="SET NULL"
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in AUDIT_APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")
    with op.batch_alter_table("household") as batch:
        batch.drop_constraint("fk_household_head_id_resident", type_="foreignkey")

    op.drop_index(op.f('ix_readiness_fact_resident_id_kind'), table_name='readiness_fact')
    op.drop_table('readiness_fact')
    op.drop_index('uq_resident_id_number_living', table_name='resident', postgresql_where=sa.text('deleted_at IS NULL AND id_number IS NOT NULL'), sqlite_where=sa.text('deleted_at IS NULL AND id_number IS NOT NULL'))
    op.drop_index(op.f('ix_resident_name_folded_birth_date'), table_name='resident')
    op.drop_index(op.f('ix_resident_household_id'), table_name='resident')
    op.drop_index(op.f('ix_resident_group_id_given_name_folded_id'), table_name='resident')
    op.drop_index(op.f('ix_resident_commune_id_id'), table_name='resident')
    op.drop_table('resident')
    op.drop_index(op.f('ix_household_group_id_street_id_house_number_sort_id'), table_name='household')
    op.drop_index(op.f('ix_household_commune_id_id'), table_name='household')
    op.drop_table('household')
    op.drop_index(op.f('ix_user_unit_unit_id'), table_name='user_unit')
    op.drop_table('user_unit')
    op.drop_index(op.f('ix_street_province_id'), table_name='street')
    op.drop_index(op.f('ix_street_name_folded_id'), table_name='street')
    op.drop_table('street')
    op.drop_index(op.f('ix_service_account_unit_unit_id'), table_name='service_account_unit')
    op.drop_table('service_account_unit')
    op.drop_index(op.f('ix_refresh_token_user_id'), table_name='refresh_token')
    op.drop_index(op.f('ix_refresh_token_family_id'), table_name='refresh_token')
    op.drop_table('refresh_token')
    op.drop_index(op.f('ix_user_account_role'), table_name='user_account')
    op.drop_table('user_account')
    op.drop_table('service_account')
    op.drop_index(op.f('ix_revoked_token_expires_at'), table_name='revoked_token')
    op.drop_table('revoked_token')
    op.drop_table('login_throttle')
    op.drop_index(op.f('ix_audit_event_occurred_at'), table_name='audit_event')
    op.drop_index(op.f('ix_audit_event_actor_id_id'), table_name='audit_event')
    op.drop_index(op.f('ix_audit_event_action_id'), table_name='audit_event')
    op.drop_table('audit_event')
    op.drop_index(op.f('ix_admin_unit_province_id'), table_name='admin_unit')
    op.drop_index(op.f('ix_admin_unit_parent_id_name_folded_id'), table_name='admin_unit')
    op.drop_index(op.f('ix_admin_unit_name_folded_id'), table_name='admin_unit')
    op.drop_index(op.f('ix_admin_unit_level'), table_name='admin_unit')
    op.drop_index(op.f('ix_admin_unit_commune_id'), table_name='admin_unit')
    op.drop_table('admin_unit')

