"""The documents of the Open311 GeoReport v2 face (wiki.open311.org/GeoReport_v2), and the
form of a posted request, with their examples."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as Body

from domain.examples import examples
from domain.register.schemas import RawPhone
from domain.tickets.schemas import Email, Latitude, Longitude
from domain.types import Note, line

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

_SERVICE = {"service_code": "vneid", "service_name": "Hỗ trợ VNeID",
            "description": "VNeID help", "metadata": False, "type": "realtime",
            "keywords": "app_help, vneid", "group": "app_help"}
_REQUEST = {
    "service_request_id": "3F2A9C1E", "status": "closed",
    "status_notes": "Đã giải quyết: đã trả lời", "service_name": "Hỗ trợ VNeID",
    "service_code": "vneid", "description": "Không kích hoạt được VNeID mức 2.",
    "agency_responsible": "Phường Bình Định", "service_notice": None,
    "requested_datetime": "2026-01-11T08:30:00+07:00",
    "updated_datetime": "2026-01-12T09:15:00+07:00",
    "expected_datetime": "2026-01-13T08:30:00+07:00", "address": "12 Trần Phú",
    "address_id": None, "zipcode": None, "lat": 13.8905, "long": 109.1125, "media_url": None}


class Service(BaseModel):
    """A service: one active ticket category."""

    service_code: str
    service_name: str
    description: str | None
    metadata: bool = Body(description="Always false: no attributes beyond the standard fields")
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str | None
    group: str | None

    model_config = ConfigDict(json_schema_extra=examples(_SERVICE))


class ServiceDefinition(BaseModel):
    """The attributes of a service: none beyond GeoReport's standard fields."""

    service_code: str
    attributes: list[dict] = Body(description="Always empty")

    model_config = ConfigDict(json_schema_extra=examples(
        {"service_code": "vneid", "attributes": []}))


class ServiceRequest(BaseModel):
    """A request: one ticket, as the public may see it."""

    service_request_id: str = Body(description="The ticket's code")
    status: Literal["open", "closed"]
    status_notes: str | None = Body(description="The detailed status and outcome")
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str | None = Body(description="The commune (ward) handling it")
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str | None
    expected_datetime: str | None = Body(description="When the resolution is due")
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None = Body(description="Always null: attachments are not served here")

    model_config = ConfigDict(json_schema_extra=examples(_REQUEST))


class ServiceRequestCreated(BaseModel):
    """The answer to a posted request: its id at once (no token step)."""

    service_request_id: str
    service_notice: str | None
    account_id: str | None

    model_config = ConfigDict(json_schema_extra=examples(
        {"service_request_id": "3F2A9C1E", "service_notice": "Phường sẽ phản hồi trong 4 giờ"
         " làm việc.", "account_id": None}))


class Endpoint(BaseModel):
    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class Discovery(BaseModel):
    """Where the GeoReport v2 endpoint is and what it speaks."""

    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]

    model_config = ConfigDict(json_schema_extra=examples({
        "changeset": "2026-12-01T00:00:00+07:00",
        "contact": "Ủy ban nhân dân phường: liên hệ cán bộ phụ trách Tuyến đường số",
        "key_service": "api_key: <client_id>.<secret> of a service account",
        "endpoints": [{"specification": SPECIFICATION,
                       "url": "https://digital-street.example/open311/v2",
                       "changeset": "2026-12-01T00:00:00+07:00", "type": "production",
                       "formats": ["application/json", "application/xml"]}]}))


class GeoReportError(BaseModel):
    """One error of GeoReport's error list."""

    code: int = Body(description="The HTTP status")
    description: str

    model_config = ConfigDict(json_schema_extra=examples(
        {"code": 403, "description": "api_key không hợp lệ hoặc đã bị thu hồi"}))


Name = line(100)


class ServiceRequestForm(BaseModel):
    """POST Service Request, form-encoded as GeoReport v2 writes it. `attribute[...]`,
    `jurisdiction_id`, `address_id`, `device_id`, `account_id` and `media_url` are taken
    and not kept (no attributes, one jurisdiction, no address register, no media)."""

    api_key: str | None = Body(default=None, max_length=400,
                               description="<client_id>.<secret>; may be in the query too")
    service_code: str = Body(max_length=40)
    lat: Latitude | None = None
    long: Longitude | None = None
    address_string: line(300) | None = None
    address_id: str | None = Body(default=None, max_length=100)
    email: Email | None = None
    device_id: str | None = Body(default=None, max_length=200)
    account_id: str | None = Body(default=None, max_length=200)
    first_name: Name | None = None
    last_name: Name | None = None
    phone: RawPhone | None = None
    description: Note | None = None
    media_url: str | None = Body(default=None, max_length=2000)
    jurisdiction_id: str | None = Body(default=None, max_length=200)

    model_config = ConfigDict(extra="ignore", json_schema_extra=examples({
        "api_key": "svc_1a2b3c4d.Zm9yLWV4YW1wbGUtb25seS1ub3QtYS1zZWNyZXQ",
        "service_code": "vneid", "lat": 13.8905, "long": 109.1125,
        "address_string": "12 Trần Phú", "description": "Không kích hoạt được VNeID mức 2.",
        "email": "an.nguyen@example.vn", "first_name": "An", "last_name": "Nguyễn",
        "phone": "0912345678"}))


