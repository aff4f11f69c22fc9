"""Every table, imported once so the metadata (and Alembic) sees the whole schema: each
area's `domain/<area>/models.py` (found by its name in `domain/areas.py`), and the tables
of the shared modules."""

from domain import idempotency  # noqa: F401  (the stored answers of idempotent POSTs)
from domain.areas import area_modules
from domain.base import metadata  # noqa: F401

area_modules("domain", "models")
