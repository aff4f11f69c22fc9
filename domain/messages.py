"""Messages of pydantic's own field errors, Vietnamese first, English on request.

Our own errors carry their texts in their classes (`domain/errors.py` and
`domain/<area>/errors.py`); `title`, `detail` and `field_message` look those up by code.
"""

from __future__ import annotations

from typing import Any

# Keyed by pydantic's error type (and the few of ours that share a pydantic name).
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Thiếu trường bắt buộc", "Field required"),
    "extra_forbidden": (
        "Trường này không được phép gửi",
        "This field is not allowed here",
    ),
    "string_type": ("Phải là chuỗi ký tự", "Must be a string"),
    "string_too_long": (
        "Dài quá {max_length} ký tự",
        "Longer than {max_length} characters",
    ),
    "string_too_short": (
        "Phải có ít nhất {min_length} ký tự",
        "Must have at least {min_length} characters",
    ),
    "string_pattern_mismatch": ("Sai định dạng", "Wrong format"),
    "control_characters": (
        "Chứa ký tự điều khiển không hợp lệ (ví dụ NUL)",
        "Contains control characters (such as NUL)",
    ),
    "invalid_unicode": (
        "Chứa ký tự không hợp lệ (UTF-8 sai hoặc nửa cặp surrogate)",
        "Contains invalid text (bad UTF-8 or a lone surrogate)",
    ),
    "datetime_out_of_range": (
        "Thời điểm nằm ngoài khoảng cho phép",
        "The timestamp is out of range",
    ),
    "int_parsing": ("Phải là số nguyên", "Must be an integer"),
    "int_type": ("Phải là số nguyên", "Must be an integer"),
    "bool_parsing": ("Phải là true hoặc false", "Must be true or false"),
    "bool_type": ("Phải là true hoặc false", "Must be true or false"),
    "float_parsing": ("Phải là số", "Must be a number"),
    "greater_than_equal": ("Phải lớn hơn hoặc bằng {ge}", "Must be at least {ge}"),
    "greater_than": ("Phải lớn hơn {gt}", "Must be greater than {gt}"),
    "less_than_equal": ("Phải nhỏ hơn hoặc bằng {le}", "Must be at most {le}"),
    "less_than": ("Phải nhỏ hơn {lt}", "Must be less than {lt}"),
    "date_parsing": ("Ngày không hợp lệ (định dạng YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": (
        "Ngày không hợp lệ (định dạng YYYY-MM-DD)",
        "Invalid date (YYYY-MM-DD)",
    ),
    "date_type": ("Phải là ngày", "Must be a date"),
    "datetime_parsing": ("Thời điểm không hợp lệ (RFC 3339)", "Invalid timestamp (RFC 3339)"),
    "datetime_from_date_parsing": (
        "Thời điểm không hợp lệ (RFC 3339)",
        "Invalid timestamp (RFC 3339)",
    ),
    "time_parsing": ("Giờ không hợp lệ (định dạng HH:MM)", "Invalid time of day (HH:MM)"),
    "timezone_aware": ("Thời điểm phải có múi giờ", "Timestamp must carry an offset"),
    "uuid_parsing": ("Mã định danh không hợp lệ", "Invalid identifier"),
    "uuid_type": ("Mã định danh không hợp lệ", "Invalid identifier"),
    "enum": ("Phải là một trong: {expected}", "Must be one of: {expected}"),
    "literal_error": ("Phải là một trong: {expected}", "Must be one of: {expected}"),
    "model_type": ("Phải là một đối tượng JSON", "Must be a JSON object"),
    "model_attributes_type": ("Phải là một đối tượng JSON", "Must be a JSON object"),
    "dict_type": ("Phải là một đối tượng JSON", "Must be a JSON object"),
    "list_type": ("Phải là một danh sách", "Must be a list"),
    "too_long": ("Quá {max_length} phần tử", "More than {max_length} items"),
    "too_short": ("Cần ít nhất {min_length} phần tử", "Needs at least {min_length} items"),
    "json_invalid": ("JSON không hợp lệ", "Invalid JSON"),
    "value_error": ("Giá trị không hợp lệ", "Invalid value"),
    "url_parsing": ("Địa chỉ URL không hợp lệ", "Invalid URL"),
}


def render(table: dict[str, tuple[str, str]], key: str, lang: str, params: dict[str, Any]) -> str:
    pair = table.get(key)
    if pair is None:
        return ""
    template = pair[1] if lang == "en" else pair[0]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def _case(code: str):
    from domain.errors import DomainError, error_class

    return error_class(code) or DomainError


def title(code: str, lang: str) -> str:
    return _case(code).text("title", lang)


def detail(code: str, lang: str, params: dict[str, Any]) -> str:
    return _case(code).text("detail", lang, params)


def field_message(error_type: str, lang: str, params: dict[str, Any], fallback: str) -> str:
    """A pydantic error type's message, else that of the case with this code."""
    from domain.errors import error_class

    if message := render(FIELD_MESSAGES, error_type, lang, params):
        return message
    case = error_class(error_type)
    return case.text("field", lang, params) if case is not None else fallback
