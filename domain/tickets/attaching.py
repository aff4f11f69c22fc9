"""Use cases of tickets' attachments: attach a file, remove one.

The bytes live in the blob storage (`domain/storage.py`), the row that names them in the
database, and the two must not drift apart. A file is stored before its row, and the unit
of work deletes it again if the row is not committed in the end (`uow.on_rollback`: a
refused write, a conflict, a database gone at COMMIT); a removed row's file goes once the
delete is committed (`uow.after_commit`), so a failed COMMIT leaves both. At worst (the
process dies between the two) a file is left that no row names, never a row without its
file."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
import uuid
from collections.abc import AsyncIterable

from domain.access import Principal
from domain.concurrency import check_if_match
from domain.ports import UnitOfWork
from domain.storage import BlobStorage, new_key
from domain.tickets.attachments import check_attachment, read_limited
from domain.tickets.errors import AttachmentNotYours, TicketClosed, TicketStaffOnly
from domain.tickets.models import (
    EventKind,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketStatus,
    Visibility,
)
from domain.tickets.views import PUBLIC_ONLY

log = logging.getLogger("tickets.attachments")
MAX_NAME = 200
# Path separators, and what Windows refuses in a name (a download is saved under it).
_UNSAFE = re.compile(r'[/\\<>:"|?*]')


def file_name(given: str | None, extension: str) -> str:
    """The name to keep and serve: NFC, the last part of a path, no control or format
    characters (a right-to-left override makes `gpj.exe` read as `exe.jpg`), at most
    `MAX_NAME` characters, ending in the extension of the type found in the content
    (`scam.exe` that is a JPEG is `scam.jpg`); `attachment<ext>` when nothing is left."""
    name = unicodedata.normalize("NFC", given or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _UNSAFE.sub("", name).strip(" .")
    stem = name.rsplit(".", 1)[0].strip(" .") if "." in name else name
    stem = stem[:MAX_NAME - len(extension)].rstrip(" .")
    return (stem or "attachment") + extension


def _check_open(ticket: Ticket) -> None:
    if ticket.status == TicketStatus.closed:
        raise TicketClosed()


async def attach_file(uow: UnitOfWork, who: Principal, ticket_id: uuid.UUID, *,
                      visibility: Visibility, given_name: str | None,
                      chunks: AsyncIterable[bytes], storage: BlobStorage,
                      max_bytes: int) -> TicketAttachment:
    """A public file (the requester sees it) or an internal one (staff only); a closed
    ticket takes none. The type is judged from the bytes; images are stored without their
    metadata (a photo's GPS position among it)."""
    ticket = await uow.tickets.get_writable(who, ticket_id, for_update=True)
    if visibility == Visibility.internal and who.role in PUBLIC_ONLY:
        raise TicketStaffOnly()
    _check_open(ticket)
    data = await read_limited(chunks, max_bytes=max_bytes)
    # Decoding and re-encoding an image is CPU work: off the event loop.
    checked = await asyncio.to_thread(check_attachment, data, max_bytes=max_bytes)
    del data
    key = new_key()
    stored = await storage.put(key, checked.content)

    async def forget_file() -> None:
        await storage.delete(key)
        log.warning("attachment not recorded; its stored file was deleted",
                    extra={"storage_key": key})

    uow.on_rollback(forget_file)
    attachment = TicketAttachment(
        ticket_id=ticket.id, storage_key=key,
        file_name=file_name(given_name, checked.extension), media_type=checked.media_type,
        size_bytes=stored.size, sha256=stored.sha256, width=checked.width,
        height=checked.height, visibility=visibility, uploaded_by_id=who.subject_id,
        uploaded_by_name=who.name)
    await uow.tickets.add_attachment(attachment)
    await uow.tickets.add_event(TicketEvent(
        ticket_id=ticket.id, kind=EventKind.attachment, visibility=visibility,
        note=attachment.file_name, actor_id=who.subject_id, actor_name=who.name))
    await uow.audit.record(who, "ticket.attach", "ticket", [ticket.id],
                           attachment_id=str(attachment.id), media_type=checked.media_type,
                           size_bytes=stored.size, visibility=str(visibility))
    await uow.commit()
    return attachment


async def remove_attachment(uow: UnitOfWork, who: Principal, ticket_id: uuid.UUID,
                            attachment_id: uuid.UUID, *, storage: BlobStorage,
                            if_match: str | None) -> None:
    """Staff who may change the ticket, or a resident their own file; its stored bytes go
    once the removal is committed."""
    ticket = await uow.tickets.get_writable(who, ticket_id, for_update=True)
    attachment = await uow.tickets.attachment(who, ticket, attachment_id)
    if who.role in PUBLIC_ONLY and attachment.uploaded_by_id != who.subject_id:
        raise AttachmentNotYours()
    _check_open(ticket)
    check_if_match(attachment, if_match)
    key = attachment.storage_key
    await uow.tickets.delete_attachment(attachment)
    await uow.audit.record(who, "ticket.attachment_delete", "ticket", [ticket.id],
                           attachment_id=str(attachment_id),
                           visibility=str(attachment.visibility))

    async def delete_file() -> None:
        await storage.delete(key)

    uow.after_commit(delete_file)
    await uow.commit()
