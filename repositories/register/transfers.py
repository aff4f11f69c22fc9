"""Transfer requests between scopes: each side reads them through its own units."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select

from domain.access import Principal
from domain.paging import Page
from domain.register.errors import TransferNotFound
from domain.register.models import Household, TransferRequest
from repositories.flush import flush_or_conflict
from repositories.scoped import ScopedRepository, UnitColumns, level_columns

_T = TransferRequest.__table__
TARGET = UnitColumns(level_columns(_T))  # the household it moves into: the side that asked
SOURCE = UnitColumns({level: _T.c[f"source_{level}_id"]  # the record it moves: the other side
                      for level in ("group", "commune", "province")})


class TransferRepository(ScopedRepository[TransferRequest]):
    model, scope = TransferRequest, TARGET | SOURCE
    not_found, id_param = TransferNotFound, "transfer_id"

    async def add(self, transfer: TransferRequest) -> TransferRequest:
        self.session.add(transfer)
        await flush_or_conflict(self.session)
        return transfer

    async def save(self) -> None:
        await flush_or_conflict(self.session)

    async def sides(self, principal: Principal, transfer_id: uuid.UUID) -> tuple[bool, bool]:
        """Whether the caller's scope covers (the target, the source) of a transfer: by the
        same unit predicates its scope is made of."""
        if principal.is_unscoped:
            return True, True
        row = await self.run.fetchrow(select(
            TARGET.clause(principal).label("target"), SOURCE.clause(principal).label("source")
        ).where(_T.c.id == transfer_id))
        return (bool(row["target"]), bool(row["source"])) if row else (False, False)

    async def list(self, principal: Principal, f: dict[str, Any], *, sort, cursor, limit,
                   include_total) -> Page:
        stmt = self.readable(principal)
        if f.get("status") is not None:
            stmt = stmt.where(TransferRequest.status == f["status"])
        allowed = {"created_at": TransferRequest.created_at,
                   "updated_at": TransferRequest.updated_at}
        return await self.page(stmt, sort=sort, allowed=allowed, default="-created_at",
                               cursor=cursor, limit=limit, include_total=include_total)

    async def target_household(self, household_id: uuid.UUID) -> Household | None:
        """The living household an approved transfer moves into, locked. Not through the
        approver's scope: the side that asked was checked against it when they asked."""
        stmt = select(Household).where(Household.id == household_id,
                                       Household.deleted_at.is_(None)).with_for_update()
        return (await self.session.exec(stmt)).first()
