"""What a caller may see of tickets: the one declaration of it.

Internal notes never reach the people the tickets are for: `COMMENT`, `EVENT` and
`ATTACHMENT` hide their internal rows from `PUBLIC_ONLY`, and a transition's staff note from
them too. Every way out (the comments list, the timeline, a ticket, a list page, the
attachments and their bytes, and later Open311,
exports and webhooks) reads through these; `tests/api/test_ticket_visibility.py` tries
each one for every role. The requester's contact is personal data, masked without
`pii:read`.

The public faces (Open311 GeoReport, api/routers/tickets/open311.py) read tickets as
`public_audience` of their caller: the view as a `PUBLIC_ONLY` role sees it, with nothing
unmasked, so the same declaration decides what they show.
"""

from __future__ import annotations

from typing import Any

from domain.access import Permission, Principal, Role
from domain.tickets.models import Visibility
from domain.tickets.schemas import AttachmentRead, CommentRead, EventRead, TicketRead
from domain.views import Last, Null, View

PUBLIC_ONLY = frozenset({Role.resident})
_INTERNAL = {"visibility": {Visibility.internal.value: PUBLIC_ONLY}}

TICKET = View.of("ticket", TicketRead, unmasked_by=Permission.pii_read,
                 personal={"contact_phone": Last(4), "contact_email": Null()},
                 derived=("masked_fields",), masked_list="masked_fields")
COMMENT = View.of("ticket_comment", CommentRead, unmasked_by=Permission.pii_read,
                  rows_hidden_for=_INTERNAL)
ATTACHMENT = View.of("ticket_attachment", AttachmentRead, unmasked_by=Permission.pii_read,
                     rows_hidden_for=_INTERNAL)
EVENT = View.of("ticket_event", EventRead, unmasked_by=Permission.pii_read,
                hidden_for={"note": PUBLIC_ONLY}, rows_hidden_for=_INTERNAL)


def public_audience(who: Principal) -> Principal:
    """`who` as a public face shows tickets to it: a role `PUBLIC_ONLY` covers, holding no
    permission (every personal field masked). For views only: scope is read as `who`."""
    return Principal(subject_id=who.subject_id, name=who.name, role=next(iter(PUBLIC_ONLY)),
                     kind=who.kind)


def ticket_view(ticket: Any, who: Principal) -> TicketRead:
    return TicketRead.model_validate(TICKET.document(ticket.__getattribute__, who, {}))


def comment_view(comment: Any, who: Principal) -> CommentRead:
    return CommentRead.model_validate(COMMENT.document(comment.__getattribute__, who, {}))


def event_view(event: Any, who: Principal) -> EventRead:
    return EventRead.model_validate(EVENT.document(event.__getattribute__, who, {}))


def attachment_view(attachment: Any, who: Principal) -> AttachmentRead:
    return AttachmentRead.model_validate(ATTACHMENT.document(attachment.__getattribute__, who,
                                                             {}))
