"""Administrative units and streets: what can go wrong, in both languages."""

from __future__ import annotations

from domain.errors import Conflict, FieldMissing, Invalid, NotFound, NullNotAllowed


class UnitNotFound(NotFound):
    code = "unit_not_found"
    vi = "Không tìm thấy đơn vị hành chính"
    en = "Administrative unit not found"
    vi_detail = "Không có đơn vị {unit_id}."
    en_detail = "There is no unit {unit_id}."


class UnitCodeTaken(Conflict):
    code = "unit_code_taken"
    vi = "Mã đơn vị đã được dùng"
    en = "Unit code already in use"
    vi_detail = "Mã {code_value} đã thuộc về đơn vị khác."
    en_detail = "Code {code_value} belongs to another unit."


class UnitCodeRetired(Conflict):
    """The code belonged to a unit that was deleted or took another code."""

    code = "unit_code_retired"
    vi = "Mã đơn vị đã từng được dùng và không được cấp lại"
    en = "This unit code was used before and is never given again"
    vi_detail = ("Mã {code_value} đã được dùng cho {unit_name}; mã đơn vị hành chính không bao"
                 " giờ được dùng lại (Quyết định 19/2025/QĐ-TTg).")
    en_detail = ("Code {code_value} was used by {unit_name}; administrative unit codes are"
                 " never reused (Decision 19/2025/QĐ-TTg).")


class UnitCodeInvalid(Invalid):
    code = "unit_code_invalid"
    vi = "Mã đơn vị sai định dạng"
    en = "Wrong unit code format"
    vi_detail = "Tỉnh có mã 2 chữ số, xã/phường 5 chữ số, tổ dân phố không có mã (cấp: {level})."
    en_detail = "Provinces take a 2-digit code, communes 5 digits, groups none (level: {level})."


class UnitParentInvalid(Invalid):
    code = "unit_parent_invalid"
    vi = "Đơn vị cấp trên không phù hợp"
    en = "Wrong parent unit"
    vi_detail = "Đơn vị loại {kind} phải trực thuộc đơn vị loại {expected}."
    en_detail = "A unit of kind {kind} must sit under a unit of kind {expected}."


class UnitHasChildren(Conflict):
    code = "unit_has_children"
    vi = "Đơn vị còn đơn vị trực thuộc"
    en = "Unit still has units below it"
    vi_detail = "Hãy xoá hoặc chuyển các đơn vị trực thuộc trước."
    en_detail = "Delete or move the units below it first."


class UnitUnknown(Invalid):
    code = "unit_unknown"
    vi = "Đơn vị không tồn tại"
    en = "Unknown unit"
    vi_detail = "Không có đơn vị {unit_id}."
    en_detail = "There is no unit {unit_id}."


class NotAGroup(Invalid):
    code = "not_a_group"
    vi = "Đơn vị này không phải tổ dân phố/thôn"
    en = "This unit is not a residential group"


class StreetNotFound(NotFound):
    code = "street_not_found"
    vi = "Không tìm thấy tuyến đường"
    en = "Street not found"


class StreetNameTaken(Conflict):
    code = "street_name_taken"
    vi = "Tên đường đã có trong phường/xã"
    en = "Street already exists in commune"


class StreetOtherCommune(Invalid):
    code = "street_other_commune"
    vi = "Tuyến đường không thuộc phường/xã của hộ"
    en = "The street is in another commune"



class StreetInUse(Conflict):
    code = "street_in_use"
    vi = "Tuyến đường còn hộ gia đình"
    en = "Households still sit on this street"


# Unique constraints (see the migrations) and the case each one means.
UNIQUE_CONSTRAINTS: dict[str, type[Conflict]] = {
    "uq_admin_unit_code": UnitCodeTaken,
    "uq_street_commune_id_name_folded": StreetNameTaken,
}
# Foreign keys whose column a client sends, and where in the request it sits.
REFERENCES: dict[str, tuple[str, ...]] = {
    "fk_admin_unit_parent_id_admin_unit": ("body", "parent_id"),
    "fk_street_commune_id_admin_unit": ("body", "commune_id"),
}

# What the units' and streets' writes can answer (the routes' documented responses).
UNIT_CASES = (
    UnitNotFound, StreetNotFound, UnitCodeTaken, UnitCodeRetired, UnitCodeInvalid,
    UnitParentInvalid, UnitHasChildren, StreetNameTaken, StreetInUse, FieldMissing, NullNotAllowed,
)
