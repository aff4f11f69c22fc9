"""Elections' background work: a reconciliation run too big to answer within its request."""

from __future__ import annotations

import logging
import uuid

from domain.access import Principal
from domain.elections import reconciliation
from domain.elections.models import ReconciliationStatus
from domain.jobs import Runtime, task
from domain.ports import UnitOfWork

log = logging.getLogger("elections")


@task("elections.reconcile")
async def reconcile(runtime: Runtime, *, reconciliation_id: str) -> None:
    """Run a queued reconciliation in one transaction; a crash marks it failed and writes no
    discrepancy. A run no longer queued (done, or taken by another worker) is left alone."""
    run_id = uuid.UUID(reconciliation_id)
    async with runtime.uow() as uow:
        run = await uow.reconciliations.one(run_id, for_update=True)
        if run.status != ReconciliationStatus.queued:
            return
        reconciliation.started(run)
        await uow.reconciliations.save()
        await uow.commit()
    try:
        async with runtime.uow() as uow:
            run = await uow.reconciliations.one(run_id, for_update=True)
            await reconciliation.run_reconciliation(
                uow, Principal.from_snapshot(run.submitted_by), run)
            await uow.commit()
    except Exception:
        log.exception("reconciliation crashed", extra={"job": reconciliation_id})
        async with runtime.uow() as uow:
            run = await uow.reconciliations.one(run_id, for_update=True)
            reconciliation.failed(run, "internal_error", "Lỗi hệ thống khi đối chiếu")
            await uow.reconciliations.save()
            await uow.commit()


async def run_inline(uow: UnitOfWork, who: Principal, run_id: uuid.UUID) -> None:
    """A small run, by the request that started it, in that request's transaction: the run
    and its discrepancies commit together; a crash rolls the discrepancies back and leaves
    the run failed."""
    run = await uow.reconciliations.one(run_id, for_update=True)
    reconciliation.started(run)
    await uow.reconciliations.save()
    await uow.commit()
    try:
        await reconciliation.run_reconciliation(uow, who, run)
        await uow.commit()
    except Exception:
        log.exception("reconciliation crashed", extra={"job": str(run_id)})
        await uow.rollback()  # back to the started run (a lost database fails here: a 503)
        run = await uow.reconciliations.one(run_id, for_update=True)
        reconciliation.failed(run, "internal_error", "Lỗi hệ thống khi đối chiếu")
        await uow.reconciliations.save()
        await uow.commit()
