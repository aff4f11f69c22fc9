"""The audit trail: what can go wrong, in both languages."""

from __future__ import annotations

from domain.errors import Conflict


class AuditChainBroken(Conflict):
    code = "audit_chain_broken"
    vi = "Nhật ký bị thay đổi"
    en = "Audit trail altered"
