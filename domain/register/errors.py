"""The register of households and residents: what can go wrong, in both languages."""

from __future__ import annotations

from domain.errors import (
    DATE_CASES,
    Conflict,
    DateInFuture,
    DomainError,
    FieldMissing,
    Forbidden,
    Invalid,
    NotFound,
    NullNotAllowed,
)
from domain.units.errors import NotAGroup, StreetNotFound, StreetOtherCommune, UnitNotFound


class ResidentNotFound(NotFound):
    code = "resident_not_found"
    vi = "Không tìm thấy nhân khẩu"
    en = "Resident not found"


class HouseholdNotFound(NotFound):
    code = "household_not_found"
    vi = "Không tìm thấy hộ gia đình"
    en = "Household not found"


class IdNumberTaken(Conflict):
    """The living holder is a record the caller may read: `existing_id` names it."""

    code = "id_number_taken"
    vi = "Số định danh đã có trong sổ"
    en = "This ID number is already registered"
    vi_detail = "Người này đã có trong sổ (bản ghi {existing_id}); hãy sửa bản ghi đó."
    en_detail = "This person is already registered (record {existing_id}); update that record."


class IdNumberRegisteredElsewhere(Conflict):
    """The living holder is outside the caller's scope: nothing of it is named (no id, name
    or unit); the way forward is a transfer request."""

    code = "id_number_registered_elsewhere"
    vi = "Số định danh đã được đăng ký ở đơn vị khác"
    en = "This ID number is registered elsewhere"
    vi_detail = ("Người này đang có tên trong sổ của một đơn vị ngoài phạm vi của bạn; hãy gửi"
                 " đề nghị chuyển đến (POST /api/v1/transfers).")
    en_detail = ("This person is registered by a unit outside your scope; ask for a transfer"
                 " (POST /api/v1/transfers).")
    vi_field = "Số định danh đã được đăng ký ở đơn vị ngoài phạm vi của bạn"
    en_field = "The ID number is registered by a unit outside your scope"


class HouseholdCodeTaken(Conflict):
    """Another living household of the same commune has the code, one the caller may read."""

    code = "household_code_taken"
    vi = "Mã hộ đã được dùng"
    en = "Household code already in use"
    vi_detail = "Mã hộ {code_value} đã được dùng trong xã/phường này."
    en_detail = "Code {code_value} is already used in this commune."


class HouseholdCodeTakenElsewhere(Conflict):
    """The household holding the code (same commune) is outside the caller's scope."""

    code = "household_code_taken_elsewhere"
    vi = "Mã hộ đã được dùng ở tổ dân phố khác"
    en = "Household code used by another group"
    vi_detail = ("Mã hộ {code_value} đã được một hộ ngoài phạm vi của bạn trong xã/phường này"
                 " dùng; hãy chọn mã khác.")
    en_detail = ("Code {code_value} is used by a household of this commune outside your"
                 " scope; choose another.")


class MergeIntoItself(Invalid):
    code = "merge_into_itself"
    vi = "Không thể gộp vào chính nó"
    en = "Cannot merge a record into itself"


class HouseholdNotEmpty(Conflict):
    code = "household_not_empty"
    vi = "Hộ còn thành viên"
    en = "The household still has members"


class MergeAcrossGroups(Conflict):
    code = "merge_across_groups"
    vi = "Chỉ gộp được trong cùng tổ dân phố"
    en = "Only households of one group can be merged"


class HeadMustStay(Conflict):
    code = "head_must_stay"
    vi = "Chủ hộ không thể rời hộ khi còn thành viên khác"
    en = "The head cannot leave while others remain; name a new head first"


class DuplicateHasIdNumber(Conflict):
    code = "duplicate_has_id_number"
    vi = "Bản ghi trùng có số định danh khác"
    en = "The duplicate carries a different ID number"


class IdNumberNotDigits(Invalid):
    code = "id_number_not_digits"
    vi = "Số định danh chỉ gồm 12 chữ số"
    en = "The ID number must be 12 digits only"


class IdNumberLength(Invalid):
    code = "id_number_length"
    vi = "Số định danh phải đủ 12 chữ số"
    en = "The ID number must have 12 digits"


class IdNumberProvinceUnknown(Invalid):
    code = "id_number_province_unknown"
    vi = "Ba số đầu không phải mã tỉnh nơi đăng ký khai sinh"
    en = "The first three digits are not a birth-registration province code"


class IdNumberBornInFuture(Invalid):
    code = "id_number_born_in_future"
    vi = "Chữ số thế kỷ và năm sinh trong số định danh chỉ một năm chưa tới"
    en = "The century and birth-year digits of the ID number name a year still to come"


class PhoneInvalid(Invalid):
    code = "phone_invalid"
    vi = "Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc +84 912 345 678)"
    en = "Not a valid Vietnamese phone number (e.g. 0912 345 678 or +84 912 345 678)"


class BirthRequired(Invalid):
    code = "birth_required"
    vi = "Cần ngày sinh hoặc năm sinh"
    en = "A birth date or birth year is required"


class BirthDateFuture(Invalid):
    code = "birth_date_future"
    vi = "Ngày sinh ở tương lai"
    en = "The birth date is in the future"


class BirthDateTooOld(Invalid):
    code = "birth_date_too_old"
    vi = "Ngày sinh trước năm 1900"
    en = "The birth date is before 1900"


class BirthYearMismatch(Invalid):
    code = "birth_year_mismatch"
    vi = "Năm sinh không khớp với ngày sinh"
    en = "The birth year disagrees with the birth date"


class StatusDateRequired(Invalid):
    code = "status_date_required"
    vi = "Cần ngày chuyển đi hoặc ngày mất"
    en = "The date of moving out or of death is required"


class ResidenceSinceRequired(Invalid):
    code = "residence_since_required"
    vi = "Tạm trú cần ngày bắt đầu"
    en = "Temporary residence needs a start date"


class GroupRequired(Invalid):
    code = "group_required"
    vi = "Cần hộ gia đình hoặc tổ dân phố"
    en = "A household or a residential group is required"


class HeadNotMember(Invalid):
    code = "head_not_member"
    vi = "Chủ hộ phải là thành viên của hộ"
    en = "The head must be a member"


class MembersNotInHousehold(Invalid):
    code = "members_not_in_household"
    vi = "Có người không thuộc hộ này"
    en = "Some residents are not members of this household"


class GuardianRequired(Invalid):
    code = "guardian_required"
    vi = "Người dưới 14 tuổi chỉ kích hoạt VNeID mức 2 cùng người giám hộ"
    en = "A resident under 14 activates VNeID level 2 only with a guardian"
    vi_detail = ("Người này chưa đủ 14 tuổi vào ngày đó: ghi guardian_id, mã nhân khẩu của cha,"
                 " mẹ hoặc người giám hộ từ đủ 18 tuổi.")
    en_detail = ("This person was under 14 on that day: give guardian_id, the record id of a"
                 " parent or guardian aged 18 or over.")
    vi_field = "Cần người giám hộ (guardian_id) cho người dưới 14 tuổi"
    en_field = "A guardian (guardian_id) is required for a resident under 14"


class GuardianNotFound(Invalid):
    """The guardian named does not exist, was removed, or is outside the caller's scope:
    one answer for all three, naming nothing."""

    code = "guardian_not_found"
    vi = "Không tìm thấy người giám hộ trong sổ"
    en = "Guardian not found in the register"
    vi_detail = "Không có nhân khẩu {guardian_id} trong phạm vi của bạn."
    en_detail = "No resident {guardian_id} within your scope."


class GuardianIneligible(Invalid):
    code = "guardian_ineligible"
    vi = "Người giám hộ phải từ đủ 18 tuổi và còn sống vào ngày đó, là người khác"
    en = "The guardian must be someone else, aged 18 or over and living on that day"


class GuardianNotApplicable(Invalid):
    code = "guardian_not_applicable"
    vi = "Chỉ ghi người giám hộ cho việc kích hoạt VNeID mức 2"
    en = "A guardian is recorded only for VNeID level 2 activation"


GUARDIAN_ERRORS: dict[str, type[Invalid]] = {
    c.code: c for c in (GuardianRequired, GuardianIneligible, GuardianNotApplicable)}

# The pure rule (`rules.parse_id_number`) says which way a number is impossible by code.
ID_NUMBER_ERRORS: dict[str, type[Invalid]] = {
    c.code: c for c in (IdNumberNotDigits, IdNumberLength, IdNumberProvinceUnknown,
                        IdNumberBornInFuture)}

UNIQUE_CONSTRAINTS: dict[str, type[Conflict]] = {
    "uq_resident_id_number_living": IdNumberTaken,
    "uq_household_commune_id_code_living": HouseholdCodeTaken,
}
REFERENCES: dict[str, tuple[str, ...]] = {
    "fk_resident_household_id_household": ("body", "household_id"),
    "fk_resident_group_id_admin_unit": ("body", "group_id"),
    "fk_household_group_id_admin_unit": ("body", "group_id"),
    "fk_household_street_id_street": ("body", "street_id"),
    "fk_household_head_id_resident": ("body", "head_id"),
}

# What the register's writes can answer (the routes' documented responses).
REGISTER_CASES: tuple[type[DomainError], ...] = (
    ResidentNotFound, HouseholdNotFound, IdNumberTaken, IdNumberRegisteredElsewhere,
    HouseholdCodeTaken, HouseholdCodeTakenElsewhere, MergeIntoItself,
    HouseholdNotEmpty, MergeAcrossGroups, HeadMustStay, DuplicateHasIdNumber,
    *ID_NUMBER_ERRORS.values(), PhoneInvalid, BirthRequired, BirthDateFuture, BirthDateTooOld,
    BirthYearMismatch, StatusDateRequired, ResidenceSinceRequired, GroupRequired,
    HeadNotMember, MembersNotInHousehold, DateInFuture, FieldMissing, NullNotAllowed, NotAGroup,
    StreetOtherCommune, UnitNotFound, StreetNotFound, *DATE_CASES,
    GuardianNotFound, *GUARDIAN_ERRORS.values(),
)


# -- transfers (chuyển đến) ---------------------------------------------------------------
class TransferNotFound(NotFound):
    code = "transfer_not_found"
    vi = "Không tìm thấy đề nghị chuyển đến"
    en = "Transfer request not found"


class TransferNobodyToMove(Invalid):
    code = "transfer_nobody_to_move"
    vi = "Không có người nào ngoài phạm vi của bạn mang số định danh này"
    en = "Nobody outside your scope holds this ID number"
    vi_detail = "Hãy đăng ký người này (POST /api/v1/residents)."
    en_detail = "Register the person instead (POST /api/v1/residents)."


class TransferAlreadyPending(Conflict):
    code = "transfer_already_pending"
    vi = "Người này đã có một đề nghị chuyển đến đang chờ"
    en = "A transfer of this person is already pending"


class TransferNotPending(Conflict):
    code = "transfer_not_pending"
    vi = "Đề nghị chuyển đến không còn chờ xử lý"
    en = "The transfer request is no longer pending"
    vi_detail = "Đề nghị đã ở trạng thái {status}."
    en_detail = "The request is already {status}."


class TransferDecisionForbidden(Forbidden):
    code = "transfer_decision_forbidden"
    vi = "Chỉ cán bộ quản lý hồ sơ hiện tại của người này mới duyệt hoặc từ chối được"
    en = "Only an officer in charge of the person's current record may approve or reject"


class TransferCancelForbidden(Forbidden):
    code = "transfer_cancel_forbidden"
    vi = "Chỉ bên gửi đề nghị mới huỷ được"
    en = "Only the side that asked may cancel the request"


class TransferTargetGone(Conflict):
    code = "transfer_target_gone"
    vi = "Hộ nhận chuyển đến đã đóng"
    en = "The target household has been closed"


TRANSFER_CASES: tuple[type[DomainError], ...] = (
    TransferNotFound, TransferNobodyToMove, TransferAlreadyPending, TransferNotPending,
    TransferDecisionForbidden, TransferCancelForbidden, TransferTargetGone, IdNumberTaken,
    HouseholdNotFound, ResidentNotFound, HeadMustStay, *ID_NUMBER_ERRORS.values(),
)
UNIQUE_CONSTRAINTS["uq_transfer_request_resident_id_pending"] = TransferAlreadyPending
REFERENCES["fk_transfer_request_household_id_household"] = ("body", "household_id")
