"""The audit trail's SQL: chained appends, filtered keyset reads and chain verification."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, insert, text, update
from sqlmodel import select

from domain import context
from domain.access import Principal
from domain.audit.models import GENESIS_HASH, AuditEvent, chain_hash
from domain.paging import Page
from domain.types import utcnow
from repositories.accounts import UserRepository
from repositories.direct import Run
from repositories.scoped import ScopedRepository, Through

# The sealer holds this transaction-scoped lock so the hash chain never forks.
_CHAIN_LOCK = 0x6175646974  # "audit"
SEAL_BATCH = 5000  # events sealed per transaction
_EVENTS = AuditEvent.__table__
# Only the columns an event is given: the id comes from the table's identity.
_APPEND = insert(_EVENTS).values({name: bindparam(name) for name in (
    "occurred_at", "actor_id", "actor_name", "actor_role", "on_behalf_of", "action",
    "object_type", "object_ids", "outcome", "request_id", "client_ip", "details")})
_CLAIM_WRITES = text("UPDATE audit_event SET seq = seq WHERE 1 = 0")
_LAST_SEALED = select(_EVENTS.c.seq, _EVENTS.c.hash).where(
    _EVENTS.c.seq.is_not(None)).order_by(_EVENTS.c.seq.desc()).limit(1)
_UNSEALED = select(_EVENTS).where(_EVENTS.c.seq.is_(None)).order_by(_EVENTS.c.id).limit(
    bindparam("n"))
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:k)")
_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_SEAL = update(_EVENTS).where(_EVENTS.c.id == bindparam("event_id")).values(
    seq=bindparam("new_seq"), prev_hash=bindparam("new_prev"), hash=bindparam("new_hash"))


async def append_event(
    run: Run,
    who: Principal | None,
    action: str,
    object_type: str | None = None,
    object_ids: Iterable[uuid.UUID | str] = (),
    *,
    outcome: str = "success",
    on_behalf_of: str | None = None,
    actor_name: str | None = None,
    **details: Any,
) -> None:
    """One INSERT and no lock: the sealer chains the event once it is committed (`seal`)."""
    ctx = context.current.get()
    await run.execute(_APPEND, {
        "occurred_at": utcnow(),
        "actor_id": str(who.subject_id) if who else None,
        "actor_name": who.name if who else actor_name,
        "actor_role": who.role.value if who else None,
        "on_behalf_of": on_behalf_of,
        "action": action,
        "object_type": object_type,
        "object_ids": [str(i) for i in object_ids],
        "outcome": outcome,
        "request_id": ctx.request_id if ctx else None,
        "client_ip": ctx.client_ip if ctx else None,
        "details": details,
    })


class AuditRepository(ScopedRepository[AuditEvent]):
    # Admins see every event; others the events whose actor is a user they can see.
    model, scope = AuditEvent, Through(UserRepository, AuditEvent.actor_id, as_text=True)

    async def record(
        self,
        who: Principal | None,
        action: str,
        object_type: str | None = None,
        object_ids: Iterable[uuid.UUID | str] = (),
        **kwargs: Any,
    ) -> None:
        """Append one event in the caller's transaction (if it fails, the use case fails)."""
        await append_event(self.run, who, action, object_type, object_ids, **kwargs)

    async def seal(self, limit: int = SEAL_BATCH, *, wait: bool = True) -> int:
        """Chain up to `limit` unsealed events, oldest id first; how many were sealed.

        Events are sealed in the order they became visible, so one committed late (a long
        transaction) takes the next place in the chain rather than its id's. `wait=False`
        returns 0 at once when another sealer holds the lock."""
        if self.run.dialect == "postgresql":
            if not wait:
                if not await self.run.fetchval(_TRY_LOCK, {"k": _CHAIN_LOCK}):
                    return 0
            else:
                await self.run.execute(_LOCK, {"k": _CHAIN_LOCK})
        else:
            # SQLite: be the writer from the first statement. Read first and write later,
            # and the write fails at once whenever a request committed in between (its WAL
            # snapshot is stale); as the writer, others wait their turn (busy timeout).
            await self.run.execute(_CLAIM_WRITES)
        last = await self.run.fetchrow(_LAST_SEALED)
        seq, prev = (last["seq"], last["hash"]) if last else (0, GENESIS_HASH)
        rows = await self.run.fetch(_UNSEALED, {"n": limit})
        sealed = []
        for row in rows:
            seq, digest = seq + 1, chain_hash(SimpleNamespace(**row), prev)
            sealed.append({"event_id": row["id"], "new_seq": seq, "new_prev": prev,
                           "new_hash": digest})
            prev = digest
        if sealed:
            await self.run.executemany(_SEAL, sealed)
        return len(sealed)

    async def pending(self) -> int:
        """Committed events not yet sealed into the chain."""
        return await self.run.fetchval(
            select(func.count()).select_from(_EVENTS).where(_EVENTS.c.seq.is_(None))) or 0

    async def list(
        self,
        *,
        actor_id: str | None,
        action: str | None,
        object_id: str | None,
        outcome: str | None,
        since: datetime | None,
        until: datetime | None,
        cursor: str | None,
        limit: int,
        principal: Principal,
    ) -> Page:
        """Newest first."""
        stmt = self.readable(principal)
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
        return await self.page(stmt, sort=None, allowed={"id": AuditEvent.id},
                               default="-id", cursor=cursor,
                               limit=limit)

    async def verify(self, batch: int = 5000) -> tuple[int, AuditEvent | None]:
        """Walk the sealed chain in `seq` order; how many events check out, and the first
        bad one."""
        checked, prev, after = 0, GENESIS_HASH, 0
        while True:
            rows = (
                await self.session.exec(
                    select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq)
                    .limit(batch)
                )
            ).all()
            if not rows:
                return checked, None
            for row in rows:
                if (row.seq != after + 1 or row.prev_hash != prev
                        or chain_hash(row, prev) != row.hash):
                    return checked, row
                prev, after = row.hash, row.seq
                checked += 1
            self.session.expunge_all()


# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"audit": AuditRepository}
