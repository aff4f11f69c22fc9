"""job queue

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:00:00

Background work moves to a PostgreSQL job queue (procrastinate): its schema, as procrastinate
3.10.0 ships it, is applied from `migrations/sql/` (kept here so a later procrastinate
release cannot change what this revision creates; an upgrade of the library brings a new
revision with its migration scripts). Import jobs count their attempts, can be asked to
stop, and remember who submitted them so a worker runs them with that caller's scope.
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = Path(__file__).resolve().parents[1] / "sql" / "procrastinate_3_10_0.sql"
DROP_QUEUE = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT tablename FROM pg_tables
                WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
    END LOOP;
    FOR item IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                  AND t.typtype IN ('e', 'c') LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
    END LOOP;
END $$;
"""


def _run_script(sql: str) -> None:
    """Many statements with dollar-quoted bodies: sent as one simple query, as psql would."""
    raw = op.get_bind().connection.dbapi_connection
    raw.run_async(lambda conn: conn.execute(sql))


def upgrade() -> None:
    with op.batch_alter_table("import_job") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("cancel_requested_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("submitted_by", sa.JSON(), nullable=False,
                                   server_default="{}"))
    with op.batch_alter_table("import_job") as batch:
        batch.alter_column("attempts", server_default=None)
        batch.alter_column("submitted_by", server_default=None)
    if op.get_bind().dialect.name == "postgresql":
        _run_script(SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run_script(DROP_QUEUE)
    with op.batch_alter_table("import_job") as batch:
        batch.drop_column("submitted_by")
        batch.drop_column("cancel_requested_at")
        batch.drop_column("attempts")
