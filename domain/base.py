"""The metadata every table shares: constraint naming and the common columns."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime, utcnow, uuid7

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


class Entity(SQLModel):
    """Columns every stored record has; `version` backs the ETag."""

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)

    @property
    def etag(self) -> str:
        return etag_of(self)


def etag_of(record) -> str:
    """The ETag of anything with `id` and `version`: an entity or a plain row of its table
    (by attribute, or by column name)."""
    if hasattr(record, "keys"):
        return f'"{record["id"].hex[:8]}.{record["version"]}"'
    return f'"{record.id.hex[:8]}.{record.version}"'
