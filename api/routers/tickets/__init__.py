"""The tickets area's routers: categories, tickets with their workflow and comments."""

from api.routers.tickets import categories, outreach, tickets

routers = [tickets.router, outreach.router, categories.router]
