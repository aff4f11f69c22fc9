"""import job heartbeat

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 09:50:00

A running import writes `heartbeat_at` every few seconds; a job queued or running whose
heartbeat went silent belonged to a worker that died, and is marked failed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("import_job", sa.Column("heartbeat_at", sa.DateTime(timezone=True),
                                          nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_job") as batch:
        batch.drop_column("heartbeat_at")
