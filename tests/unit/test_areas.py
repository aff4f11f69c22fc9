"""One area, one name in every layer: `domain/areas.py` lists them, and each layer holds
exactly those (plus its shared infrastructure), so a new area is a folder per layer and
its name in the list, and nothing can be added beside the list."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from fastapi import APIRouter

from domain.areas import AREAS
from domain.ports import UnitOfWork
from repositories.areas import REPOSITORIES
from repositories.uow import SqlUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
# Infrastructure every area uses; these are not areas (keep this list short).
SHARED_REPOSITORIES = {
    "areas", "bootstrap", "db", "demo", "direct", "documents", "flush", "idempotency",
    "integrity", "paging", "queue", "scoped", "storage", "uow",
}
# What the unit of work offers besides the areas' repositories.
SHARED_UOW = {"jobs", "idempotency"}


def _modules(folder: Path) -> set[str]:
    """The names of the modules and packages directly inside `folder`."""
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    return names | {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}


def test_areas_are_unique_names():
    assert len(set(AREAS)) == len(AREAS)
    assert all(area.isidentifier() for area in AREAS)


@pytest.mark.parametrize("area", AREAS)
def test_every_area_has_its_router_domain_package_and_repositories(area):
    routers = importlib.import_module(f"api.routers.{area}").routers
    assert routers and all(isinstance(r, APIRouter) for r in routers)
    assert (ROOT / "domain" / area / "__init__.py").is_file()
    declared = importlib.import_module(f"repositories.{area}").REPOSITORIES
    assert declared and all(REPOSITORIES[name] is cls for name, cls in declared.items())


def test_nothing_under_the_layers_is_an_area_not_in_the_list():
    assert _modules(ROOT / "api" / "routers") == set(AREAS)
    domain_packages = {p.name for p in (ROOT / "domain").iterdir()
                       if (p / "__init__.py").is_file()}
    assert domain_packages == set(AREAS)
    assert _modules(ROOT / "repositories") - SHARED_REPOSITORIES == set(AREAS)


def test_the_unit_of_work_declares_every_repository_of_the_registry():
    # The declarations are what a type checker follows; the registry is what runs.
    declared = dict(SqlUnitOfWork.__annotations__)
    assert declared == {name: cls.__name__ for name, cls in REPOSITORIES.items()}
    assert not set(REPOSITORIES) & SHARED_UOW
    assert set(UnitOfWork.__annotations__) <= set(REPOSITORIES) | SHARED_UOW


def test_the_unit_of_work_builds_each_repository_once_over_its_session():
    uow = SqlUnitOfWork(session_factory=None)  # type: ignore[arg-type]
    uow.session = object()  # type: ignore[assignment]
    for name, cls in REPOSITORIES.items():
        repository = getattr(uow, name)
        assert isinstance(repository, cls) and getattr(uow, name) is repository
    with pytest.raises(AttributeError):
        uow.tickets_not_an_area  # noqa: B018


def test_errors_tables_and_tasks_are_found_by_area_name():
    from domain.areas import area_modules
    from domain.errors import CATALOGUE, DomainError
    from domain.jobs import TASKS
    from domain.models import metadata

    area_modules("domain", "tasks")  # what the queue imports (repositories/queue.py)
    for area in AREAS:
        folder = ROOT / "domain" / area
        if (folder / "errors.py").is_file():
            errors = importlib.import_module(f"domain.{area}.errors")
            own = [v for v in vars(errors).values() if isinstance(v, type)
                   and issubclass(v, DomainError) and v.__module__ == errors.__name__
                   and "code" in v.__dict__]
            assert own and all(c.code in CATALOGUE for c in own), area
        if (folder / "models.py").is_file():
            models = importlib.import_module(f"domain.{area}.models")
            tables = {getattr(v, "__tablename__", None) for v in vars(models).values()
                      if getattr(v, "__module__", None) == models.__name__}
            assert tables - {None} <= set(metadata.tables), area
        if (folder / "tasks.py").is_file():
            tasks = importlib.import_module(f"domain.{area}.tasks")
            assert any(s.func.__module__ == tasks.__name__ for s in TASKS.values()), area
