"""The elections area's SQL: elections, polling areas and exclusions (`records`), voter
lists with their rows and saved column mappings (`voter_lists`), and reconciliation runs,
their discrepancies and resolutions (`reconciliation`)."""

from repositories.elections.reconciliation import (
    DiscrepancyRepository,
    ReconciliationRepository,
    ResolutionRepository,
)
from repositories.elections.records import (
    ElectionRepository,
    ExclusionRepository,
    PollingAreaRepository,
    holding,
)
from repositories.elections.voter_lists import VoterListMappingRepository, VoterListRepository

__all__ = ["DiscrepancyRepository", "ElectionRepository", "ExclusionRepository",
           "PollingAreaRepository", "ReconciliationRepository", "ResolutionRepository",
           "VoterListMappingRepository", "VoterListRepository", "holding"]

# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"elections": ElectionRepository, "polling_areas": PollingAreaRepository,
                "exclusions": ExclusionRepository, "voter_lists": VoterListRepository,
                "voter_list_mappings": VoterListMappingRepository,
                "reconciliations": ReconciliationRepository,
                "discrepancies": DiscrepancyRepository, "resolutions": ResolutionRepository}
