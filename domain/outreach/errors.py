"""Campaigns and visits: what can go wrong, in both languages."""

from __future__ import annotations

from domain.accounts.errors import UserNotFound
from domain.errors import (
    DATE_CASES,
    Conflict,
    DateInFuture,
    DomainError,
    FieldMissing,
    Invalid,
    NotFound,
    NullNotAllowed,
    OffsetRequired,
)
from domain.register.errors import GUARDIAN_ERRORS, GuardianNotFound
from domain.units.errors import NotAGroup, StreetOtherCommune, UnitNotFound


class CampaignNotFound(NotFound):
    code = "campaign_not_found"
    vi = "Không tìm thấy chiến dịch"
    en = "Campaign not found"


class VisitNeedNotFound(NotFound):
    code = "visit_need_not_found"
    vi = "Không tìm thấy nhu cầu ghi nhận khi đến hộ"
    en = "Need raised at the door not found"


class CampaignNotDraft(Conflict):
    code = "campaign_not_draft"
    vi = "Chiến dịch đã bắt đầu: danh sách hộ đã cố định"
    en = "The campaign has started: its targets are frozen"


class CampaignNotActive(Conflict):
    code = "campaign_not_active"
    vi = "Chiến dịch không đang diễn ra (chưa bắt đầu hoặc đã kết thúc)"
    en = "The campaign is not active (not started or closed)"


class CampaignOneCommune(Invalid):
    code = "campaign_one_commune"
    vi = "Các tổ dân phố phải cùng một phường/xã"
    en = "All groups must be in one commune"


class CampaignDates(Invalid):
    code = "campaign_dates"
    vi = "Ngày kết thúc trước ngày bắt đầu"
    en = "The end is before the start"


class NotAWalker(Invalid):
    code = "not_a_walker"
    vi = "Người này không thể đi thăm hộ trong chiến dịch (vai trò hoặc địa bàn)"
    en = "This person cannot walk for the campaign (role or area)"


class HouseholdNotInCampaign(Invalid):
    code = "household_not_in_campaign"
    vi = "Hộ không thuộc chiến dịch"
    en = "The household is not a target of the campaign"


class HouseholdNotInWalkList(NotFound):
    code = "household_not_in_walk_list"
    vi = "Hộ không có trong danh sách đi thăm của bạn"
    en = "The household is not on your walk list"


class CampaignTooLong(Invalid):
    code = "campaign_too_long"
    vi = "Chiến dịch kéo dài quá hai năm"
    en = "A campaign lasts two years at most"


class FollowUpBeforeVisit(Invalid):
    code = "follow_up_before_visit"
    vi = "Ngày hẹn quay lại trước ngày thăm"
    en = "The follow-up is before the visit"


class VisitBeforeCampaign(Invalid):
    code = "visit_before_campaign"
    vi = "Thời điểm thăm trước khi chiến dịch bắt đầu"
    en = "The visit is before the campaign"


class ResidentNotInHousehold(Invalid):
    code = "resident_not_in_household"
    vi = "Người này không thuộc hộ được thăm"
    en = "This resident is not in the visited household"


class ClientVisitIdReused(Invalid):
    code = "client_visit_id_reused"
    vi = "Mã lượt thăm đã dùng cho một nội dung khác"
    en = "This visit id was sent with another body"


UNIQUE_CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_visit_campaign_id_client_visit_id": ClientVisitIdReused,
}
REFERENCES: dict[str, tuple[str, ...]] = {
    "fk_visit_household_id_household": ("body", "household_id"),
    "fk_visit_need_resident_id_resident": ("body", "needs"),
    "fk_campaign_household_volunteer_id_user_account": ("body", "volunteer_id"),
}

# What the routes of each part can answer (their documented responses).
CAMPAIGN_CASES: tuple[type[DomainError], ...] = (
    CampaignNotFound, CampaignNotDraft, CampaignNotActive, CampaignOneCommune, CampaignDates,
    NotAWalker, HouseholdNotInCampaign, HouseholdNotInWalkList, VisitBeforeCampaign,
    ResidentNotInHousehold, ClientVisitIdReused, NotAGroup, StreetOtherCommune, UnitNotFound,
    UserNotFound, DateInFuture, OffsetRequired, FieldMissing, NullNotAllowed, CampaignTooLong,
    FollowUpBeforeVisit, *DATE_CASES, GuardianNotFound, *GUARDIAN_ERRORS.values(),
)
