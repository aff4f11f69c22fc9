"""Elections: what can go wrong, in both languages."""

from __future__ import annotations

from domain.errors import Conflict, FieldMissing, Forbidden, Invalid, NotFound, NullNotAllowed
from domain.register.errors import ResidentNotFound
from domain.units.errors import NotAGroup, StreetNotFound, UnitNotFound


class ElectionNotFound(NotFound):
    code = "election_not_found"
    vi = "Không tìm thấy cuộc bầu cử"
    en = "Election not found"


class PollingAreaNotFound(NotFound):
    code = "polling_area_not_found"
    vi = "Không tìm thấy khu vực bỏ phiếu"
    en = "Polling area not found"


class ExclusionNotFound(NotFound):
    code = "exclusion_not_found"
    vi = "Không tìm thấy quyết định xoá tên khỏi danh sách cử tri"
    en = "Exclusion not found"


class ElectionAdminOnly(Forbidden):
    code = "election_admin_only"
    vi = "Chỉ quản trị viên mới tạo và sửa cuộc bầu cử"
    en = "Only administrators create and change elections"
    vi_detail = ("Cán bộ xã, phường và tổ bầu cử quản lý khu vực bỏ phiếu và danh sách xoá tên"
                 " của xã, phường mình.")
    en_detail = ("Commune officers and election officers manage their commune's polling areas"
                 " and exclusions.")


class ElectionUnitLevel(Invalid):
    code = "election_unit_level"
    vi = "province_id phải là tỉnh, thành phố; commune_id phải là xã, phường, đặc khu"
    en = "province_id must be a province and commune_id a commune"


class ElectionUnitMismatch(Invalid):
    code = "election_unit_mismatch"
    vi = "Xã, phường không thuộc tỉnh, thành phố đã chọn"
    en = "The commune is not in that province"


class PostingAfterElection(Invalid):
    code = "election_posting_after_day"
    vi = "Ngày niêm yết danh sách cử tri phải trước ngày bầu cử"
    en = "The voter list is posted before election day"


class AmendmentAfterVoting(Invalid):
    code = "election_amendment_after_voting"
    vi = "Hạn cuối sửa danh sách cử tri phải trước giờ bắt đầu bỏ phiếu"
    en = "The last amendment to the lists comes before voting opens"


class ComplaintAfterElection(Invalid):
    code = "election_complaint_after_day"
    vi = "Hạn giải quyết khiếu nại về danh sách cử tri phải trước ngày bầu cử"
    en = "Complaints about the lists are settled before election day"


class PollingAreaEmpty(Invalid):
    code = "polling_area_empty"
    vi = "Khu vực bỏ phiếu cần ít nhất một tổ dân phố hoặc một tuyến đường"
    en = "A polling area needs at least one residential group or street"


class PollingAreaOtherCommune(Invalid):
    code = "polling_area_other_commune"
    vi = "Tổ dân phố hoặc tuyến đường không thuộc xã, phường của khu vực bỏ phiếu"
    en = "The residential group or street is not in the polling area's commune"


class PollingAreaOutsideElection(Invalid):
    code = "polling_area_outside_election"
    vi = "Xã, phường này không tham gia cuộc bầu cử"
    en = "This commune is not part of the election"


class PollingAreaCodeTaken(Conflict):
    code = "polling_area_code_taken"
    vi = "Số khu vực bỏ phiếu đã có trong xã, phường cho cuộc bầu cử này"
    en = "This polling area number is already used in the commune for this election"


class PollingAreaGroupTaken(Conflict):
    code = "polling_area_group_taken"
    vi = "Tổ dân phố đã thuộc một khu vực bỏ phiếu khác của cuộc bầu cử này"
    en = "The residential group is already in another polling area of this election"


class PollingAreaStreetTaken(Conflict):
    code = "polling_area_street_taken"
    vi = "Tuyến đường đã thuộc một khu vực bỏ phiếu khác của cuộc bầu cử này"
    en = "The street is already in another polling area of this election"


class PollingAreaInUse(Conflict):
    code = "polling_area_in_use"
    vi = "Khu vực bỏ phiếu đã có danh sách cử tri: không xoá được"
    en = "The polling area has a voter list: it cannot be deleted"


class ExclusionOutsideElection(Invalid):
    code = "exclusion_outside_election"
    vi = "Người này không cư trú trong địa bàn của cuộc bầu cử"
    en = "This person does not live where the election is held"


class ExclusionActive(Conflict):
    code = "exclusion_active"
    vi = "Người này đã bị xoá tên khỏi danh sách cử tri của cuộc bầu cử này"
    en = "This person is already excluded from this election"


class ExclusionRevoked(Conflict):
    code = "exclusion_revoked"
    vi = "Quyết định xoá tên đã được huỷ (đã khôi phục quyền bầu cử)"
    en = "The exclusion was already revoked (rights restored)"


# -- reconciliation -----------------------------------------------------------------------
class ReconciliationNotFound(NotFound):
    code = "reconciliation_not_found"
    vi = "Không tìm thấy lượt đối chiếu danh sách cử tri"
    en = "Reconciliation not found"


class DiscrepancyNotFound(NotFound):
    code = "discrepancy_not_found"
    vi = "Không tìm thấy sai lệch"
    en = "Discrepancy not found"


class ReconciliationRunning(Conflict):
    code = "reconciliation_running"
    vi = "Đang có một lượt đối chiếu của cuộc bầu cử cho địa bàn này"
    en = "A reconciliation of this election is already queued or running for this unit"
    vi_detail = "Chờ lượt đang chạy kết thúc rồi chạy lại."
    en_detail = "Wait for the running one to finish, then run it again."


class ReconciliationNoLists(Invalid):
    code = "reconciliation_no_lists"
    vi = "Địa bàn chưa có danh sách cử tri nào để đối chiếu"
    en = "No voter list has been imported for a polling area in this unit"


class DiscrepancyResolved(Conflict):
    code = "discrepancy_already_resolved"
    vi = "Sai lệch này đã được xử lý"
    en = "This discrepancy is already resolved"


class DiscrepancyOutdated(Conflict):
    code = "discrepancy_outdated"
    vi = "Sai lệch thuộc một lượt đối chiếu cũ: hãy xử lý trên lượt mới nhất"
    en = "The discrepancy belongs to an older run: resolve it on the latest one"


class VoterListFinalised(Conflict):
    code = "voter_list_finalised"
    vi = "Danh sách cử tri đã được chốt: không thay đổi được nữa"
    en = "The voter list is finalised: nothing of it may change any more"


class VoterListOpenDiscrepancies(Conflict):
    code = "voter_list_open_discrepancies"
    vi = "Danh sách cử tri còn sai lệch chưa xử lý"
    en = "The voter list still has open discrepancies"
    vi_detail = "Còn {open} sai lệch chưa xử lý trong lượt đối chiếu mới nhất."
    en_detail = "{open} discrepancies of the latest reconciliation are still open."


class VoterListNotReconciled(Conflict):
    code = "voter_list_not_reconciled"
    vi = "Danh sách cử tri chưa được đối chiếu với sổ hộ tịch"
    en = "The voter list has not been reconciled with the register yet"


class ResolutionActionNotAllowed(Invalid):
    code = "resolution_action_not_allowed"
    vi = "Cách xử lý không phù hợp với loại sai lệch"
    en = "This action does not fit the kind of discrepancy"
    vi_field = "Loại sai lệch {kind} chỉ xử lý bằng: {allowed}"
    en_field = "A {kind} discrepancy takes one of: {allowed}"
    vi_detail = vi_field
    en_detail = en_field


class LegalReasonRequired(Invalid):
    code = "resolution_legal_reason_required"
    vi = "Xoá tên khỏi danh sách cử tri phải nêu lý do theo luật"
    en = "Removing a name from the list needs its legal reason"


class LegalReasonNotAllowed(Invalid):
    code = "resolution_legal_reason_not_allowed"
    vi = "Chỉ nêu lý do theo luật khi xoá tên khỏi danh sách"
    en = "A legal reason goes only with remove_from_list"


UNIQUE_CONSTRAINTS: dict[str, type[Conflict]] = {
    "uq_polling_area_election_id_commune_id_code": PollingAreaCodeTaken,
    "uq_polling_area_unit_election_id_unit_id": PollingAreaGroupTaken,
    "uq_polling_area_street_election_id_street_id": PollingAreaStreetTaken,
    "uq_election_exclusion_election_id_resident_id_active": ExclusionActive,
    "uq_reconciliation_election_id_unit_id_active": ReconciliationRunning,
    "uq_discrepancy_resolution_election_id_key_live": DiscrepancyResolved,
}

# What the routes can answer (their documented responses).
ELECTION_CASES = (ElectionNotFound, ElectionAdminOnly, ElectionUnitLevel, ElectionUnitMismatch,
                  PostingAfterElection, AmendmentAfterVoting, ComplaintAfterElection,
                  UnitNotFound, FieldMissing, NullNotAllowed)
POLLING_AREA_CASES = (ElectionNotFound, PollingAreaNotFound, PollingAreaEmpty,
                      PollingAreaOtherCommune, PollingAreaOutsideElection, PollingAreaCodeTaken,
                      PollingAreaGroupTaken, PollingAreaStreetTaken, UnitNotFound, NotAGroup,
                      StreetNotFound, FieldMissing, NullNotAllowed)
DELETE_AREA_CASES = (PollingAreaNotFound, PollingAreaInUse)
EXCLUSION_CASES = (ElectionNotFound, ResidentNotFound, ExclusionOutsideElection,
                   ExclusionActive, FieldMissing)
REVOKE_CASES = (ExclusionNotFound, ExclusionRevoked)
ELIGIBILITY_CASES = (ElectionNotFound, PollingAreaNotFound, FieldMissing)


# -- voter lists ----------------------------------------------------------------------------
class VoterListNotFound(NotFound):
    code = "voter_list_not_found"
    vi = "Không tìm thấy danh sách cử tri"
    en = "Voter list not found"


class VoterListMappingNotFound(NotFound):
    code = "voter_list_mapping_not_found"
    vi = "Không tìm thấy bảng ghép cột đã lưu"
    en = "Saved column mapping not found"


class VoterListMappingUnknown(Invalid):
    code = "voter_list_mapping_unknown"
    vi = "Xã, phường của khu vực bỏ phiếu không có bảng ghép cột này"
    en = "The polling area's commune has no such saved column mapping"


class VoterListMappingTaken(Conflict):
    code = "voter_list_mapping_taken"
    vi = "Xã, phường đã có bảng ghép cột với tên này"
    en = "The commune already has a column mapping with this name"


class VoterListFieldUnknown(Invalid):
    code = "voter_list_field_unknown"
    vi = "Trường không có trong danh sách cử tri"
    en = "Not a field of a voter list"
    vi_field = ("Trường không có trong danh sách cử tri: {value} (dùng seq, full_name,"
                " birth_date, birth_year, sex, id_number, ethnicity, address, note)")
    en_field = ("Not a field of a voter list: {value} (use seq, full_name, birth_date,"
                " birth_year, sex, id_number, ethnicity, address, note)")


class VoterListColumnsInvalid(Invalid):
    code = "voter_list_columns_invalid"
    vi = "Bảng ghép cột phải là một đối tượng JSON: mỗi tiêu đề cột ứng với một trường"
    en = "The column mapping must be a JSON object: each header names a field"


class VoterListAreaRequired(Invalid):
    code = "voter_list_area_required"
    vi = "Nhập danh sách cử tri cần chọn khu vực bỏ phiếu (polling_area_id)"
    en = "A voter list import needs a polling_area_id"


class VoterBirthUnreadable(Invalid):
    code = "voter_birth_unreadable"
    vi = "Không đọc được ngày sinh"
    en = "Unreadable birth date"
    vi_detail = vi_field = ("Không đọc được ngày sinh: {value} (dùng DD/MM/YYYY, YYYY-MM-DD"
                            " hoặc năm sinh)")
    en_detail = en_field = "Unreadable birth date: {value} (use DD/MM/YYYY, YYYY-MM-DD or a year)"


class VoterRowDuplicate(Invalid):
    code = "voter_row_duplicate"
    vi = "Dòng trùng hoàn toàn với một dòng trước"
    en = "The row repeats an earlier row exactly"
    vi_detail = vi_field = "Dòng trùng hoàn toàn với dòng {first_line}"
    en_detail = en_field = "The row repeats line {first_line} exactly"


class VoterOtherCommune(Invalid):
    code = "voter_other_commune"
    vi = "Địa chỉ ghi xã, phường khác với khu vực bỏ phiếu"
    en = "The address names another commune than the polling area's"
    vi_detail = vi_field = "Địa chỉ ghi {value}, không phải xã, phường của khu vực bỏ phiếu"
    en_detail = en_field = "The address names {value}, not the polling area's commune"


class VoterSexBoth(Invalid):
    code = "voter_sex_both"
    vi = "Dòng ghi ở cả hai cột Nam và Nữ"
    en = "The row is marked under both Nam and Nữ"
    vi_detail = vi_field = ("Cột {column} chia Nam và Nữ: dòng ghi ở cả hai cột, không biết"
                            " giới tính")
    en_detail = en_field = ("Column {column} is split into Nam and Nữ: the row is marked"
                            " under both, the sex is unknown")


class VoterSexNone(Invalid):
    code = "voter_sex_none"
    vi = "Dòng không ghi ở cột Nam hay cột Nữ"
    en = "The row is marked under neither Nam nor Nữ"
    vi_detail = vi_field = ("Cột {column} chia Nam và Nữ: dòng không ghi ở cột nào, không biết"
                            " giới tính")
    en_detail = en_field = ("Column {column} is split into Nam and Nữ: the row is marked"
                            " under neither, the sex is unknown")


UNIQUE_CONSTRAINTS["uq_voter_list_mapping_commune_id_name"] = VoterListMappingTaken
VOTER_LIST_IMPORT_CASES = (PollingAreaNotFound, VoterListMappingUnknown, VoterListFieldUnknown,
                           VoterListColumnsInvalid, VoterListAreaRequired)
VOTER_LIST_READ_CASES = (VoterListNotFound, PollingAreaNotFound)
MAPPING_CASES = (VoterListMappingTaken, UnitNotFound, ElectionUnitLevel, FieldMissing)
RECONCILE_CASES = (ElectionNotFound, UnitNotFound, ReconciliationRunning,
                   ReconciliationNoLists, FieldMissing)
RESOLVE_CASES = (DiscrepancyNotFound, DiscrepancyResolved, DiscrepancyOutdated,
                 VoterListFinalised, ResolutionActionNotAllowed, LegalReasonRequired,
                 LegalReasonNotAllowed, FieldMissing)
FINALISE_CASES = (VoterListNotFound, VoterListFinalised, VoterListOpenDiscrepancies,
                  VoterListNotReconciled)
