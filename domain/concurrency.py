"""Optimistic concurrency: the ETag a client read must match the record it changes."""

from __future__ import annotations

from typing import Protocol

from domain.base import Entity
from domain.errors import PreconditionFailed, PreconditionRequired
from domain.types import utcnow


class Tagged(Protocol):
    """Anything with an ETag: an entity (id and version), or a file (its digest)."""

    @property
    def etag(self) -> str: ...


def check_if_match(entity: Tagged, if_match: str | None) -> None:
    if not if_match:
        raise PreconditionRequired()
    tags = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if "*" not in tags and entity.etag not in tags:
        raise PreconditionFailed(etag=entity.etag)


def touch(entity: Entity) -> None:
    """Mark a change: a new version (and so a new ETag) and a fresh `updated_at`."""
    entity.version += 1
    entity.updated_at = utcnow()
