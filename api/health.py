"""Operations: liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from api.problems import problem_response, responses
from domain.service_errors import DatabaseUnavailable, NotReady

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: str
    migration: str | None = None


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
    except Exception:  # any failure to reach or read the database means "not ready"
        return problem_response(request, DatabaseUnavailable())
    if current != head:
        return problem_response(request, NotReady(current=current, head=head))
    return Health(status="ready", migration=current)
