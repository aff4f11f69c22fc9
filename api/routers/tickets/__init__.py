"""The tickets area's routers: categories, tickets with their workflow, comments and
attachments."""

from api.routers.tickets import attachments, categories, holidays, tickets

routers = [tickets.router, attachments.router, categories.router, holidays.router]
