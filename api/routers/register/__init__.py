"""The register's routers: households, residents, the exports of both, transfers."""

from api.routers.register import exports, households, residents, transfers

routers = [residents.router, households.router, exports.router, transfers.router]
