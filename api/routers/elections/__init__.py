"""The elections area's routers: elections, polling areas, exclusions and eligibility
(`areas`), voter lists with their saved column mappings (`voter_lists`), and their
reconciliation with the register (`reconciliation`)."""

from api.routers.elections import areas, reconciliation, voter_lists

routers = [areas.router, voter_lists.router, reconciliation.router]
