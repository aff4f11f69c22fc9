"""The register's SQL: households, residents and their history (`records`), exports, and
the write rules as SQL for the set-wise import (`policy`)."""

from repositories.register.records import (
    ChangeLogRepository,
    HouseholdRepository,
    ResidentRepository,
)
from repositories.register.transfers import TransferRepository

# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"households": HouseholdRepository, "residents": ResidentRepository,
                "changes": ChangeLogRepository, "transfers": TransferRepository}
