"""What the service answers whatever the area: routing, bodies, tokens, idempotency keys,
the database's availability and our own bugs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
)


class RouteNotFound(NotFound):
    code = "route_not_found"
    vi = "Không có địa chỉ này"
    en = "No such endpoint"
    vi_detail = "Không có tài nguyên tại {path}."
    en_detail = "Nothing lives at {path}."


class MethodNotAllowed(DomainError):
    status = 405
    code = "method_not_allowed"
    vi = "Phương thức không được hỗ trợ"
    en = "Method not allowed"
    vi_detail = "{path} không nhận phương thức {method}."
    en_detail = "{path} does not accept {method}."


class ValidationFailed(Invalid):
    """Every rule a request breaks, one or several: one 422 whose `errors[]` lists each of
    `cases` with its own code (`domain/checks.py` collects them)."""

    field_level = False
    code = "validation_failed"
    vi = "Dữ liệu gửi lên không hợp lệ"
    en = "The request data is invalid"
    vi_detail = "Có {count} lỗi trong dữ liệu gửi lên; xem danh sách errors."
    en_detail = "{count} problem(s) in the request; see errors."

    def __init__(self, code: str | None = None, /, *, cases: Sequence[Invalid] = (),
                 **params: Any) -> None:
        if cases:
            params.setdefault("count", len(cases))
        super().__init__(code, **params)
        self.cases = tuple(cases)


class MalformedJson(DomainError):
    code = "malformed_json"
    vi = "Nội dung JSON không đọc được"
    en = "The JSON body cannot be parsed"
    vi_detail = "Nội dung không phải JSON hợp lệ (lỗi ở dòng {line}, cột {column})."
    en_detail = "The body is not valid JSON (the error is at line {line}, column {column})."


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    vi = "Kiểu nội dung không được hỗ trợ"
    en = "Unsupported content type"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    vi = "Nội dung gửi lên quá lớn"
    en = "Request body too large"
    vi_detail = "Nội dung vượt quá giới hạn {limit} byte."
    en_detail = "The body exceeds the {limit}-byte limit."


class InvalidToken(Unauthorized):
    code = "invalid_token"
    vi = "Mã truy cập không hợp lệ"
    en = "Invalid access token"


class DatabaseUnavailable(ServiceUnavailable):
    retry_after = 5
    code = "database_unavailable"
    vi = "Cơ sở dữ liệu tạm thời không truy cập được"
    en = "The database is temporarily unavailable"
    vi_detail = "Không kết nối được cơ sở dữ liệu; vui lòng thử lại sau ít phút."
    en_detail = "The database cannot be reached; please retry in a few minutes."


class NotReady(ServiceUnavailable):
    code = "not_ready"
    vi = "Dịch vụ chưa sẵn sàng"
    en = "Service not ready"


class ServiceBusy(ServiceUnavailable):
    """Every connection is busy: the database is up, we are saturated."""

    retry_after = 1
    code = "service_busy"
    vi = "Hệ thống đang bận"
    en = "The service is busy"
    vi_detail = "Đang có quá nhiều yêu cầu cùng lúc; vui lòng thử lại sau một giây."
    en_detail = "Too many requests at once; please retry in a second."


class InternalError(DomainError):
    status = 500
    code = "internal_error"
    vi = "Lỗi hệ thống"
    en = "Internal server error"
    vi_detail = "Đã có lỗi không mong muốn; hãy báo mã yêu cầu {request_id} cho quản trị viên."
    en_detail = "Something unexpected went wrong; quote request id {request_id} to the operator."


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    vi = "Idempotency-Key không hợp lệ"
    en = "Invalid Idempotency-Key"
    vi_detail = "Dùng 1–200 ký tự ASCII in được, ví dụ một UUID."
    en_detail = "Use 1–200 printable ASCII characters, such as a UUID."


class IdempotencyKeyReused(Invalid):
    field_level = False
    code = "idempotency_key_reused"
    vi = "Idempotency-Key đã dùng cho một yêu cầu khác"
    en = "Idempotency-Key already used with a different request"
    vi_detail = "Khoá này đã dùng cho một yêu cầu có nội dung khác; hãy tạo khoá mới."
    en_detail = "This key was used for a request with a different body; make a new key."


class IdempotencyKeyInProgress(Conflict):
    """No longer answered: a twin with the same key now waits for the first attempt and
    replays its answer (`api/writes.py`). Kept in the catalogue, where clients switch on it
    and the v1 document only grows."""

    code = "idempotency_key_in_progress"
    vi = "Yêu cầu với Idempotency-Key này đang được xử lý"
    en = "A request with this Idempotency-Key is still in progress"
