"""Human messages for every error code, Vietnamese first, English on request.

Keys are the stable `code` of a problem (or a pydantic error type for field errors).
Values are (Vietnamese, English) templates formatted with the error's parameters.
"""

from __future__ import annotations

from typing import Any

TITLES: dict[str, tuple[str, str]] = {
    "bad_request": ("Yêu cầu không hợp lệ", "Bad request"),
    "not_found": ("Không tìm thấy", "Not found"),
    "route_not_found": ("Không có địa chỉ này", "No such endpoint"),
    "method_not_allowed": ("Phương thức không được hỗ trợ", "Method not allowed"),
    "validation_failed": ("Dữ liệu gửi lên không hợp lệ", "The request data is invalid"),
    "malformed_json": ("Nội dung JSON không đọc được", "The JSON body cannot be parsed"),
    "unsupported_media_type": ("Kiểu nội dung không được hỗ trợ", "Unsupported content type"),
    "payload_too_large": ("Nội dung gửi lên quá lớn", "Request body too large"),
    "conflict": ("Xung đột dữ liệu", "Conflict"),
    "invalid": ("Dữ liệu vi phạm quy tắc", "The data breaks a rule"),
    "precondition_failed": (
        "Bản ghi đã bị thay đổi bởi người khác",
        "The record changed since you read it",
    ),
    "precondition_required": ("Thiếu tiêu đề If-Match", "If-Match header required"),
    "unauthorized": ("Chưa xác thực", "Not authenticated"),
    "invalid_token": ("Mã truy cập không hợp lệ", "Invalid access token"),
    "invalid_credentials": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password"),
    "invalid_client": ("Sai thông tin ứng dụng", "Invalid client credentials"),
    "invalid_grant": ("Mã làm mới không hợp lệ", "Invalid or expired grant"),
    "unsupported_grant_type": ("Kiểu cấp quyền không được hỗ trợ", "Unsupported grant type"),
    "invalid_scope": ("Phạm vi quyền không hợp lệ", "Invalid scope"),
    "forbidden": ("Không có quyền", "Forbidden"),
    "too_many_requests": ("Quá nhiều yêu cầu", "Too many requests"),
    "too_many_login_attempts": ("Đăng nhập sai quá nhiều lần", "Too many failed logins"),
    "database_unavailable": (
        "Cơ sở dữ liệu tạm thời không truy cập được",
        "The database is temporarily unavailable",
    ),
    "not_ready": ("Dịch vụ chưa sẵn sàng", "Service not ready"),
    "service_busy": ("Hệ thống đang bận", "The service is busy"),
    "internal_error": ("Lỗi hệ thống", "Internal server error"),
    "unit_not_found": ("Không tìm thấy đơn vị hành chính", "Administrative unit not found"),
    "unit_code_taken": ("Mã đơn vị đã được dùng", "Unit code already in use"),
    "unit_parent_invalid": ("Đơn vị cấp trên không phù hợp", "Wrong parent unit"),
    "unit_has_children": ("Đơn vị còn đơn vị trực thuộc", "Unit still has units below it"),
    "street_not_found": ("Không tìm thấy tuyến đường", "Street not found"),
    "street_name_taken": ("Tên đường đã có trong phường/xã", "Street already exists in commune"),
    "user_not_found": ("Không tìm thấy tài khoản", "Account not found"),
    "username_taken": ("Tên đăng nhập đã được dùng", "Username already taken"),
    "role_not_assignable": ("Không được cấp vai trò này", "You may not assign this role"),
    "scope_not_assignable": (
        "Không được cấp phạm vi ngoài đơn vị của bạn",
        "You may not assign units outside your own scope",
    ),
    "scope_required": ("Vai trò này cần ít nhất một đơn vị", "This role needs at least one unit"),
    "cursor_invalid": ("Con trỏ phân trang không hợp lệ", "Invalid page cursor"),
    "sort_invalid": ("Trường sắp xếp không hợp lệ", "Invalid sort field"),
    "import_finished": ("Lượt nhập đã kết thúc", "The import has finished"),
    "idempotency_key_reused": (
        "Idempotency-Key đã dùng cho một yêu cầu khác",
        "Idempotency-Key already used with a different request",
    ),
    "idempotency_key_in_progress": (
        "Yêu cầu với Idempotency-Key này đang được xử lý",
        "A request with this Idempotency-Key is still in progress",
    ),
    "audit_chain_broken": ("Nhật ký bị thay đổi", "Audit trail altered"),
}

DETAILS: dict[str, tuple[str, str]] = {
    "route_not_found": ("Không có tài nguyên tại {path}.", "Nothing lives at {path}."),
    "method_not_allowed": (
        "{path} không nhận phương thức {method}.",
        "{path} does not accept {method}.",
    ),
    "validation_failed": (
        "Có {count} lỗi trong dữ liệu gửi lên; xem danh sách errors.",
        "{count} problem(s) in the request; see errors.",
    ),
    "malformed_json": (
        "Nội dung không phải JSON hợp lệ (vị trí {pos}).",
        "The body is not valid JSON (at position {pos}).",
    ),
    "payload_too_large": (
        "Nội dung vượt quá giới hạn {limit} byte.",
        "The body exceeds the {limit}-byte limit.",
    ),
    "service_busy": (
        "Đang có quá nhiều yêu cầu cùng lúc; vui lòng thử lại sau một giây.",
        "Too many requests at once; please retry in a second."),
    "database_unavailable": (
        "Không kết nối được cơ sở dữ liệu; vui lòng thử lại sau ít phút.",
        "The database cannot be reached; please retry in a few minutes.",
    ),
    "internal_error": (
        "Đã có lỗi không mong muốn; hãy báo mã yêu cầu {request_id} cho quản trị viên.",
        "Something unexpected went wrong; quote request id {request_id} to the operator.",
    ),
    "unit_not_found": ("Không có đơn vị {unit_id}.", "There is no unit {unit_id}."),
    "unit_code_taken": (
        "Mã {code_value} đã thuộc về đơn vị khác.",
        "Code {code_value} belongs to another unit.",
    ),
    "unit_parent_invalid": (
        "Đơn vị loại {kind} phải trực thuộc đơn vị loại {expected}.",
        "A unit of kind {kind} must sit under a unit of kind {expected}.",
    ),
    "unit_has_children": (
        "Hãy xoá hoặc chuyển các đơn vị trực thuộc trước.",
        "Delete or move the units below it first.",
    ),
    "precondition_failed": (
        "Hãy tải lại bản ghi rồi sửa lại (ETag hiện tại: {etag}).",
        "Reload the record and apply your change again (current ETag: {etag}).",
    ),
    "precondition_required": (
        "Gửi If-Match với ETag nhận được khi đọc bản ghi.",
        "Send If-Match with the ETag you received when reading the record.",
    ),
    "too_many_login_attempts": (
        "Hãy thử lại sau {retry_after} giây.",
        "Try again in {retry_after} seconds.",
    ),
    "cursor_invalid": (
        "Hãy dùng đúng next_cursor của trang trước.",
        "Use the next_cursor of the previous page as is.",
    ),
    "import_finished": (
        "Lượt nhập đã kết thúc ({status}), không thể dừng nữa.",
        "The import has already finished ({status}) and cannot be stopped.",
    ),
    "sort_invalid": (
        "Không sắp xếp được theo {field}; được phép: {allowed}.",
        "Cannot sort by {field}; allowed: {allowed}.",
    ),
}

# Field-level messages, keyed by pydantic error type or our own codes.
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


def title(code: str, lang: str) -> str:
    return render(TITLES, code, lang, {}) or render(TITLES, "bad_request", lang, {})


def detail(code: str, lang: str, params: dict[str, Any]) -> str:
    return render(DETAILS, code, lang, params) or title(code, lang)


def field_message(error_type: str, lang: str, params: dict[str, Any], fallback: str) -> str:
    return render(FIELD_MESSAGES, error_type, lang, params) or (
        render(TITLES, error_type, lang, params) or fallback
    )

TITLES["unit_code_invalid"] = (
    "Mã đơn vị sai định dạng",
    "Wrong unit code format",
)
DETAILS["unit_code_invalid"] = (
    "Tỉnh có mã 2 chữ số, xã/phường 5 chữ số, tổ dân phố không có mã (cấp: {level}).",
    "Provinces take a 2-digit code, communes 5 digits, groups none (level: {level}).",
)

# Accounts: users and service accounts.
TITLES["service_account_not_found"] = (
    "Không tìm thấy tài khoản dịch vụ",
    "Service account not found",
)
TITLES["unit_unknown"] = ("Đơn vị không tồn tại", "Unknown unit")
TITLES["user_is_self"] = (
    "Không thể tự đổi vai trò hoặc tự khoá tài khoản của mình",
    "You cannot change your own role or disable your own account",
)
DETAILS["user_not_found"] = (
    "Không có tài khoản này, hoặc tài khoản nằm ngoài phạm vi của bạn.",
    "There is no such account, or it is outside your scope.",
)
DETAILS["service_account_not_found"] = (
    "Không có tài khoản dịch vụ này.",
    "There is no such service account.",
)
DETAILS["username_taken"] = (
    "Tên đăng nhập {username} đã thuộc về tài khoản khác.",
    "The username {username} belongs to another account.",
)
DETAILS["role_not_assignable"] = (
    "Bạn không được cấp hoặc quản lý tài khoản có vai trò {role}.",
    "You may not assign or manage accounts with role {role}.",
)
DETAILS["scope_not_assignable"] = (
    "Chỉ được cấp các đơn vị thuộc phường/xã của bạn.",
    "You may only assign units inside your own commune(s).",
)
DETAILS["scope_required"] = (
    "Vai trò {role} cần ít nhất một đơn vị trong unit_ids.",
    "Role {role} needs at least one unit in unit_ids.",
)
DETAILS["unit_unknown"] = ("Không có đơn vị {unit_id}.", "There is no unit {unit_id}.")
DETAILS["user_is_self"] = (
    "Hãy nhờ một quản trị viên khác thực hiện thay đổi này.",
    "Ask another administrator to make this change.",
)
DETAILS["invalid_scope"] = (
    "Phạm vi không được phép: {invalid}.",
    "Scope not allowed: {invalid}.",
)

_REGISTER_FIELDS: dict[str, tuple[str, str]] = {
    "id_number_not_digits": (
        "Số định danh chỉ gồm 12 chữ số", "The ID number must be 12 digits only"),
    "id_number_length": ("Số định danh phải đủ 12 chữ số", "The ID number must have 12 digits"),
    "id_number_province_unknown": (
        "Ba số đầu không phải mã tỉnh nơi đăng ký khai sinh",
        "The first three digits are not a birth-registration province code"),
    "phone_invalid": (
        "Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc +84 912 345 678)",
        "Not a valid Vietnamese phone number (e.g. 0912 345 678 or +84 912 345 678)"),
    "birth_required": ("Cần ngày sinh hoặc năm sinh", "A birth date or birth year is required"),
    "birth_date_future": ("Ngày sinh ở tương lai", "The birth date is in the future"),
    "birth_date_too_old": ("Ngày sinh trước năm 1900", "The birth date is before 1900"),
    "birth_year_mismatch": (
        "Năm sinh không khớp với ngày sinh", "The birth year disagrees with the birth date"),
    "date_in_future": ("Ngày này ở tương lai", "This date is in the future"),
    "status_date_required": (
        "Cần ngày chuyển đi hoặc ngày mất", "The date of moving out or of death is required"),
    "residence_since_required": (
        "Tạm trú cần ngày bắt đầu", "Temporary residence needs a start date"),
    "group_required": (
        "Cần hộ gia đình hoặc tổ dân phố", "A household or a residential group is required"),
    "not_a_group": (
        "Đơn vị này không phải tổ dân phố/thôn", "This unit is not a residential group"),
    "head_not_member": ("Chủ hộ phải là thành viên của hộ", "The head must be a member"),
    "members_not_in_household": (
        "Có người không thuộc hộ này", "Some residents are not members of this household"),
    "street_other_commune": (
        "Tuyến đường không thuộc phường/xã của hộ", "The street is in another commune"),
}
FIELD_MESSAGES.update(_REGISTER_FIELDS)
TITLES.update({
    "resident_not_found": ("Không tìm thấy nhân khẩu", "Resident not found"),
    "household_not_found": ("Không tìm thấy hộ gia đình", "Household not found"),
    "id_number_taken": ("Số định danh đã có trong sổ", "This ID number is already registered"),
    "household_code_taken": ("Mã hộ đã được dùng", "Household code already in use"),
    "merge_into_itself": ("Không thể gộp vào chính nó", "Cannot merge a record into itself"),
    "household_not_empty": ("Hộ còn thành viên", "The household still has members"),
    "merge_across_groups": (
        "Chỉ gộp được trong cùng tổ dân phố", "Only households of one group can be merged"),
    "head_must_stay": (
        "Chủ hộ không thể rời hộ khi còn thành viên khác",
        "The head cannot leave while others remain; name a new head first"),
    "duplicate_has_id_number": (
        "Bản ghi trùng có số định danh khác", "The duplicate carries a different ID number"),
    **{code: pair for code, pair in _REGISTER_FIELDS.items()},
})
DETAILS.update({
    "id_number_taken": (
        "Người này đã có trong sổ (bản ghi {existing_id}); hãy sửa bản ghi đó.",
        "This person is already registered (record {existing_id}); update that record."),
    "household_code_taken": ("Mã hộ {code_value} đã tồn tại.", "Code {code_value} exists."),
})

_IMPORT_MESSAGES: dict[str, tuple[str, str]] = {
    "file_utf16": (
        "Tệp đang ở mã UTF-16; hãy lưu lại bằng 'CSV UTF-8 (Comma delimited)'",
        "The file is UTF-16; save it again as 'CSV UTF-8 (Comma delimited)'"),
    "file_not_utf8": (
        "Tệp không phải UTF-8 (có thể là Windows-1258); hãy lưu lại bằng 'CSV UTF-8'",
        "The file is not UTF-8 (Windows-1258?); save it again as 'CSV UTF-8'"),
    "file_not_spreadsheet": (
        "Tệp không phải CSV hay XLSX", "The file is neither CSV nor XLSX"),
    "file_empty": ("Tệp rỗng", "The file is empty"),
    "columns_missing": ("Thiếu cột: {columns}", "Missing columns: {columns}"),
    "date_invalid": (
        "Ngày không hợp lệ (dùng DD/MM/YYYY)", "Invalid date (use DD/MM/YYYY)"),
    "value_unknown": ("Giá trị không nhận ra: {value}", "Unrecognised value: {value}"),
    "household_code_invalid": ("Mã hộ không hợp lệ", "Invalid household code"),
    "household_unknown": (
        "Không có hộ với mã này trong phạm vi của bạn",
        "No household with this code within your scope"),
    "duplicate_in_file": (
        "Trùng với một dòng phía trên trong tệp", "Repeats an earlier row of the file"),
    "street_unknown": (
        "Không có đường này trong phường/xã; hãy thêm đường trước",
        "No such street in the commune; add the street first"),
    "id_number_taken": (
        "Số định danh đã thuộc về người khác ngoài phạm vi của bạn",
        "The ID number belongs to someone outside your scope"),
    "import_not_found": ("Không tìm thấy lượt nhập", "Import not found"),
    "import_interrupted": (
        "Lượt nhập bị gián đoạn (máy chủ dừng giữa chừng), không dòng nào được ghi; hãy gửi"
        " lại tệp",
        "The import was interrupted (the server stopped part-way) and wrote nothing; send the"
        " file again"),
    "group_id_required": (
        "Nhập hộ cần chọn tổ dân phố (group_id)", "Household imports need a group_id"),
}
FIELD_MESSAGES.update(_IMPORT_MESSAGES)
TITLES.update({k: v for k, v in _IMPORT_MESSAGES.items() if k not in TITLES})

TITLES["idempotency_key_invalid"] = (
    "Idempotency-Key không hợp lệ", "Invalid Idempotency-Key")
DETAILS["idempotency_key_invalid"] = (
    "Dùng 1–200 ký tự ASCII in được, ví dụ một UUID.",
    "Use 1–200 printable ASCII characters, such as a UUID.")
DETAILS["idempotency_key_reused"] = (
    "Khoá này đã dùng cho một yêu cầu có nội dung khác; hãy tạo khoá mới.",
    "This key was used for a request with a different body; make a new key.")

_OUTREACH_MESSAGES: dict[str, tuple[str, str]] = {
    "campaign_not_found": ("Không tìm thấy chiến dịch", "Campaign not found"),
    "campaign_not_draft": (
        "Chiến dịch đã bắt đầu: danh sách hộ đã cố định",
        "The campaign has started: its targets are frozen"),
    "campaign_not_active": (
        "Chiến dịch không đang diễn ra (chưa bắt đầu hoặc đã kết thúc)",
        "The campaign is not active (not started or closed)"),
    "campaign_one_commune": (
        "Các tổ dân phố phải cùng một phường/xã", "All groups must be in one commune"),
    "campaign_dates": ("Ngày kết thúc trước ngày bắt đầu", "The end is before the start"),
    "not_a_walker": (
        "Người này không thể đi thăm hộ trong chiến dịch (vai trò hoặc địa bàn)",
        "This person cannot walk for the campaign (role or area)"),
    "household_not_in_campaign": (
        "Hộ không thuộc chiến dịch", "The household is not a target of the campaign"),
    "household_not_in_walk_list": (
        "Hộ không có trong danh sách đi thăm của bạn", "The household is not on your walk list"),
    "visit_before_campaign": (
        "Thời điểm thăm trước khi chiến dịch bắt đầu", "The visit is before the campaign"),
    "resident_not_in_household": (
        "Người này không thuộc hộ được thăm", "This resident is not in the visited household"),
    "client_visit_id_reused": (
        "Mã lượt thăm đã dùng cho một nội dung khác", "This visit id was sent with another body"),
}
FIELD_MESSAGES.update(_OUTREACH_MESSAGES)
TITLES.update(_OUTREACH_MESSAGES)

_ANNOUNCEMENT_MESSAGES: dict[str, tuple[str, str]] = {
    "announcement_not_found": ("Không tìm thấy thông báo", "Announcement not found"),
    "announcement_published": (
        "Thông báo đã phát hành: không sửa được nữa (có thể thu hồi)",
        "The announcement is published: it can no longer be changed (withdraw it instead)"),
    "announcement_withdrawn": ("Thông báo đã bị thu hồi", "The announcement was withdrawn"),
    "announcement_one_commune": (
        "Các đơn vị nhận thông báo phải cùng một phường/xã",
        "All target units must be in one commune"),
    "announcement_unit_level": (
        "Chỉ gửi thông báo tới tổ dân phố/thôn hoặc cả phường/xã",
        "Announcements go to residential groups or a whole commune"),
    "announcement_outside_scope": (
        "Có đơn vị nhận thông báo nằm ngoài địa bàn của bạn",
        "Some target units are outside your own units"),
    "announcement_category_forbidden": (
        "Bạn không được phát thông báo loại này", "You may not issue this kind of announcement"),
    "delivered_before_publish": (
        "Thời điểm báo tin trước khi thông báo phát hành",
        "Delivered before the announcement was published"),
}
FIELD_MESSAGES.update(_ANNOUNCEMENT_MESSAGES)
TITLES.update(_ANNOUNCEMENT_MESSAGES)
DETAILS["announcement_category_forbidden"] = (
    "Vai trò của bạn chỉ phát được cảnh báo lừa đảo (fraud_warning), không phải {category}.",
    "Your role issues fraud warnings (fraud_warning) only, not {category}.")
