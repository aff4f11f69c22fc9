"""The elections area's routers: elections, polling areas, exclusions and eligibility
(`areas`), and voter lists with their saved column mappings (`voter_lists`)."""

from api.routers.elections import areas, voter_lists

routers = [areas.router, voter_lists.router]
