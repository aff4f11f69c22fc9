"""Roles, permissions and the Principal: who is calling and what they may do.

The role names are part of the API contract (they appear in tokens). The table
`ROLE_PERMISSIONS` is the only place that says which role may do what; routes declare
the permission they need, and a test walks every route against this table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    admin = "admin"
    ward_officer = "ward_officer"  # cán bộ phường/xã
    group_leader = "group_leader"  # tổ trưởng tổ dân phố / trưởng thôn
    volunteer = "volunteer"  # thành viên tổ công tác
    election_officer = "election_officer"  # tổ bầu cử
    security_officer = "security_officer"  # tổ bảo vệ an ninh trật tự
    auditor = "auditor"
    integration = "integration"  # service accounts
    resident = "resident"


class Permission(StrEnum):
    """Permissions double as OAuth scopes for service accounts."""

    profile_read = "profile:read"
    units_read = "units:read"
    units_write = "units:write"
    users_read = "users:read"
    users_write = "users:write"
    service_accounts_read = "service_accounts:read"
    service_accounts_write = "service_accounts:write"
    households_read = "households:read"
    households_write = "households:write"
    residents_read = "residents:read"
    residents_write = "residents:write"
    pii_read = "pii:read"
    register_export = "register:export"
    imports_write = "imports:write"
    campaigns_read = "campaigns:read"
    campaigns_write = "campaigns:write"
    visits_write = "visits:write"
    announcements_read = "announcements:read"
    announcements_write = "announcements:write"
    audit_read = "audit:read"
    tickets_read = "tickets:read"
    tickets_write = "tickets:write"
    ticket_categories_manage = "ticket_categories:manage"
    elections_read = "elections:read"
    elections_manage = "elections:manage"
    holidays_manage = "holidays:manage"


P = Permission
_READ_REGISTER = {P.units_read, P.households_read, P.residents_read, P.campaigns_read,
                  P.announcements_read}
_OUTREACH = {P.campaigns_write, P.visits_write, P.announcements_write}
# Every role but the auditor's works tickets: a resident their own, a volunteer those of the
# households they walk, a security officer fraud reports (repositories/tickets.py).
_TICKETS = {P.tickets_read, P.tickets_write}
# Elections are an admin's to declare; a commune's officers manage its polling areas and
# exclusions (domain/elections/service.py); a group leader checks their group's voters.
_ELECTIONS = {P.elections_read, P.elections_manage}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.ward_officer: frozenset(
        {
            P.profile_read, *_READ_REGISTER, P.households_write, P.residents_write,
            P.pii_read, P.register_export, P.imports_write, P.users_read, P.users_write,
            P.audit_read, *_OUTREACH, *_TICKETS, P.ticket_categories_manage, *_ELECTIONS,
        }
    ),
    Role.group_leader: frozenset(
        {P.profile_read, *_READ_REGISTER, P.households_write, P.residents_write, P.pii_read,
         P.register_export, P.imports_write, *_OUTREACH, *_TICKETS, P.elections_read}
    ),
    Role.volunteer: frozenset({P.profile_read, *_READ_REGISTER, P.visits_write, *_TICKETS}),
    # imports:write for voter lists only: an import also needs the permission of what it
    # writes (api/routers/imports.py), and they have no register write.
    Role.election_officer: frozenset(
        {P.profile_read, *_READ_REGISTER, P.pii_read, P.register_export, P.imports_write,
         *_ELECTIONS}
    ),
    # Fraud warnings only: the announcement use cases hold them to that category.
    Role.security_officer: frozenset({P.profile_read, *_READ_REGISTER, P.announcements_write,
                                      *_TICKETS}),
    Role.auditor: frozenset(
        {P.profile_read, *_READ_REGISTER, P.audit_read, P.users_read, P.register_export,
         P.tickets_read, P.elections_read}
    ),
    # A service account's permissions are its granted OAuth scopes, capped by this set.
    Role.integration: frozenset(
        {P.profile_read, *_READ_REGISTER, P.households_write, P.residents_write, P.pii_read,
         P.register_export, P.imports_write, *_TICKETS}
    ),
    # Notices to them, and their own requests.
    Role.resident: frozenset({P.profile_read, P.announcements_read, *_TICKETS}),
}

# Roles whose register scope is their assignments, not their units (CONTRACT: a volunteer
# is scoped to the households assigned to them in active campaigns).
ASSIGNMENT_SCOPED: frozenset[Role] = frozenset({Role.volunteer})

# Roles that a ward officer may create and manage inside their commune.
ROLES_BELOW: dict[Role, frozenset[Role]] = {
    Role.admin: frozenset(Role) - {Role.integration},
    Role.ward_officer: frozenset(
        {
            Role.group_leader, Role.volunteer, Role.election_officer,
            Role.security_officer, Role.auditor, Role.resident,
        }
    ),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as the domain sees it."""

    subject_id: uuid.UUID
    name: str
    role: Role
    unit_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    kind: str = "user"  # "user" or "service"
    token_id: str | None = None
    # The same units split by level, when known: lets scope filters use one indexed column.
    levels: tuple[tuple[str, frozenset[uuid.UUID]], ...] = ()
    # A resident's account: the register record they are (accounts' `resident_id`).
    resident_id: uuid.UUID | None = None

    def units_at(self, level: str) -> frozenset[uuid.UUID] | None:
        """Units of one level ('group', 'commune', 'province'); None when levels are unknown."""
        if not self.levels:
            return None
        return dict(self.levels).get(level, frozenset())

    @property
    def is_unscoped(self) -> bool:
        return self.role == Role.admin

    @property
    def reads_assignments(self) -> bool:
        """The register shows this caller only the households assigned to them in active
        campaigns (and their residents), whatever their units."""
        return self.role in ASSIGNMENT_SCOPED

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def snapshot(self) -> dict[str, Any]:
        """The caller as JSON, for work done later on their behalf (a queued job)."""
        return {"subject_id": str(self.subject_id), "name": self.name, "role": self.role.value,
                "unit_ids": sorted(str(u) for u in self.unit_ids),
                "permissions": sorted(p.value for p in self.permissions), "kind": self.kind,
                "levels": [[level, sorted(str(u) for u in ids)] for level, ids in self.levels],
                "resident_id": str(self.resident_id) if self.resident_id else None}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Principal:
        ids = lambda values: frozenset(uuid.UUID(v) for v in values)  # noqa: E731
        return cls(subject_id=uuid.UUID(data["subject_id"]), name=data["name"],
                   role=Role(data["role"]), unit_ids=ids(data["unit_ids"]),
                   permissions=frozenset(Permission(p) for p in data["permissions"]),
                   kind=data["kind"],
                   levels=tuple((level, ids(units)) for level, units in data["levels"]),
                   resident_id=uuid.UUID(data["resident_id"]) if data.get("resident_id")
                   else None)


def permissions_for(
    role: Role, granted_scopes: frozenset[str] | None = None
) -> frozenset[Permission]:
    allowed = ROLE_PERMISSIONS[role]
    if granted_scopes is None:
        return allowed
    # Every caller may read its own profile; the rest must have been granted as a scope.
    return frozenset(p for p in allowed if p.value in granted_scopes or p == P.profile_read)
