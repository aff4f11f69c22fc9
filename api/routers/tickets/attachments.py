"""Tickets' attachments: upload an image or a PDF, list them, read one and its bytes, remove
one. Who reads the ticket reads its attachments, through the same view: a resident never
sees an internal one, nor learns that it exists."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from api.deps import Cursor, IfMatch, Limit, Storage, TicketsRead, TicketsWrite, UoW
from api.http import LOCATION, SuccessHeader, sends
from api.problems import responses
from domain.errors import CursorInvalid, InsufficientStorage
from domain.storage import BlobNotFound
from domain.tickets import attaching
from domain.tickets.errors import ATTACHMENT_CASES, AttachmentNotFound, TicketNotFound
from domain.tickets.models import TicketAttachment, Visibility
from domain.tickets.schemas import AttachmentPage, AttachmentRead
from domain.tickets.views import attachment_view

router = APIRouter(prefix="/api/v1", tags=["tickets"])
READ_ERRORS = responses(401, 403, 404, 422, 503, TicketNotFound, AttachmentNotFound,
                        CursorInvalid)
CONTENT_ERRORS = responses(401, 403, 404, 422, 503, TicketNotFound, AttachmentNotFound,
                           BlobNotFound)
WRITE_ERRORS = responses(401, 403, 404, 409, 413, 415, 422, 503, *ATTACHMENT_CASES,
                         InsufficientStorage)
DELETE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *ATTACHMENT_CASES)
CHUNK = 256 * 1024
# What the content route answers in: the kinds `domain/tickets/attachments.py` accepts.
MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")

FILE_ETAG = SuccessHeader(
    "ETag", "The SHA-256 of the stored file (attachments never change)",
    {"type": "string", "pattern": r'^"[0-9a-f]{64}"$',
     "examples": ['"9f2c4e0b7a1d3c5e8f6a2b4d9c0e1f3a5b7c9d2e4f6a8b0c1d3e5f7a9b2c4d6e"']})
DISPOSITION = SuccessHeader(
    "Content-Disposition", "`inline` for an image, `attachment` for a PDF, with the file's "
    "name (RFC 6266: an ASCII `filename` and the UTF-8 `filename*`)",
    {"type": "string", "examples": [
        "inline; filename=\"anh-chup-tin-nhan.jpg\"; "
        "filename*=UTF-8''%E1%BA%A3nh-ch%E1%BB%A5p-tin-nh%E1%BA%AFn.jpg"]})
NOSNIFF = SuccessHeader("X-Content-Type-Options", "`nosniff`: the type is the one given",
                        {"type": "string", "enum": ["nosniff"]})
SANDBOX = SuccessHeader("Content-Security-Policy", "`sandbox`: the file runs nothing",
                        {"type": "string", "enum": ["sandbox"]})
LENGTH = SuccessHeader("Content-Length", "The file's size in bytes",
                       {"type": "integer", "minimum": 0, "examples": [184302]})


def _content_answer() -> dict[int | str, dict[str, Any]]:
    """Bytes, not a JSON string: generated clients hand back the file as it was stored."""
    answer = sends(200, DISPOSITION, FILE_ETAG, NOSNIFF, SANDBOX, LENGTH,
                   description="The file, streamed")
    answer[200]["content"] = {
        media: {"schema": {"type": "string", "format": "binary", "contentMediaType": media}}
        for media in MEDIA_TYPES}
    return answer


def content_disposition(attachment: TicketAttachment) -> str:
    """RFC 6266: browsers show images in place and save PDFs; the name in UTF-8
    (`filename*`, RFC 8187) with an ASCII fallback for old clients."""
    kind = "inline" if attachment.media_type.startswith("image/") else "attachment"
    name = attachment.file_name
    stem, dot, extension = name.rpartition(".")  # the name always ends in the type's own
    folded = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if c.isascii() and c.isprintable() and c not in '"\\')
    fallback = f"{plain.strip(' .') or 'attachment'}{dot}{extension}"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def _chunks(file: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await file.read(CHUNK):
        yield chunk


@router.post("/tickets/{ticket_id:uuid}/attachments", operation_id="tickets_attach",
             summary="Attach an image or a PDF to a ticket", status_code=status.HTTP_201_CREATED,
             responses={**WRITE_ERRORS, **sends(201, LOCATION, FILE_ETAG)})
async def attach(
    ticket_id: uuid.UUID, request: Request, response: Response, uow: UoW, who: TicketsWrite,
    storage: Storage,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP image, or a PDF")],
    visibility: Annotated[Visibility, Form(description=(
        "public: the requester sees it; internal: staff only. Required, no default"))],
) -> AttachmentRead:
    """The type is judged from the content, never the name or the part's Content-Type (an
    executable renamed `.jpg` is a 415); images are stored re-encoded without their
    metadata (EXIF, GPS, XMP), turned upright; a PDF carrying JavaScript, a launch action
    or embedded files is refused. At most `MAX_ATTACHMENT_BYTES` (413). A closed ticket
    takes none (409 `ticket_closed`); residents attach public files only."""
    attachment = await attaching.attach_file(
        uow, who, ticket_id, visibility=visibility, given_name=file.filename,
        chunks=_chunks(file), storage=storage,
        max_bytes=request.app.state.settings.max_attachment_bytes)
    response.headers["Location"] = request.url_for(
        "tickets_attachment_get", ticket_id=ticket_id, attachment_id=attachment.id).path
    response.headers["ETag"] = attachment.etag
    return attachment_view(attachment, who)


@router.get("/tickets/{ticket_id:uuid}/attachments", operation_id="tickets_attachments",
            summary="A ticket's attachments", responses=READ_ERRORS)
async def list_attachments(ticket_id: uuid.UUID, uow: UoW, who: TicketsRead,
                           cursor: Cursor = None, limit: Limit = 50) -> AttachmentPage:
    """Oldest first; residents see the public ones only."""
    ticket = await uow.tickets.get(who, ticket_id)
    page = await uow.tickets.attachments(who, ticket, cursor=cursor, limit=limit)
    return AttachmentPage(items=[attachment_view(a, who) for a in page.items],
                          next_cursor=page.next_cursor)


@router.get("/tickets/{ticket_id:uuid}/attachments/{attachment_id:uuid}",
            operation_id="tickets_attachment_get", name="tickets_attachment_get",
            summary="Read one attachment's details",
            responses={**READ_ERRORS, **sends(200, FILE_ETAG)})
async def get_attachment(ticket_id: uuid.UUID, attachment_id: uuid.UUID, response: Response,
                         uow: UoW, who: TicketsRead) -> AttachmentRead:
    """Name, type, size, digest and who sent it; the bytes are at `.../content`."""
    ticket = await uow.tickets.get(who, ticket_id)
    attachment = await uow.tickets.attachment(who, ticket, attachment_id)
    response.headers["ETag"] = attachment.etag
    return attachment_view(attachment, who)


@router.get("/tickets/{ticket_id:uuid}/attachments/{attachment_id:uuid}/content",
            operation_id="tickets_attachment_content", summary="Download an attachment",
            response_class=StreamingResponse,
            responses={**_content_answer(), **CONTENT_ERRORS})
async def attachment_content(ticket_id: uuid.UUID, attachment_id: uuid.UUID, uow: UoW,
                             who: TicketsRead, storage: Storage) -> StreamingResponse:
    """The stored bytes, as they were cleaned on upload, with the type found then; served
    so that a browser neither guesses another type nor runs anything in it."""
    ticket = await uow.tickets.get(who, ticket_id)
    attachment = await uow.tickets.attachment(who, ticket, attachment_id)
    chunks = await storage.open(attachment.storage_key)  # 404 before any byte if gone
    return StreamingResponse(chunks, media_type=attachment.media_type, headers={
        "Content-Disposition": content_disposition(attachment),
        "Content-Length": str(attachment.size_bytes), "ETag": attachment.etag,
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, no-cache"})


@router.delete("/tickets/{ticket_id:uuid}/attachments/{attachment_id:uuid}",
               operation_id="tickets_attachment_delete", summary="Remove an attachment",
               status_code=status.HTTP_204_NO_CONTENT, responses=DELETE_ERRORS)
async def delete_attachment(ticket_id: uuid.UUID, attachment_id: uuid.UUID, uow: UoW,
                            who: TicketsWrite, storage: Storage,
                            if_match: IfMatch = None) -> Response:
    """Staff who may change the ticket, or the resident who sent it (403
    `ticket_attachment_not_yours` for another's). Not on a closed ticket (409). `If-Match`
    is the attachment's ETag (its `sha256` in quotes). The file is deleted from the
    storage once the removal is committed."""
    await attaching.remove_attachment(uow, who, ticket_id, attachment_id, storage=storage,
                                      if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
