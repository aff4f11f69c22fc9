"""The tickets area's routers: categories, tickets with their workflow and comments."""

from api.routers.tickets import categories, holidays, tickets

routers = [tickets.router, categories.router, holidays.router]
