"""Ticket categories: what residents ask about, with default teams and SLA targets."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from api.deps import Cursor, IfMatch, Limit, TicketCategoriesManage, TicketsRead, UoW
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from domain.errors import CursorInvalid
from domain.tickets import service
from domain.tickets.errors import CATEGORY_CASES, TicketCategoryNotFound
from domain.tickets.models import CategoryKind
from domain.tickets.schemas import CategoryCreate, CategoryPage, CategoryRead, CategoryUpdate

router = APIRouter(prefix="/api/v1", tags=["tickets"])
READ_ERRORS = responses(401, 403, 404, 422, 503, TicketCategoryNotFound, CursorInvalid)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *CATEGORY_CASES)


@router.get("/ticket-categories", operation_id="ticket_categories_list",
            summary="List ticket categories", responses=READ_ERRORS)
async def list_categories(uow: UoW, who: TicketsRead, kind: CategoryKind | None = None,
                          active: bool | None = None, cursor: Cursor = None,
                          limit: Limit = 50) -> CategoryPage:
    """The global categories and those of your commune, by `code`."""
    page = await uow.ticket_categories.list(who, kind=kind, active=active, cursor=cursor,
                                            limit=limit)
    return CategoryPage(items=page.items, next_cursor=page.next_cursor)


@router.post("/ticket-categories", operation_id="ticket_categories_create",
             summary="Add a ticket category", status_code=status.HTTP_201_CREATED,
             responses={**WRITE_ERRORS, **CREATED})
async def create_category(request: Request, response: Response, uow: UoW,
                          who: TicketCategoriesManage, body: CategoryCreate) -> CategoryRead:
    """For your commune (`commune_id`); global categories are the admins'."""
    category = await service.create_category(uow, who, data=body)
    created(request, response, category, "ticket_categories_get", category_id=category.id)
    return CategoryRead.model_validate(category)


@router.get("/ticket-categories/{category_id:uuid}", operation_id="ticket_categories_get",
            name="ticket_categories_get", summary="Read one ticket category",
            responses={**READ_ERRORS, **WITH_ETAG})
async def get_category(category_id: uuid.UUID, response: Response, uow: UoW,
                       who: TicketsRead) -> CategoryRead:
    category = await uow.ticket_categories.get(who, category_id)
    with_etag(response, category)
    return CategoryRead.model_validate(category)


@router.patch("/ticket-categories/{category_id:uuid}", operation_id="ticket_categories_update",
              summary="Change a ticket category", responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_category(category_id: uuid.UUID, body: CategoryUpdate, response: Response,
                          uow: UoW, who: TicketCategoriesManage,
                          if_match: IfMatch = None) -> CategoryRead:
    """`active: false` retires it: no new ticket takes it, the old ones keep it."""
    category = await service.update_category(uow, who, category_id, data=body,
                                             if_match=if_match)
    with_etag(response, category)
    return CategoryRead.model_validate(category)
