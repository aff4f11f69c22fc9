"""Announcements: what can go wrong, in both languages."""

from __future__ import annotations

from domain.errors import (
    Conflict,
    DateInFuture,
    DatetimeOutOfRange,
    FieldMissing,
    Forbidden,
    Invalid,
    NotFound,
    NullNotAllowed,
    OffsetRequired,
)
from domain.register.errors import HouseholdNotFound


class AnnouncementNotFound(NotFound):
    code = "announcement_not_found"
    vi = "Không tìm thấy thông báo"
    en = "Announcement not found"


class AnnouncementPublished(Conflict):
    code = "announcement_published"
    vi = "Thông báo đã phát hành: không sửa được nữa (có thể thu hồi)"
    en = "The announcement is published: it can no longer be changed (withdraw it instead)"


class AnnouncementWithdrawn(Conflict):
    code = "announcement_withdrawn"
    vi = "Thông báo đã bị thu hồi"
    en = "The announcement was withdrawn"


class AnnouncementOneCommune(Invalid):
    code = "announcement_one_commune"
    vi = "Các đơn vị nhận thông báo phải cùng một phường/xã"
    en = "All target units must be in one commune"


class AnnouncementUnitLevel(Invalid):
    code = "announcement_unit_level"
    vi = "Chỉ gửi thông báo tới tổ dân phố/thôn hoặc cả phường/xã"
    en = "Announcements go to residential groups or a whole commune"


class AnnouncementOutsideScope(Forbidden):
    code = "announcement_outside_scope"
    vi = "Có đơn vị nhận thông báo nằm ngoài địa bàn của bạn"
    en = "Some target units are outside your own units"


class AnnouncementCategoryForbidden(Forbidden):
    code = "announcement_category_forbidden"
    vi = "Bạn không được phát thông báo loại này"
    en = "You may not issue this kind of announcement"
    vi_detail = ("Vai trò của bạn chỉ phát được cảnh báo lừa đảo (fraud_warning), không phải"
                 " {category}.")
    en_detail = "Your role issues fraud warnings (fraud_warning) only, not {category}."


class PublishAtPast(Invalid):
    code = "publish_at_past"
    vi = "Thời điểm phát hành đã qua; hãy chọn bây giờ hoặc sau này"
    en = "The publication time has passed; choose now or later"


class PublishAtTooFar(Invalid):
    code = "publish_at_too_far"
    vi = "Chỉ hẹn giờ phát hành trong vòng một năm tới"
    en = "An announcement is scheduled at most a year ahead"


class DeliveredBeforePublish(Invalid):
    code = "delivered_before_publish"
    vi = "Thời điểm báo tin trước khi thông báo phát hành"
    en = "Delivered before the announcement was published"


REFERENCES: dict[str, tuple[str, ...]] = {
    "fk_announcement_delivery_household_id_household": ("body", "household_id"),
}

# What the routes can answer (their documented responses).
ANNOUNCEMENT_CASES = (
    AnnouncementNotFound, AnnouncementPublished, AnnouncementWithdrawn, AnnouncementOneCommune,
    AnnouncementUnitLevel, AnnouncementOutsideScope, AnnouncementCategoryForbidden,
    FieldMissing, NullNotAllowed, PublishAtPast, PublishAtTooFar, DatetimeOutOfRange,
    OffsetRequired,
)
DELIVERY_CASES = (AnnouncementNotFound, HouseholdNotFound, DateInFuture, DeliveredBeforePublish,
                  DatetimeOutOfRange, OffsetRequired)
