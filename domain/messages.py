"""Messages of pydantic's own field errors, Vietnamese first, English on request.

Every error type pydantic-core can raise has its two texts here (a unit test walks
`pydantic_core`'s list), so no English of pydantic's reaches a Vietnamese reader. A text
uses only the context pydantic always gives its type; a lower-level English explanation
(`ctx["error"]`, `field_type`, `class_name`) is never shown.

Our own errors carry their texts in their classes (`domain/errors.py` and
`domain/<area>/errors.py`); `title`, `detail` and `field_message` look those up by code.
"""

from __future__ import annotations

import re
from typing import Any

_NOT_VALID = ("Giá trị không hợp lệ", "Invalid value")
_OBJECT = ("Phải là một đối tượng JSON", "Must be a JSON object")
_LIST = ("Phải là một danh sách", "Must be a list")
_INTEGER = ("Phải là số nguyên", "Must be an integer")
_NUMBER = ("Phải là số", "Must be a number")
_BOOL = ("Phải là true hoặc false", "Must be true or false")
_STRING = ("Phải là chuỗi ký tự", "Must be a string")
_DATE = ("Ngày không hợp lệ (định dạng YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)")
_DATETIME = ("Thời điểm không hợp lệ (RFC 3339)", "Invalid timestamp (RFC 3339)")
_TIME = ("Giờ không hợp lệ (định dạng HH:MM)", "Invalid time of day (HH:MM)")
_UUID = ("Mã định danh không hợp lệ", "Invalid identifier")
_DECIMAL = ("Phải là số thập phân", "Must be a decimal number")
_DURATION = ("Khoảng thời gian không hợp lệ (ISO 8601, ví dụ PT1H30M)",
             "Invalid duration (ISO 8601, e.g. PT1H30M)")
_INTERNAL = ("Máy chủ không kiểm tra được giá trị này", "The server could not check this value")
_ONE_OF = ("Phải là một trong các giá trị: {expected}", "Must be one of: {expected}")

# Keyed by pydantic's error type (and the few of ours that share a pydantic name).
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    # -- the request's shape
    "missing": ("Thiếu trường bắt buộc", "Field required"),
    "extra_forbidden": ("Trường này không được phép gửi", "This field is not allowed here"),
    "json_invalid": ("Nội dung không phải JSON hợp lệ", "The body is not valid JSON"),
    "json_type": ("Nội dung JSON phải là văn bản", "The JSON body must be text"),
    "no_such_attribute": ("Không có thuộc tính '{attribute}'", "No attribute '{attribute}'"),
    "needs_python_object": _INTERNAL,
    "recursion_loop": ("Dữ liệu tự tham chiếu vòng tròn", "The data refers to itself in a loop"),
    "recursion_depth_exceeded": ("Dữ liệu lồng nhau quá sâu", "The data is nested too deeply"),
    "frozen_field": ("Trường này không sửa được", "This field cannot be changed"),
    "frozen_instance": ("Bản ghi này không sửa được", "This record cannot be changed"),
    "invalid_key": ("Tên trường phải là chuỗi ký tự", "Keys must be strings"),
    "get_attribute_error": _INTERNAL,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dataclass_type": _OBJECT,
    "dataclass_exact_type": _OBJECT,
    "named_tuple_type": _LIST,
    "default_factory_not_called": (
        "Không tính được giá trị mặc định vì trường khác bị lỗi",
        "No default could be computed because another field is invalid",
    ),
    "none_required": ("Phải là null", "Must be null"),
    "union_tag_invalid": (
        "Loại '{tag}' không hợp lệ; được phép: {expected_tags}",
        "Kind '{tag}' is not allowed; allowed: {expected_tags}",
    ),
    "union_tag_not_found": (
        "Thiếu trường {discriminator} cho biết loại dữ liệu",
        "The {discriminator} field naming the kind is missing",
    ),
    "arguments_type": _OBJECT,
    "missing_argument": ("Thiếu tham số bắt buộc", "Missing required argument"),
    "unexpected_keyword_argument": ("Tham số không được phép", "Unexpected argument"),
    "missing_keyword_only_argument": ("Thiếu tham số bắt buộc", "Missing required argument"),
    "unexpected_positional_argument": ("Tham số không được phép", "Unexpected argument"),
    "missing_positional_only_argument": ("Thiếu tham số bắt buộc", "Missing required argument"),
    "multiple_argument_values": ("Tham số được gửi nhiều lần", "Argument given more than once"),
    "is_instance_of": _NOT_VALID,
    "is_subclass_of": _NOT_VALID,
    "callable_type": _NOT_VALID,
    "value_error": _NOT_VALID,
    "assertion_error": _NOT_VALID,
    "missing_sentinel_error": _NOT_VALID,
    "ellipsis_error": _NOT_VALID,
    # -- numbers
    "greater_than": ("Phải lớn hơn {gt}", "Must be greater than {gt}"),
    "greater_than_equal": ("Phải lớn hơn hoặc bằng {ge}", "Must be at least {ge}"),
    "less_than": ("Phải nhỏ hơn {lt}", "Must be less than {lt}"),
    "less_than_equal": ("Phải nhỏ hơn hoặc bằng {le}", "Must be at most {le}"),
    "multiple_of": ("Phải là bội số của {multiple_of}", "Must be a multiple of {multiple_of}"),
    "finite_number": ("Phải là số hữu hạn", "Must be a finite number"),
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_parsing_size": ("Số nguyên quá lớn", "The integer is too large"),
    "int_from_float": ("Phải là số nguyên (không có phần thập phân)",
                       "Must be a whole number (no fractional part)"),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _DECIMAL,
    "decimal_parsing": _DECIMAL,
    "decimal_max_digits": ("Tối đa {max_digits} chữ số", "At most {max_digits} digits"),
    "decimal_max_places": ("Tối đa {decimal_places} chữ số sau dấu thập phân",
                           "At most {decimal_places} digits after the decimal point"),
    "decimal_whole_digits": ("Tối đa {whole_digits} chữ số trước dấu thập phân",
                             "At most {whole_digits} digits before the decimal point"),
    "fraction_type": ("Phải là phân số", "Must be a fraction"),
    "fraction_parsing": ("Phải là phân số", "Must be a fraction"),
    "complex_type": ("Phải là số phức", "Must be a complex number"),
    "complex_str_parsing": ("Phải là số phức", "Must be a complex number"),
    # -- collections
    "too_short": ("Cần ít nhất {min_length} phần tử", "Needs at least {min_length} items"),
    "too_long": ("Quá {max_length} phần tử", "More than {max_length} items"),
    "iterable_type": _LIST,
    "iteration_error": _LIST,
    "dict_type": _OBJECT,
    "frozen_dict_type": _OBJECT,
    "ordered_dict_type": _OBJECT,
    "counter_type": _OBJECT,
    "mapping_type": _OBJECT,
    "list_type": _LIST,
    "deque_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "frozen_set_type": _LIST,
    "set_item_not_hashable": ("Phần tử không hợp lệ trong tập hợp",
                              "An item of the set is not a simple value"),
    # -- text
    "string_type": _STRING,
    "string_unicode": ("Chứa ký tự không hợp lệ (UTF-8 sai)", "Contains invalid text (bad UTF-8)"),
    "string_too_short": ("Phải có ít nhất {min_length} ký tự",
                         "Must have at least {min_length} characters"),
    "string_too_long": ("Dài quá {max_length} ký tự", "Longer than {max_length} characters"),
    "string_pattern_mismatch": ("Sai định dạng", "Wrong format"),
    "string_not_ascii": ("Chỉ được dùng ký tự ASCII (không dấu)",
                         "ASCII characters only (no diacritics)"),
    "bool_type": _BOOL,
    "bool_parsing": _BOOL,
    "bytes_type": ("Phải là dữ liệu nhị phân", "Must be binary data"),
    "bytes_too_short": ("Phải có ít nhất {min_length} byte",
                        "Must have at least {min_length} bytes"),
    "bytes_too_long": ("Dài quá {max_length} byte", "Longer than {max_length} bytes"),
    "bytes_invalid_encoding": ("Dữ liệu không đúng mã {encoding}",
                               "The data is not valid {encoding}"),
    "enum": _ONE_OF,
    "literal_error": _ONE_OF,
    "control_characters": (
        "Chứa ký tự điều khiển không hợp lệ (ví dụ NUL)",
        "Contains control characters (such as NUL)",
    ),
    "invalid_unicode": (
        "Chứa ký tự không hợp lệ (UTF-8 sai hoặc nửa cặp surrogate)",
        "Contains invalid text (bad UTF-8 or a lone surrogate)",
    ),
    # -- dates and times
    "date_type": ("Phải là ngày", "Must be a date"),
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": (
        "Phải là một ngày, không kèm giờ (định dạng YYYY-MM-DD)",
        "Must be a date without a time of day (YYYY-MM-DD)",
    ),
    "date_past": ("Ngày này phải ở quá khứ", "This date must be in the past"),
    "date_future": ("Ngày này phải ở tương lai", "This date must be in the future"),
    "time_type": _TIME,
    "time_parsing": _TIME,
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_past": ("Thời điểm này phải ở quá khứ", "This timestamp must be in the past"),
    "datetime_future": ("Thời điểm này phải ở tương lai", "This timestamp must be in the future"),
    "datetime_out_of_range": ("Thời điểm nằm ngoài khoảng cho phép",
                              "The timestamp is out of range"),
    "timezone_naive": ("Thời điểm không được kèm múi giờ", "Timestamp must not carry an offset"),
    "timezone_aware": ("Thời điểm phải có múi giờ", "Timestamp must carry an offset"),
    "timezone_offset": ("Múi giờ phải là {tz_expected} giây, không phải {tz_actual}",
                        "The offset must be {tz_expected} seconds, not {tz_actual}"),
    "time_delta_type": _DURATION,
    "time_delta_parsing": _DURATION,
    # -- identifiers and addresses
    "uuid_type": _UUID,
    "uuid_parsing": _UUID,
    "uuid_version": ("Mã định danh phải là UUID phiên bản {expected_version}",
                     "The identifier must be a version {expected_version} UUID"),
    "url_type": ("Địa chỉ URL không hợp lệ", "Invalid URL"),
    "url_parsing": ("Địa chỉ URL không hợp lệ", "Invalid URL"),
    "url_syntax_violation": ("Địa chỉ URL không hợp lệ", "Invalid URL"),
    "url_too_long": ("Địa chỉ URL dài quá {max_length} ký tự",
                     "The URL is longer than {max_length} characters"),
    "url_scheme": ("Địa chỉ URL phải bắt đầu bằng {expected_schemes}",
                   "The URL must start with {expected_schemes}"),
}

# Context values that are lists of choices, written "'a' or 'b'" by pydantic.
_CHOICES = ("expected", "expected_tags", "expected_schemes")
_CHOICE_SPLIT = re.compile(r", | or ")


def choices(value: Any) -> str:
    """pydantic's "'male' or 'female'" as "'male', 'female'" (no English joining word)."""
    items = [part for part in _CHOICE_SPLIT.split(str(value)) if part]
    return ", ".join(items)


def render(table: dict[str, tuple[str, str]], key: str, lang: str, params: dict[str, Any]) -> str:
    """The text for `key` with `params` filled in; "" when `key` has none. A template whose
    parameter is absent answers its type's general text rather than a raw "{name}"."""
    pair = table.get(key)
    if pair is None:
        return ""
    template = pair[1] if lang == "en" else pair[0]
    values = {k: choices(v) if k in _CHOICES else v for k, v in params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return _NOT_VALID[1] if lang == "en" else _NOT_VALID[0]


def _case(code: str):
    from domain.errors import DomainError, error_class

    return error_class(code) or DomainError


def title(code: str, lang: str) -> str:
    return _case(code).text("title", lang)


def detail(code: str, lang: str, params: dict[str, Any]) -> str:
    return _case(code).text("detail", lang, params)


def field_message(error_type: str, lang: str, params: dict[str, Any], fallback: str) -> str:
    """A pydantic error type's message, else that of the case with this code, else
    `fallback`, else the general text."""
    from domain.errors import error_class

    if message := render(FIELD_MESSAGES, error_type, lang, params):
        return message
    case = error_class(error_type)
    if case is not None:
        return case.text("field", lang, params)
    return fallback or (_NOT_VALID[1] if lang == "en" else _NOT_VALID[0])
