"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) over tickets, for existing Open311
clients and city dashboards: services are ticket categories, requests are tickets.

Every path ends in `.json` or `.xml` (any other format: 404). Errors are GeoReport's own
list (`api/georeport.py`), never problem+json. `api_key` is `<client_id>.<secret>` of a
service account: discovery and services need none; requests (a ward's data) need one with
`tickets:read` to read and `tickets:write` to post, and show only its units' tickets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request, Response
from fastapi.security import APIKeyQuery

from api import georeport
from api.deps import Policy, UoW
from api.http import LOCATION, sends
from api.problems import language
from domain.access import Permission, Principal
from domain.service_errors import UnsupportedMediaType
from domain.tickets.errors import (
    OPEN311_CREATE_CASES,
    OPEN311_GET_CASES,
    OPEN311_LIST_CASES,
    OPEN311_SERVICE_CASES,
    Open311FormatUnknown,
    Open311KeyInvalid,
    Open311KeyScope,
    Open311ServiceNotFound,
)
from domain.tickets.models import Ticket
from domain.tickets.open311 import service as open311
from domain.tickets.open311.schemas import (
    SPECIFICATION,
    Discovery,
    GeoReportError,
    Service,
    ServiceDefinition,
    ServiceRequest,
    ServiceRequestCreated,
    ServiceRequestForm,
)
from domain.tickets.views import public_audience, ticket_view
from repositories.accounts import BearerLookup

router = APIRouter(prefix="/open311/v2", tags=["open311"])
CHANGESET = "2026-12-01T00:00:00+07:00"  # when this endpoint last changed

API_KEY = APIKeyQuery(
    name="api_key", scheme_name="open311_api_key", auto_error=False,
    description="`<client_id>.<secret>` of a service account; in the query, or as the "
                "`api_key` field of a posted form. Its scopes and units apply.")


async def _format(format: Annotated[str, Path(  # GeoReport's name for it
        description="`json` or `xml`", json_schema_extra={"enum": list(georeport.FORMATS)})]
                  ) -> str:
    if format not in georeport.FORMATS:
        raise Open311FormatUnknown()
    return format


Format = Annotated[str, Depends(_format)]


async def _key(request: Request, key: str | None) -> str | None:
    if key is None and request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            value = (await request.form()).get("api_key")  # parsed once, cached by Starlette
            key = value if isinstance(value, str) else None
    return key


def api_key(permission: Permission, *, required: bool = True):
    """The caller an `api_key` names, holding `permission`; with `required=False`, None
    when no key was sent."""

    async def dependency(request: Request, uow: UoW,
                         key: Annotated[str | None, Depends(API_KEY)]) -> Principal | None:
        key = await _key(request, key)
        if key is None and not required:
            return None
        state = request.app.state
        who = await state.api_keys.principal(key, uow.service_accounts,
                                             BearerLookup(state.direct))
        if not who.can(permission):
            raise Open311KeyScope(scope=permission.value)
        return who

    if required:  # read by the docs' matrix (api/permissions.py)
        dependency.__api_key_permission__ = permission  # type: ignore[attr-defined]
    return dependency


ServicesCaller = Annotated[Principal | None, Depends(api_key(Permission.tickets_read,
                                                             required=False))]
Reader = Annotated[Principal, Depends(api_key(Permission.tickets_read))]
Poster = Annotated[Principal, Depends(api_key(Permission.tickets_write))]


def _lang(request: Request) -> str:
    return language(request.headers.get("accept-language"))


_READ = georeport.responses(400, 404, 503, *OPEN311_SERVICE_CASES)
_KEYED = (400, 403, 404, 503, Open311KeyInvalid)


@router.get("/discovery.{format}", operation_id="open311_discovery",
            summary="GeoReport v2 service discovery", response_model=Discovery,
            responses={**georeport.answers(Discovery, "discovery", many=False),
                       **georeport.responses(400, 404, 503, Open311FormatUnknown)})
async def discovery(request: Request, fmt: Format) -> Response:
    """Public. Where this endpoint is, its formats and how to get a key."""
    base = str(request.base_url).rstrip("/") + router.prefix
    document = Discovery(
        changeset=CHANGESET,
        contact="Ủy ban nhân dân phường/xã: cán bộ phụ trách Tuyến đường số",
        key_service="api_key: <client_id>.<secret> của một tài khoản dịch vụ (cấp bởi quản"
                    " trị viên, /api/v1/service-accounts)",
        endpoints=[{"specification": SPECIFICATION, "url": base,
                    "changeset": CHANGESET, "type": "production",
                    "formats": [georeport.JSON, georeport.XML]}])
    return georeport.render(fmt, "discovery", document)


@router.get("/services.{format}", operation_id="open311_services_list",
            summary="GeoReport v2 service list (ticket categories)",
            response_model=list[Service],
            responses={**georeport.answers(Service, "services", many=True),
                       **georeport.responses(*_KEYED, *OPEN311_SERVICE_CASES,
                                             Open311KeyScope)},
            openapi_extra={"security": [{}]})
async def list_services(uow: UoW, fmt: Format, who: ServicesCaller) -> Response:
    """The active categories: without `api_key` the global ones, with one also those of
    its communes. `metadata` is always false: no attributes beyond the standard fields."""
    categories = await uow.ticket_categories.services(who)
    return georeport.render(fmt, "services", [open311.service_of(c) for c in categories])


@router.get("/services/{service_code}.{format}", operation_id="open311_services_get",
            summary="GeoReport v2 service definition", response_model=ServiceDefinition,
            responses={**georeport.answers(ServiceDefinition, "service_definition",
                                           many=False),
                       **georeport.responses(*_KEYED, *OPEN311_SERVICE_CASES,
                                             Open311KeyScope)},
            openapi_extra={"security": [{}]})
async def get_service(uow: UoW, fmt: Format, who: ServicesCaller,
                      service_code: Annotated[str, Path(max_length=40)]) -> Response:
    """A listed service's definition: its attributes, always none (404 for a code not
    listed to you)."""
    found = [c for c in await uow.ticket_categories.services(who) if c.code == service_code]
    if not found:
        raise Open311ServiceNotFound(service_code=service_code)
    return georeport.render(fmt, "service_definition",
                            ServiceDefinition(service_code=service_code, attributes=[]))


async def _requests(uow, who: Principal, tickets: list[Ticket], lang: str
                    ) -> list[ServiceRequest]:
    categories = await uow.ticket_categories.by_ids({t.category_id for t in tickets})
    communes = {u.id: u.name for u in await uow.units.by_ids({t.commune_id for t in tickets})}
    public = public_audience(who)  # the view decides what leaves, as for the public
    return [open311.request_of(ticket_view(t, public), categories.get(t.category_id),
                               communes.get(t.commune_id), lang) for t in tickets]


@router.get("/requests.{format}", operation_id="open311_requests_list",
            summary="GeoReport v2 service requests (tickets)",
            response_model=list[ServiceRequest],
            responses={**georeport.answers(ServiceRequest, "service_requests", many=True),
                       **georeport.responses(*_KEYED, *OPEN311_LIST_CASES)})
async def list_requests(
    request: Request, uow: UoW, fmt: Format, who: Reader,
    service_request_id: Annotated[str | None, georeport.query(
        "Ticket codes, comma separated; when given, the other filters do not apply")] = None,
    service_code: Annotated[str | None, georeport.query(
        "Service codes, comma separated")] = None,
    start_date: Annotated[str | None, georeport.query(
        "W3C datetime, e.g. 2026-01-01T00:00:00Z; opened at or after")] = None,
    end_date: Annotated[str | None, georeport.query(
        "W3C datetime; opened at or before (at most 90 days after start_date)")] = None,
    status: Annotated[str | None, georeport.query("`open`, `closed` or both")] = None,
) -> Response:
    """Needs an `api_key` with `tickets:read`: a ward's requests are not public. Its units'
    tickets, latest first, at most 1000; by default those opened in the last 90 days.
    `closed` is resolved or closed, the detail in `status_notes`; no comment, contact or
    resident id is ever shown."""
    codes = open311.codes(service_request_id)
    start = end = None
    states = None
    if not codes:
        start, end = open311.window(start_date, end_date)
        states = open311.statuses(status)
    tickets = await uow.tickets.open311(
        who, codes=codes, service_codes=open311.codes(service_code), start=start, end=end,
        statuses=states, limit=open311.MAX_REQUESTS)
    return georeport.render(fmt, "service_requests",
                            await _requests(uow, who, tickets, _lang(request)))


@router.get("/requests/{service_request_id}.{format}", operation_id="open311_requests_get",
            name="open311_requests_get",
            summary="GeoReport v2 one service request", response_model=list[ServiceRequest],
            responses={**georeport.answers(ServiceRequest, "service_requests", many=True),
                       **georeport.responses(*_KEYED, *OPEN311_GET_CASES)})
async def get_request(request: Request, uow: UoW, fmt: Format, who: Reader,
                      service_request_id: Annotated[str, Path(max_length=40)]) -> Response:
    """Needs an `api_key` with `tickets:read`. A list of one, as GeoReport answers; a ticket
    outside the key's units is a 404 as if it did not exist."""
    ticket = await uow.tickets.by_code(who, service_request_id)
    return georeport.render(fmt, "service_requests",
                            await _requests(uow, who, [ticket], _lang(request)))


async def _form_only(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        raise UnsupportedMediaType()


@router.post("/requests.{format}", operation_id="open311_requests_create",
             summary="GeoReport v2 post a service request", status_code=201,
             response_model=list[ServiceRequestCreated],
             responses={**georeport.answers(ServiceRequestCreated, "service_requests",
                                            many=True, status=201,
                                            headers=sends(201, LOCATION)),
                        **georeport.responses(*_KEYED, 413, 415, *OPEN311_CREATE_CASES)},
             dependencies=[Depends(_form_only)])
async def create_request(request: Request, uow: UoW, fmt: Format, who: Poster,
                         body: Annotated[ServiceRequestForm, Form()],
                         policy: Policy) -> Response:
    """Form-encoded, as GeoReport v2 posts: `api_key` (a service account with
    `tickets:write` and exactly one residential group or commune), `service_code`, a
    location (`lat` and `long`, or `address_string`), the requester (`first_name` or
    `last_name`, and `phone`; `email` is kept too) and `description`. A ticket of the
    citizen app channel; its code is the `service_request_id` at once (no token)."""
    ticket, category = await open311.post_request(uow, who, data=body, policy=policy)
    location = request.url_for("open311_requests_get", service_request_id=ticket.code,
                               format=fmt).path
    answer = ServiceRequestCreated(service_request_id=ticket.code, account_id=None,
                                   service_notice=open311.service_notice(category,
                                                                         _lang(request)))
    return georeport.render(fmt, "service_requests", [answer], 201, {"Location": location})


__all__ = ["GeoReportError", "router"]
