"""The tickets area's routers: categories, tickets with their workflow, comments and
attachments."""

from api.routers.tickets import (
    attachments,
    categories,
    holidays,
    open311,
    outreach,
    stats,
    tickets,
)

routers = [stats.router, tickets.router, attachments.router, outreach.router,
           categories.router, holidays.router, open311.router]
