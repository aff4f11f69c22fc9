"""Domain errors: each carries an HTTP status, a stable `code` and parameters for its message.

Messages live in `domain.messages`, keyed by `code`, in Vietnamese and English.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(self.code)


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    """A request that is well formed but breaks a rule (HTTP 422)."""

    status = 422
    code = "invalid"

    def __init__(self, code: str | None = None, /, *, loc: tuple[str | int, ...] = (), **params):
        super().__init__(code, **params)
        self.loc = loc


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, code: str | None = None, /, *, retry_after: int, **params: Any) -> None:
        super().__init__(code, **params)
        self.retry_after = retry_after
