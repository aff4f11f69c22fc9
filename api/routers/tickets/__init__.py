"""The tickets area's routers: categories, tickets with their workflow and comments."""

from api.routers.tickets import categories, open311, tickets

routers = [tickets.router, categories.router, open311.router]
