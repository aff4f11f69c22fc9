"""Tickets: what can go wrong, in both languages."""

from __future__ import annotations

from domain.announcements.errors import (
    ANNOUNCEMENT_CASES,
    AnnouncementNotFound,
    AnnouncementPublished,
    AnnouncementWithdrawn,
)
from domain.errors import Conflict, FieldMissing, Forbidden, Invalid, NotFound, NullNotAllowed
from domain.outreach.errors import VisitNeedNotFound
from domain.register.errors import HouseholdNotFound, ResidentNotFound
from domain.storage import BlobNotFound
from domain.tickets.attachments import (
    AttachmentActiveContent,
    AttachmentDamaged,
    AttachmentTooLarge,
    AttachmentTypeRefused,
    AttachmentUncheckable,
    ImageTooManyPixels,
)
from domain.units.errors import NotAGroup, UnitNotFound


class TicketNotFound(NotFound):
    code = "ticket_not_found"
    vi = "Không tìm thấy yêu cầu hỗ trợ"
    en = "Ticket not found"


class TicketCategoryNotFound(NotFound):
    code = "ticket_category_not_found"
    vi = "Không tìm thấy loại yêu cầu"
    en = "Ticket category not found"


class TicketCategoryCodeTaken(Conflict):
    code = "ticket_category_code_taken"
    vi = "Mã loại yêu cầu đã có"
    en = "This category code is already in use"


class TicketCategoryUnknown(Invalid):
    code = "ticket_category_unknown"
    vi = "Loại yêu cầu không tồn tại hoặc đã ngừng dùng"
    en = "The category does not exist or is no longer in use"


class TicketUnitRequired(Invalid):
    code = "ticket_unit_required"
    vi = ("Ghi unit_id khi hộ gia đình hay người yêu cầu trong sổ không cho biết địa bàn, và"
          " chỉ khi đó")
    en = ("Give unit_id when neither household_id nor requester_resident_id gives the unit,"
          " and only then")


class RequesterRequired(Invalid):
    code = "ticket_requester_required"
    vi = "Cần người yêu cầu: requester_resident_id, hoặc contact_name và contact_phone"
    en = "Name the requester: requester_resident_id, or contact_name and contact_phone"


class RequesterOtherHousehold(Invalid):
    code = "ticket_requester_other_household"
    vi = "Người yêu cầu không thuộc hộ gia đình đã chọn"
    en = "The requester is not a member of that household"


class TicketForSomeoneElse(Forbidden):
    code = "ticket_for_someone_else"
    vi = "Cư dân chỉ mở yêu cầu cho chính mình"
    en = "A resident opens tickets for themselves only"
    vi_detail = ("Bỏ requester_resident_id, household_id, contact_name và contact_phone: yêu"
                 " cầu được ghi cho tài khoản của bạn.")
    en_detail = ("Leave out requester_resident_id, household_id, contact_name and"
                 " contact_phone: the ticket is yours.")


class TicketStaffOnly(Forbidden):
    code = "ticket_staff_only"
    vi = "Chỉ cán bộ xử lý yêu cầu mới làm được việc này"
    en = "Only staff working the ticket may do this"


class AssigneeOutsideUnit(Invalid):
    code = "ticket_assignee_outside_unit"
    vi = "Người được giao không phụ trách địa bàn của yêu cầu"
    en = "The assignee does not cover the ticket's unit"


class TransitionNotAllowed(Conflict):
    code = "ticket_transition_not_allowed"
    vi = "Không chuyển được yêu cầu sang trạng thái này"
    en = "The ticket cannot move to this status"
    vi_detail = "Từ {status} không sang được {to}; được phép: {allowed_text}."
    en_detail = "From {status} it cannot move to {to}; allowed: {allowed_text}."


class OutcomeRequired(Invalid):
    code = "ticket_outcome_required"
    vi = "Giải quyết yêu cầu cần ghi kết quả (outcome)"
    en = "Resolving a ticket needs an outcome"


class OutcomeUnexpected(Invalid):
    code = "ticket_outcome_unexpected"
    vi = "Chỉ ghi kết quả (outcome) khi chuyển sang resolved"
    en = "An outcome is given only when moving to resolved"


class DuplicateOfRequired(Invalid):
    code = "ticket_duplicate_of_required"
    vi = "Kết quả trùng lặp cần duplicate_of_id của yêu cầu gốc"
    en = "A duplicate needs duplicate_of_id, the original ticket"


class DuplicateOfUnknown(Invalid):
    code = "ticket_duplicate_of_unknown"
    vi = "Yêu cầu gốc không tồn tại, ngoài địa bàn của bạn, hoặc chính là yêu cầu này"
    en = "The original ticket does not exist, is out of your scope, or is this one"


class TicketClosed(Conflict):
    code = "ticket_closed"
    vi = "Yêu cầu đã đóng: mở lại trước khi bình luận hay thay đổi tệp đính kèm"
    en = "The ticket is closed: reopen it before commenting or changing its attachments"


class AttachmentNotFound(NotFound):
    code = "ticket_attachment_not_found"
    vi = "Không tìm thấy tệp đính kèm"
    en = "Attachment not found"


class AttachmentNotYours(Forbidden):
    code = "ticket_attachment_not_yours"
    vi = "Cư dân chỉ xoá tệp đính kèm do chính mình gửi"
    en = "A resident deletes only the attachments they sent"


class HolidayNotFound(NotFound):
    code = "holiday_not_found"
    vi = "Không tìm thấy ngày nghỉ lễ"
    en = "Holiday not found"


class HolidayDayTaken(Conflict):
    code = "holiday_day_taken"
    vi = "Ngày này đã có trong danh sách ngày nghỉ lễ"
    en = "This day is already a holiday"
    vi_detail = "Xoá ngày nghỉ đã có trước khi ghi lại ngày này."
    en_detail = "Delete the existing holiday before adding this day again."


# -- from the door to a fraud warning -----------------------------------------------------
class NeedAlreadyTicketed(Conflict):
    """A need becomes one ticket: `existing_id` names it (uq_ticket_visit_need_id)."""

    code = "ticket_need_ticketed"
    vi = "Nhu cầu này đã thành yêu cầu hỗ trợ"
    en = "This need is already a ticket"
    vi_detail = "Nhu cầu đã thành yêu cầu hỗ trợ {existing_id}; hãy theo dõi yêu cầu đó."
    en_detail = "The need is already ticket {existing_id}; follow that one."


class NeedRequesterUnknown(Invalid):
    field_level = False
    code = "ticket_need_requester_unknown"
    vi = "Nhu cầu không ghi người dân và hộ chưa có chủ hộ trong sổ"
    en = "The need names no resident and the household has no head in the register"
    vi_detail = ("Ghi chủ hộ trong sổ, hoặc mở yêu cầu với người liên hệ (contact_name,"
                 " contact_phone) qua POST /tickets.")
    en_detail = ("Record the household's head, or open the ticket for a contact"
                 " (contact_name, contact_phone) with POST /tickets.")


class TicketCategoryNoneOfKind(Invalid):
    code = "ticket_category_none_of_kind"
    vi = "Phường/xã chưa có loại yêu cầu nào phù hợp đang dùng: hãy ghi category_id"
    en = "The commune has no active category of this kind: give category_id"
    vi_field = "Chưa có loại yêu cầu {kind} đang dùng ở phường/xã này; hãy ghi category_id."
    en_field = "No active category of kind {kind} in this commune; give category_id."


class NotAFraudReport(Conflict):
    code = "ticket_not_fraud_report"
    vi = "Chỉ phát cảnh báo lừa đảo từ một yêu cầu loại báo lừa đảo"
    en = "Only a fraud report becomes a fraud warning"
    vi_detail = "Yêu cầu này thuộc loại {kind}; đổi sang loại báo lừa đảo (fraud_report) trước."
    en_detail = "This ticket is of kind {kind}; recategorise it as a fraud_report first."


class WarningAlreadyPublished(Conflict):
    code = "ticket_warning_published"
    vi = "Đã phát cảnh báo từ yêu cầu này"
    en = "A warning was already published from this ticket"
    vi_detail = "Cảnh báo {existing_id} đã được phát từ yêu cầu này."
    en_detail = "Announcement {existing_id} was already published from this ticket."


class StatsRangeReversed(Invalid):
    code = "ticket_stats_range_reversed"
    vi = "Ngày bắt đầu (from) phải trước hoặc bằng ngày kết thúc (to)"
    en = "from must be on or before to"


class StatsRangeTooLong(Invalid):
    code = "ticket_stats_range_too_long"
    vi = "Khoảng thống kê dài nhất 366 ngày"
    en = "The range spans at most 366 days"


UNIQUE_CONSTRAINTS: dict[str, type[Conflict]] = {
    "uq_ticket_category_commune_id_code": TicketCategoryCodeTaken,
    "uq_ticket_visit_need_id": NeedAlreadyTicketed,
    "uq_work_holiday_day": HolidayDayTaken,
}
REFERENCES: dict[str, tuple[str, ...]] = {
    "fk_ticket_category_id_ticket_category": ("body", "category_id"),
    "fk_ticket_assignee_id_user_account": ("body", "assignee_id"),
}

# What the routes can answer (their documented responses).
CATEGORY_CASES = (TicketCategoryNotFound, TicketCategoryCodeTaken, UnitNotFound, NotAGroup,
                  FieldMissing, NullNotAllowed)
TICKET_CASES = (
    TicketNotFound, TicketCategoryUnknown, TicketUnitRequired, RequesterRequired,
    RequesterOtherHousehold, TicketForSomeoneElse, TicketStaffOnly, AssigneeOutsideUnit,
    UnitNotFound, NotAGroup, HouseholdNotFound, ResidentNotFound, FieldMissing, NullNotAllowed,
)
TRANSITION_CASES = (TicketNotFound, TicketStaffOnly, TransitionNotAllowed, OutcomeRequired,
                    OutcomeUnexpected, DuplicateOfRequired, DuplicateOfUnknown, FieldMissing)
COMMENT_CASES = (TicketNotFound, TicketStaffOnly, TicketClosed, FieldMissing)


# -- the Open311 GeoReport v2 face (api/routers/tickets/open311.py) -----------------------
# Its answers are GeoReport's error list, not problem+json (api/georeport.py); a 422 there
# is GeoReport's 400.
class Open311KeyRequired(Forbidden):
    code = "open311_api_key_required"
    vi = "Cần api_key để dùng chức năng này"
    en = "An api_key is required for this call"
    vi_detail = "Gửi api_key (dạng <client_id>.<secret> của một tài khoản dịch vụ)."
    en_detail = "Send api_key (<client_id>.<secret> of a service account)."


class Open311KeyInvalid(Forbidden):
    code = "open311_api_key_invalid"
    vi = "api_key không hợp lệ hoặc đã bị thu hồi"
    en = "Invalid or revoked api_key"


class Open311KeyScope(Forbidden):
    code = "open311_api_key_scope"
    vi = "api_key này thiếu quyền cần thiết"
    en = "This api_key lacks the scope needed"
    vi_detail = "api_key này không có quyền {scope}"
    en_detail = "This api_key lacks the {scope} scope"


class Open311FormatUnknown(NotFound):
    code = "open311_format_unknown"
    vi = "Định dạng không hỗ trợ: chỉ có json và xml"
    en = "Unknown format: json and xml only"


class Open311ServiceNotFound(NotFound):
    code = "open311_service_not_found"
    vi = "Không có dịch vụ này"
    en = "No such service"
    vi_detail = "Không có dịch vụ (service_code) {service_code}"
    en_detail = "No service with service_code {service_code}"


class Open311ServiceUnknown(Invalid):
    code = "open311_service_code_unknown"
    vi = "service_code không có hoặc không tồn tại"
    en = "service_code is missing or unknown"
    vi_field = "Không có dịch vụ với service_code {service_code}"
    en_field = "No service with service_code {service_code}"


class Open311LocationRequired(Invalid):
    code = "open311_location_required"
    vi = "Cần vị trí: lat và long, hoặc address_string, hoặc address_id"
    en = "A location is required: lat and long, or address_string, or address_id"


class Open311ContactRequired(Invalid):
    code = "open311_contact_required"
    vi = "Cần tên (first_name hoặc last_name) và số điện thoại (phone) của người yêu cầu"
    en = "The requester's name (first_name or last_name) and phone are required"


class Open311UnitAmbiguous(Invalid):
    code = "open311_unit_ambiguous"
    vi = ("Tài khoản dịch vụ phải gắn với đúng một tổ dân phố hoặc một phường/xã để tạo yêu"
          " cầu")
    en = "The service account must hold exactly one residential group or commune to post"


class Open311DateInvalid(Invalid):
    code = "open311_date_invalid"
    vi = "Thời điểm không hợp lệ: dùng dạng W3C, ví dụ 2026-01-01T00:00:00Z"
    en = "Invalid datetime: use the W3C form, e.g. 2026-01-01T00:00:00Z"


class Open311DateRange(Invalid):
    code = "open311_date_range"
    vi = "Khoảng thời gian không hợp lệ: start_date trước end_date, cách nhau tối đa 90 ngày"
    en = "Invalid range: start_date before end_date, at most 90 days apart"


class Open311StatusUnknown(Invalid):
    code = "open311_status_unknown"
    vi = "status chỉ nhận open, closed"
    en = "status takes open, closed"


OPEN311_READ_CASES = (Open311KeyRequired, Open311KeyInvalid, Open311KeyScope,
                      Open311FormatUnknown)
OPEN311_SERVICE_CASES = (Open311FormatUnknown, Open311ServiceNotFound)
OPEN311_LIST_CASES = (*OPEN311_READ_CASES, Open311DateInvalid, Open311DateRange,
                      Open311StatusUnknown)
OPEN311_GET_CASES = (*OPEN311_READ_CASES, TicketNotFound)
OPEN311_CREATE_CASES = (*OPEN311_READ_CASES, Open311ServiceUnknown, Open311LocationRequired,
                        Open311ContactRequired, Open311UnitAmbiguous, FieldMissing)
STATS_CASES = (TicketStaffOnly, StatsRangeReversed, StatsRangeTooLong, UnitNotFound)
FROM_NEED_CASES = (VisitNeedNotFound, NeedAlreadyTicketed, NeedRequesterUnknown,
                   TicketCategoryUnknown, TicketCategoryNoneOfKind, TicketStaffOnly,
                   RequesterOtherHousehold, HouseholdNotFound, ResidentNotFound, NullNotAllowed)
WARNING_CASES = (TicketNotFound, TicketStaffOnly, NotAFraudReport, WarningAlreadyPublished,
                 *(case for case in ANNOUNCEMENT_CASES
                   if case not in (AnnouncementNotFound, AnnouncementPublished,
                                   AnnouncementWithdrawn)),
                 UnitNotFound)
HOLIDAY_CASES = (HolidayNotFound, HolidayDayTaken, FieldMissing)
ATTACHMENT_CASES = (TicketNotFound, AttachmentNotFound, TicketStaffOnly, AttachmentNotYours,
                    TicketClosed, AttachmentTypeRefused, AttachmentTooLarge, ImageTooManyPixels,
                    AttachmentDamaged, AttachmentActiveContent, AttachmentUncheckable,
                    BlobNotFound, FieldMissing)
