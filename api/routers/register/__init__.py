"""The register's routers: households, residents and the exports of both."""

from api.routers.register import exports, households, residents

routers = [residents.router, households.router, exports.router]
