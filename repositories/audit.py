"""The audit trail's SQL: chained appends, filtered keyset reads and chain verification."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, cast, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import context
from domain.access import Principal
from domain.accounts.models import User
from domain.audit.models import GENESIS_HASH, AuditEvent
from repositories.accounts import UserRepository

# Every append takes this transaction-scoped lock so the hash chain never forks.
_CHAIN_LOCK = 0x6175646974  # "audit"


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        who: Principal | None,
        action: str,
        object_type: str | None = None,
        object_ids: Iterable[uuid.UUID | str] = (),
        *,
        outcome: str = "success",
        on_behalf_of: str | None = None,
        actor_name: str | None = None,
        **details: Any,
    ) -> AuditEvent:
        """Append one event in the caller's transaction: if it fails, the use case fails."""
        ctx = context.current.get()
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
        last = await self.session.scalar(
            select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        )
        event = AuditEvent(
            actor_id=str(who.subject_id) if who else None,
            actor_name=who.name if who else actor_name,
            actor_role=who.role.value if who else None,
            on_behalf_of=on_behalf_of,
            action=action,
            object_type=object_type,
            object_ids=[str(i) for i in object_ids],
            outcome=outcome,
            request_id=ctx.request_id if ctx else None,
            client_ip=ctx.client_ip if ctx else None,
            details=details,
            prev_hash=last or GENESIS_HASH,
            hash="",
        )
        event.hash = event.compute_hash()
        self.session.add(event)
        await self.session.flush()
        return event

    def readable(self, principal: Principal):
        """Admins see every event; others the events whose actor is a user they can see."""
        stmt = select(AuditEvent)
        if principal.is_unscoped:
            return stmt
        actors = UserRepository(self.session).readable(principal).with_only_columns(
            cast(User.id, String)
        )
        return stmt.where(AuditEvent.actor_id.in_(actors))

    async def list(
        self,
        *,
        actor_id: str | None,
        action: str | None,
        object_id: str | None,
        outcome: str | None,
        since: datetime | None,
        until: datetime | None,
        cursor: int | None,
        limit: int,
        principal: Principal | None = None,
    ) -> list[AuditEvent]:
        """Newest first, `limit + 1` rows (the extra one tells that a next page exists)."""
        stmt = self.readable(principal) if principal is not None else select(AuditEvent)
        if actor_id:
            stmt = stmt.where(AuditEvent.actor_id == actor_id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        if outcome:
            stmt = stmt.where(AuditEvent.outcome == outcome)
        if since:
            stmt = stmt.where(AuditEvent.occurred_at >= since)
        if until:
            stmt = stmt.where(AuditEvent.occurred_at < until)
        if object_id:
            # Portable JSON containment: the ids are stored as a JSON array of strings.
            ids_text = cast(AuditEvent.object_ids, Text)
            stmt = stmt.where(ids_text.contains(f'"{object_id}"', autoescape=True))
        if cursor is not None:
            stmt = stmt.where(AuditEvent.id < cursor)
        stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit + 1)
        return list((await self.session.exec(stmt)).all())

    async def verify(self, batch: int = 5000) -> tuple[int, AuditEvent | None]:
        """Walk the chain in id order; return how many rows check out and the first bad row."""
        checked, prev, after = 0, GENESIS_HASH, 0
        while True:
            rows = (
                await self.session.exec(
                    select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)
                    .limit(batch)
                )
            ).all()
            if not rows:
                return checked, None
            for row in rows:
                if row.prev_hash != prev or row.compute_hash() != row.hash:
                    return checked, row
                prev, after = row.hash, row.id
                checked += 1
            self.session.expunge_all()
