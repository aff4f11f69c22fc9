"""Domain errors as types: one class per case, each carrying its HTTP status, a stable
`code` and its messages in Vietnamese (`vi`) and English (`en`), formatted with the error's
parameters. Every class that names a `code` registers itself in `CATALOGUE`; the problem
handler renders from it and the OpenAPI document lists it.

A class's texts: `vi`/`en` is the problem's title, `vi_detail`/`en_detail` its detail
(the title when absent), `vi_field`/`en_field` the message of its entry in `errors[]` and
of an import's rejected row (the title when absent).

Field-level cases we raise ourselves are classes too (`IdNumberLength`, `FieldMissing`), so
a code a client may see in `errors[]` or in an import's rows has one declaration with its
status; only pydantic's own error types keep their texts in `domain.messages`, since
pydantic, not our code, raises them.

Areas declare their cases in `domain/<area>/errors.py`; the shared ones are here. During
the move from string codes, `NotFound("resident_not_found")` still works: a code given as
argument makes an instance of the class registered for it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from domain.messages import FIELD_MESSAGES

CATALOGUE: dict[str, type[DomainError]] = {}
VARIANTS: dict[str, list[type[DomainError]]] = {}  # a code's other classes (see variant_of)


def _format(template: str, params: dict[str, Any]) -> str | None:
    """`template` filled with `params`; None when one it names is absent."""
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return None


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: str = "bad_request"  # an instance may carry a code nothing declares
    vi: ClassVar[str] = "Yêu cầu không hợp lệ"
    en: ClassVar[str] = "Bad request"
    vi_detail: ClassVar[str | None] = None
    en_detail: ClassVar[str | None] = None
    vi_field: ClassVar[str | None] = None
    en_field: ClassVar[str | None] = None

    def __init_subclass__(cls, variant_of: type[DomainError] | None = None, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if variant_of is not None:
            # The same case answered at another status (a token request's scope vs a
            # service account's form): one code, one set of texts, one catalogue entry.
            for name in ("code", "vi", "en", "vi_detail", "en_detail", "vi_field", "en_field"):
                setattr(cls, name, getattr(variant_of, name))
            VARIANTS.setdefault(cls.code, []).append(cls)
            return
        if "code" in cls.__dict__:
            if cls.code in CATALOGUE:
                raise TypeError(f"{cls.__name__}: code {cls.code!r} is already "
                                f"{CATALOGUE[cls.code].__name__}")
            CATALOGUE[cls.code] = cls

    def __new__(cls, code: str | None = None, /, *args: Any, **params: Any):
        if code is not None and code != cls.code:
            typed = error_class(code)
            if typed is not None and issubclass(typed, cls):
                cls = typed
        return super().__new__(cls)

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        if code is not None and code != self.code:
            self.code = code  # a code nothing declares: the base kind's texts answer
        self.params = params
        super().__init__(self.code)

    @classmethod
    def text(cls, part: str, lang: str, params: dict[str, Any] | None = None) -> str:
        """`part` is "title", "detail" or "field"; English when `lang` is "en"."""
        suffix = "" if part == "title" else "_" + part
        template = getattr(cls, ("en" if lang == "en" else "vi") + suffix, None)
        title = cls.en if lang == "en" else cls.vi
        # A text whose parameter the raiser did not give falls back to the title, which
        # names none: a reader never sees a raw "{name}".
        return _format(template or title, params or {}) or title

    def title(self, lang: str) -> str:
        return self.text("title", lang)  # the same for every occurrence of the case

    def detail(self, lang: str) -> str:
        return self.text("detail", lang, self.params)

    def message(self, lang: str) -> str:
        return self.text("field", lang, self.params)


CATALOGUE[DomainError.code] = DomainError


def error_class(code: str) -> type[DomainError] | None:
    """The class declared for `code`, in whichever area."""
    if code not in CATALOGUE:
        import domain.catalogue  # noqa: F401  (imported late: the areas import this module)
    return CATALOGUE.get(code)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    vi = "Không tìm thấy"
    en = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    vi = "Xung đột dữ liệu"
    en = "Conflict"


class Invalid(DomainError):
    """A request that is well formed but breaks a rule (HTTP 422), naming the field at `loc`."""

    status = 422
    code = "invalid"
    vi = "Dữ liệu vi phạm quy tắc"
    en = "The data breaks a rule"
    field_level: ClassVar[bool] = True  # answered with one entry in `errors[]`

    def __init__(self, code: str | None = None, /, *, loc: tuple[str | int, ...] = (), **params):
        super().__init__(code, **params)
        self.loc = loc


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"
    vi = "Bản ghi đã bị thay đổi bởi người khác"
    en = "The record changed since you read it"
    vi_detail = "Hãy tải lại bản ghi rồi sửa lại (ETag hiện tại: {etag})."
    en_detail = "Reload the record and apply your change again (current ETag: {etag})."


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"
    vi = "Thiếu tiêu đề If-Match"
    en = "If-Match header required"
    vi_detail = "Gửi If-Match với ETag nhận được khi đọc bản ghi."
    en_detail = "Send If-Match with the ETag you received when reading the record."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    vi = "Không có quyền"
    en = "Forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    vi = "Chưa xác thực"
    en = "Not authenticated"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    vi = "Quá nhiều yêu cầu"
    en = "Too many requests"

    def __init__(self, code: str | None = None, /, *, retry_after: int, **params: Any) -> None:
        super().__init__(code, **params)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"
    vi = "Dịch vụ tạm thời không phục vụ được"
    en = "The service is temporarily unavailable"
    retry_after: ClassVar[int | None] = 5  # every 503 says when to try again


class InsufficientStorage(DomainError):
    """The server's disk (or the database's) is full: nothing the client can fix by retrying
    at once, and not an outage either."""

    status = 507
    code = "insufficient_storage"
    vi = "Máy chủ hết chỗ lưu trữ"
    en = "The server is out of storage"
    vi_detail = "Không ghi được dữ liệu vì hết dung lượng lưu trữ; hãy báo quản trị viên."
    en_detail = "Nothing could be written: storage is full; tell the operator."


class ReferenceNotFound(Invalid):
    """A reference the client sent names a record that does not exist (any more)."""

    code = "reference_not_found"
    vi = "Bản ghi được tham chiếu không tồn tại"
    en = "The referenced record does not exist"


# -- cases every area shares -------------------------------------------------------------
class CursorInvalid(Invalid):
    code = "cursor_invalid"
    vi = "Con trỏ phân trang không hợp lệ"
    en = "Invalid page cursor"
    vi_detail = "Hãy dùng đúng next_cursor của trang trước."
    en_detail = "Use the next_cursor of the previous page as is."


class SortInvalid(Invalid):
    code = "sort_invalid"
    vi = "Trường sắp xếp không hợp lệ"
    en = "Invalid sort field"
    vi_detail = "Không sắp xếp được theo {field}; được phép: {allowed}."
    en_detail = "Cannot sort by {field}; allowed: {allowed}."


class PydanticField(Invalid):
    """A field problem pydantic reports too: its field texts are pydantic's own
    (`FIELD_MESSAGES`, keyed by the same code), the title the generic one."""

    vi = "Yêu cầu không hợp lệ"
    en = "Bad request"

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.vi_field, cls.en_field = FIELD_MESSAGES[cls.code]


class FieldMissing(PydanticField):
    code = "missing"


class ControlCharacters(PydanticField):
    code = "control_characters"


class InvalidUnicode(PydanticField):
    code = "invalid_unicode"


class DatetimeOutOfRange(PydanticField):
    code = "datetime_out_of_range"


class StringTooLong(PydanticField):
    code = "string_too_long"


class OffsetRequired(PydanticField):
    code = "timezone_aware"


class NullNotAllowed(Invalid):
    """`null` sent for a PATCH field that has no empty value (domain/types.py `Omittable`)."""

    code = "null_not_allowed"
    vi = "Trường này không nhận giá trị null"
    en = "This field cannot be null"
    vi_field = "Trường này không được để null; hãy bỏ trường đi để giữ nguyên giá trị"
    en_field = "This field cannot be null; omit it to leave it unchanged"


class DateInFuture(Invalid):
    code = "date_in_future"
    vi = "Ngày này ở tương lai"
    en = "This date is in the future"


class DateTooOld(Invalid):
    code = "date_too_old"
    vi = "Ngày này quá xa trong quá khứ"
    en = "This date is too far in the past"


class DateTooFar(Invalid):
    code = "date_too_far"
    vi = "Ngày này quá xa trong tương lai (tối đa hai năm tới)"
    en = "This date is too far ahead (two years at most)"


class DateBeforeBirth(Invalid):
    code = "date_before_birth"
    vi = "Ngày này trước ngày sinh"
    en = "This date is before the birth date"


# The plausible ranges of domain/types.py answer with these codes (BIRTH's own two are
# the register's `birth_date_too_old` and `birth_date_future`).
DATE_CASES: tuple[type[Invalid], ...] = (
    DateInFuture, DateTooOld, DateTooFar, DateBeforeBirth, DatetimeOutOfRange)

