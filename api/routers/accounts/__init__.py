"""The accounts' routers: signing in, staff accounts and service accounts."""

from api.routers.accounts import auth, service_accounts, users

routers = [auth.router, users.router, service_accounts.router]
