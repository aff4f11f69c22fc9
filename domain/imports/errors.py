"""Imports: files that cannot be read and rows that are rejected, in both languages."""

from __future__ import annotations

from domain.errors import Conflict, Invalid, NotFound


class FileProblem(Invalid):
    """The file as a whole cannot be read; the subclass says why."""


class ImportNotFound(NotFound):
    code = "import_not_found"
    vi = "Không tìm thấy lượt nhập"
    en = "Import not found"


class ImportFinished(Conflict):
    code = "import_finished"
    vi = "Lượt nhập đã kết thúc"
    en = "The import has finished"
    vi_detail = "Lượt nhập đã kết thúc ({status}), không thể dừng nữa."
    en_detail = "The import has already finished ({status}) and cannot be stopped."


class FileUtf16(FileProblem):
    code = "file_utf16"
    vi = "Tệp đang ở mã UTF-16; hãy lưu lại bằng 'CSV UTF-8 (Comma delimited)'"
    en = "The file is UTF-16; save it again as 'CSV UTF-8 (Comma delimited)'"


class FileNotUtf8(FileProblem):
    code = "file_not_utf8"
    vi = "Tệp không phải UTF-8 (có thể là Windows-1258); hãy lưu lại bằng 'CSV UTF-8'"
    en = "The file is not UTF-8 (Windows-1258?); save it again as 'CSV UTF-8'"


class FileNotSpreadsheet(FileProblem):
    code = "file_not_spreadsheet"
    vi = "Tệp không phải CSV hay XLSX"
    en = "The file is neither CSV nor XLSX"


class FileEmpty(FileProblem):
    code = "file_empty"
    vi = "Tệp rỗng"
    en = "The file is empty"


class ColumnsMissing(FileProblem):
    code = "columns_missing"
    vi = "Tệp thiếu cột bắt buộc"
    en = "The file lacks required columns"
    vi_detail = vi_field = "Thiếu cột: {columns}"
    en_detail = en_field = "Missing columns: {columns}"


class GroupIdRequired(Invalid):
    code = "group_id_required"
    vi = "Nhập hộ cần chọn tổ dân phố (group_id)"
    en = "Household imports need a group_id"


class DateInvalid(Invalid):
    code = "date_invalid"
    vi = "Ngày không hợp lệ (dùng DD/MM/YYYY)"
    en = "Invalid date (use DD/MM/YYYY)"


class ValueUnknown(Invalid):
    code = "value_unknown"
    vi = "Giá trị không nhận ra"
    en = "Unrecognised value"
    vi_field = "Giá trị không nhận ra: {value}"
    en_field = "Unrecognised value: {value}"


class RelationshipAmbiguous(Invalid):
    code = "relationship_ambiguous"
    vi = "Quan hệ với chủ hộ không rõ nghĩa"
    en = "The relationship to the head is ambiguous"
    vi_field = "“{value}” có thể là {choices}; hãy gõ có dấu"
    en_field = "“{value}” could be {choices_en}; type it with its diacritics"


class IdNumberZeroLost(Invalid):
    """A number cell dropped the leading zero(s) of an ID number (every number starts with
    its province code, 001 to 096): the register's imports and the voter lists alike."""

    code = "id_number_zero_lost"
    vi = "Số định danh thiếu số 0 ở đầu"
    en = "The ID number lacks its leading zero"
    vi_field = ("Số định danh chỉ có {digits} chữ số: có lẽ Excel đã bỏ số 0 ở đầu (ô định dạng"
                " số), là {suggestion}? Hãy định dạng cột là Văn bản (Text) rồi gõ lại, hoặc"
                " gửi tệp XLSX")
    en_field = ("The ID number has only {digits} digits: Excel probably dropped its leading 0"
                " (a number cell), {suggestion}? Format the column as Text and type it again,"
                " or send the XLSX file")


class HouseholdCodeInvalid(Invalid):
    code = "household_code_invalid"
    vi = "Mã hộ không hợp lệ"
    en = "Invalid household code"


class HouseholdUnknown(Invalid):
    code = "household_unknown"
    vi = "Không có hộ với mã này trong phạm vi của bạn"
    en = "No household with this code within your scope"


class HouseholdCodeAmbiguous(Invalid):
    code = "household_code_ambiguous"
    vi = "Mã hộ này có ở nhiều xã/phường trong phạm vi của bạn; hãy nhập theo từng xã/phường"
    en = "This household code exists in several communes of your scope; import per commune"


class DuplicateInFile(Invalid):
    code = "duplicate_in_file"
    vi = "Trùng với một dòng phía trên trong tệp"
    en = "Repeats an earlier row of the file"


class StreetUnknown(Invalid):
    code = "street_unknown"
    vi = "Không có đường này trong phường/xã; hãy thêm đường trước"
    en = "No such street in the commune; add the street first"


class ImportInterrupted(Invalid):
    code = "import_interrupted"
    vi = ("Lượt nhập bị gián đoạn (máy chủ dừng giữa chừng), không dòng nào được ghi; hãy gửi"
          " lại tệp")
    en = ("The import was interrupted (the server stopped part-way) and wrote nothing; send the"
          " file again")

# What submitting an import can answer (the route's documented responses).
IMPORT_CASES = (FileUtf16, FileNotUtf8, FileNotSpreadsheet, FileEmpty, ColumnsMissing,
                GroupIdRequired)
