"""Accounts, service accounts and signing in: what can go wrong, in both languages."""

from __future__ import annotations

from domain.errors import (
    Conflict,
    DomainError,
    FieldMissing,
    Forbidden,
    Invalid,
    NotFound,
    NullNotAllowed,
    TooManyRequests,
    Unauthorized,
)
from domain.register.errors import ResidentNotFound
from domain.units.errors import UnitUnknown


class UserNotFound(NotFound):
    code = "user_not_found"
    vi = "Không tìm thấy tài khoản"
    en = "Account not found"
    vi_detail = "Không có tài khoản này, hoặc tài khoản nằm ngoài phạm vi của bạn."
    en_detail = "There is no such account, or it is outside your scope."


class ServiceAccountNotFound(NotFound):
    code = "service_account_not_found"
    vi = "Không tìm thấy tài khoản dịch vụ"
    en = "Service account not found"
    vi_detail = "Không có tài khoản dịch vụ này."
    en_detail = "There is no such service account."


class UsernameTaken(Conflict):
    code = "username_taken"
    vi = "Tên đăng nhập đã được dùng"
    en = "Username already taken"
    vi_detail = "Tên đăng nhập {username} đã thuộc về tài khoản khác."
    en_detail = "The username {username} belongs to another account."


class UserIsSelf(Conflict):
    code = "user_is_self"
    vi = "Không thể tự đổi vai trò hoặc tự khoá tài khoản của mình"
    en = "You cannot change your own role or disable your own account"
    vi_detail = "Hãy nhờ một quản trị viên khác thực hiện thay đổi này."
    en_detail = "Ask another administrator to make this change."


class RoleNotAssignable(Forbidden):
    code = "role_not_assignable"
    vi = "Không được cấp vai trò này"
    en = "You may not assign this role"
    vi_detail = "Bạn không được cấp hoặc quản lý tài khoản có vai trò {role}."
    en_detail = "You may not assign or manage accounts with role {role}."


class ScopeNotAssignable(Forbidden):
    code = "scope_not_assignable"
    vi = "Không được cấp phạm vi ngoài đơn vị của bạn"
    en = "You may not assign units outside your own scope"
    vi_detail = "Chỉ được cấp các đơn vị thuộc phường/xã của bạn."
    en_detail = "You may only assign units inside your own commune(s)."


class ScopeRequired(Invalid):
    code = "scope_required"
    vi = "Vai trò này cần ít nhất một đơn vị"
    en = "This role needs at least one unit"
    vi_detail = "Vai trò {role} cần ít nhất một đơn vị trong unit_ids."
    en_detail = "Role {role} needs at least one unit in unit_ids."


class ResidentLinkRole(Invalid):
    code = "resident_link_role"
    vi = "Chỉ tài khoản người dân mới gắn với một nhân khẩu"
    en = "Only a resident's account is linked to a register record"
    vi_detail = "resident_id chỉ dùng cho tài khoản có vai trò resident."
    en_detail = "resident_id is only for accounts with role resident."


class ResidentLinkOutsideUnits(Invalid):
    code = "resident_link_outside_units"
    vi = "Nhân khẩu không thuộc đơn vị của tài khoản"
    en = "The register record is outside the account's units"
    vi_detail = "Nhân khẩu được gắn phải sống trong một đơn vị của unit_ids."
    en_detail = "The linked record must live in one of the units in unit_ids."


class ResidentAlreadyLinked(Conflict):
    code = "resident_already_linked"
    vi = "Nhân khẩu này đã có tài khoản"
    en = "This register record already has an account"
    vi_detail = "Mỗi nhân khẩu chỉ gắn với một tài khoản người dân."
    en_detail = "A register record is linked to one resident account at most."


class InvalidGrant(DomainError):
    status = 400
    code = "invalid_grant"
    vi = "Mã làm mới không hợp lệ"
    en = "Invalid or expired grant"


class InvalidCredentials(InvalidGrant):
    code = "invalid_credentials"
    vi = "Sai tên đăng nhập hoặc mật khẩu"
    en = "Wrong username or password"


class InvalidClient(Unauthorized):
    code = "invalid_client"
    vi = "Sai thông tin ứng dụng"
    en = "Invalid client credentials"


class InvalidScope(DomainError):
    status = 400
    code = "invalid_scope"
    vi = "Phạm vi quyền không hợp lệ"
    en = "Invalid scope"
    vi_detail = "Phạm vi không được phép: {invalid}."
    en_detail = "Scope not allowed: {invalid}."


class UnsupportedGrant(DomainError):
    status = 400
    code = "unsupported_grant_type"
    vi = "Kiểu cấp quyền không được hỗ trợ"
    en = "Unsupported grant type"


class TooManyLoginAttempts(TooManyRequests):
    code = "too_many_login_attempts"
    vi = "Đăng nhập sai quá nhiều lần"
    en = "Too many failed logins"
    vi_detail = "Hãy thử lại sau {retry_after} giây."
    en_detail = "Try again in {retry_after} seconds."


class ScopeNotGrantable(Invalid, variant_of=InvalidScope):
    """A service account asked for a scope that does not exist (a field of the form)."""


class ClientIdTaken(Conflict):
    code = "client_id_taken"
    vi = "Mã ứng dụng đã được dùng"
    en = "Client id already in use"


UNIQUE_CONSTRAINTS: dict[str, type[Conflict]] = {
    "uq_user_account_username": UsernameTaken,
    "uq_user_account_resident_id": ResidentAlreadyLinked,
    "uq_service_account_client_id": ClientIdTaken,
}
REFERENCES: dict[str, tuple[str, ...]] = {
    "fk_user_unit_unit_id_admin_unit": ("body", "unit_ids"),
    "fk_user_account_resident_id_resident": ("body", "resident_id"),
    "fk_service_account_unit_unit_id_admin_unit": ("body", "unit_ids"),
}

# What the routes of each part can answer (their documented responses).
USER_CASES = (UsernameTaken, UserIsSelf, RoleNotAssignable, ScopeNotAssignable, ScopeRequired,
              UnitUnknown, FieldMissing, NullNotAllowed, ResidentLinkRole,
              ResidentLinkOutsideUnits, ResidentAlreadyLinked, ResidentNotFound)
SERVICE_ACCOUNT_CASES = (ClientIdTaken, ScopeNotGrantable, ScopeRequired, UnitUnknown,
                         FieldMissing)
SIGN_IN_CASES = (InvalidGrant, InvalidCredentials, InvalidClient, InvalidScope, UnsupportedGrant,
                 TooManyLoginAttempts)
