"""Operations: liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from api.problems import problem_response, responses
from domain.examples import examples
from domain.service_errors import DatabaseUnavailable, NotReady
from repositories import queue

router = APIRouter(tags=["ops"])


class JobsHealth(BaseModel):
    """The job queue as an operator needs it: with jobs queued and no live worker, imports
    and audit sealing wait (start `python -m api.cli worker`)."""

    queued: int = Field(description="Jobs waiting for a worker")
    oldest_queued_seconds: float = Field(description="How long the oldest has waited")
    live_workers: int = Field(description="Workers whose heartbeat is recent")
    failed: int = Field(description="Failed jobs kept for a day (see the worker's log)")


class Health(BaseModel):
    status: str
    migration: str | None = None
    jobs: JobsHealth | None = Field(default=None, description="PostgreSQL only")

    model_config = ConfigDict(json_schema_extra=examples(
        {"status": "ok", "migration": "0013", "jobs": {
            "queued": 0, "oldest_queued_seconds": 0.0, "live_workers": 1, "failed": 0}},
        {"status": "ok", "migration": None, "jobs": None}))


@router.get("/healthz", operation_id="ops_healthz", summary="The process is alive")
async def healthz() -> Health:
    """Answers as long as the process serves requests; touches nothing else."""
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="ops_readyz",
    summary="The database is reachable and at the head migration",
    responses=responses(DatabaseUnavailable, NotReady),
)
async def readyz(request: Request) -> Health:
    """503 until the database answers and its schema is at the migration this code expects."""
    head = request.app.state.migration_head
    try:
        async with request.app.state.engine.connect() as conn:
            current = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            jobs = None
            if current == head:
                jobs = await queue.health(
                    conn, 3 * request.app.state.settings.job_heartbeat_seconds)
    except Exception:  # any failure to reach or read the database means "not ready"
        return problem_response(request, DatabaseUnavailable())
    if current != head:
        return problem_response(request, NotReady(current=current, head=head))
    return Health(status="ready", migration=current, jobs=jobs)
