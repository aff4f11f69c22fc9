"""The tickets area's routers: categories, tickets with their workflow and comments."""

from api.routers.tickets import categories, stats, tickets

routers = [stats.router, tickets.router, categories.router]
