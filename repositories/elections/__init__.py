"""The elections area's SQL: elections, polling areas and exclusions (`records`), and voter
lists with their rows and saved column mappings (`voter_lists`)."""

from repositories.elections.records import (
    ElectionRepository,
    ExclusionRepository,
    PollingAreaRepository,
    holding,
)
from repositories.elections.voter_lists import VoterListMappingRepository, VoterListRepository

__all__ = ["ElectionRepository", "ExclusionRepository", "PollingAreaRepository",
           "VoterListMappingRepository", "VoterListRepository", "holding"]

# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"elections": ElectionRepository, "polling_areas": PollingAreaRepository,
                "exclusions": ExclusionRepository, "voter_lists": VoterListRepository,
                "voter_list_mappings": VoterListMappingRepository}
