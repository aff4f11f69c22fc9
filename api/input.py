"""The one place every input passes: text that can never be stored is refused, the rest is
put in NFC, before any route, dependency or validator sees the request.

Pure ASGI, around the whole app, so no route can forget it. It looks at the path, every
query parameter, every field of a form (`application/x-www-form-urlencoded`; the text
fields and file names of `multipart/form-data`, never a file's contents: imports parse
those and report bad rows) and every string of a JSON body, keys included, however deep.
A NUL or another control character (tab, newline and carriage return aside: the field
types decide where a line may break), a lone surrogate or bytes that are not UTF-8 are a
422 `validation_failed` whose `errors[]` names each field (`["body", "needs", 0,
"description"]`, `["query", "q"]`); nothing reaches the database.

So that one 422 still lists every bad field of the request (the contract), the request goes
on to the route's validation with the refused text taken out and a mark that the route's
one guard (`input_guard`, a dependency of the whole app) cannot pass: its error stands for
the refused fields, which the 422 handler puts in its place (`api/problems.py`). A route
therefore never runs on refused input. A bad path, or a bad multipart field (found while
the body streams in), is answered at once.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal
from urllib.parse import quote, unquote_to_bytes

from fastapi import Header, Request
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import FAULTS, INPUT_MARK, InputRefused, refusal
from domain.text import INVALID_UNICODE, Loc, clean_tree, nfc, storable, text_fault

Faults = list[tuple[Loc, str]]
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})  # no route reads a body on these
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_TEXT_PART_LIMIT = 1024 * 1024  # Starlette refuses larger text parts itself


_MARK = INPUT_MARK


async def input_guard(
    mark: Annotated[Literal["never"] | None, Header(alias=_MARK, include_in_schema=False)
                    ] = None, *, request: Request,
) -> None:
    """Fails its validation when the middleware refused some of the request's text, so the
    route never runs; the 422 names the refused fields instead of this header. Async on
    purpose: FastAPI runs a plain `def` dependency in a worker thread, on every request."""
    if FAULTS in request.scope:  # unreachable while the mark fails; a route must not run
        raise InputRefused(request.scope[FAULTS])


def _decoded(raw: bytes) -> str | None:
    """Percent- and plus-decoded UTF-8, or None when the bytes are not UTF-8."""
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _pairs(raw: bytes, where: str, faults: Faults) -> tuple[list[tuple[str, str]], bool]:
    """The name/value pairs of a query string or form body, in NFC; whether any changed."""
    pairs: list[tuple[str, str]] = []
    changed = False
    for part in raw.split(b"&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        name, value = _decoded(raw_name), _decoded(raw_value)
        label = name if name is not None and not text_fault(name) else \
            raw_name.decode("latin-1").encode("unicode_escape").decode()
        for text in (name, value):
            if text is None:
                faults.append(((where, label), INVALID_UNICODE))
            elif fault := text_fault(text):
                faults.append(((where, label), fault))
        if name is None or value is None:
            changed = True  # left out: the route validates the rest
            continue
        clean_name, clean_value = nfc(storable(name)), nfc(storable(value))
        changed |= (clean_name, clean_value) != (name, value)
        pairs.append((clean_name, clean_value))
    return pairs, changed


def _encode(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs).encode()


def _content_type(scope: Scope) -> tuple[bytes, dict[bytes, bytes]]:
    for key, value in scope["headers"]:
        if key == b"content-type":
            return parse_options_header(value)
    return b"", {}


def _check_path(scope: Scope, faults: Faults) -> None:
    raw = scope.get("raw_path")
    path = scope["path"]
    if raw is not None and _decoded(raw.replace(b"+", b"%2B")) is None:
        faults.append((("path",), INVALID_UNICODE))
    elif fault := text_fault(path):
        faults.append((("path",), fault))


def _clean_json(body: bytes, faults: Faults) -> bytes:
    """The body with every string in NFC (the same bytes when nothing changed)."""
    if body.isascii() and b"\\" not in body:
        return body  # no escapes, nothing to normalise; raw controls are bad JSON anyway
    # Bytes that are not UTF-8 become lone surrogates, found below at their field.
    text = body.decode("utf-8", "surrogateescape")
    try:
        value = json.loads(text)
        cleaned = clean_tree(value, ("body",), faults)
    except (ValueError, RecursionError):
        return body  # not JSON: the route answers its own 400 malformed_json
    if cleaned == value and not faults:
        return body
    return json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")).encode()


class _PartWatcher:
    """Follows a multipart body as it streams to the route and checks its text fields and
    file names; the file contents pass untouched."""

    def __init__(self, boundary: bytes) -> None:
        self.faults: Faults = []
        self.broken = False
        self.in_file = False  # inside a file's contents: the route is about to store them
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name: str | int = "?"
        self._text: bytearray | None = None
        self._parser = MultipartParser(boundary, {
            "on_part_begin": self._begin, "on_header_field": self._field,
            "on_header_value": self._value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done, "on_part_data": self._data,
            "on_part_end": self._end})

    def feed(self, chunk: bytes) -> None:
        if self.broken or not chunk:
            return
        try:
            self._parser.write(chunk)
        except Exception:  # a malformed body: Starlette's own parser answers it
            self.broken = True

    def _begin(self) -> None:
        self._disposition, self._text, self.in_file = b"", None, False

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = self._check(options.get(b"name", b""), ("body",))
        self._name = name if isinstance(name, str) else "?"
        if b"filename" in options:
            self._check(options[b"filename"], ("body", self._name))
            self.in_file = True
        else:
            self._text = bytearray()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._text is not None and len(self._text) <= _TEXT_PART_LIMIT:
            self._text += data[start:end]

    def _end(self) -> None:
        if self._text is not None:
            self._check(bytes(self._text), ("body", self._name))
            self._text = None
        self.in_file = False

    def _check(self, raw: bytes, loc: Loc) -> str | None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.faults.append((loc, INVALID_UNICODE))
            return None
        if fault := text_fault(text):
            self.faults.append((loc, fault))
            return None
        return text


class InputCleaningMiddleware:
    """Refuse text that can never be stored, anywhere in a request; NFC the rest."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        faults: Faults = []
        _check_path(scope, faults)
        if faults:  # no route matches such a path: say why here
            await refusal(scope, faults)(scope, receive, send)
            return
        # The scope is changed in place, not copied: the access log outside reads the route
        # the router sets on it.
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != _MARK.encode()]
        query = scope.get("query_string", b"")
        if query:
            pairs, changed = _pairs(query, "query", faults)
            if changed:
                scope["query_string"] = _encode(pairs)
        kind, options = _content_type(scope)
        if scope["method"] not in _NO_BODY and kind == _MULTIPART.encode():
            if faults:
                await refusal(scope, faults)(scope, receive, send)
                return
            await self._multipart(scope, receive, send, options.get(b"boundary", b""))
            return
        body = None
        if scope["method"] not in _NO_BODY and (
                kind in (b"", b"application/json", _FORM.encode())
                or kind.endswith(b"+json")):
            body = b""
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                more = message.get("more_body", False)
            if kind == _FORM.encode():
                pairs, changed = _pairs(body, "body", faults)
                if changed:
                    body = _encode(pairs)
            elif body:
                body = _clean_json(body, faults)
        if faults:
            scope[FAULTS] = faults
            scope["headers"].append((_MARK.encode(), b"refused"))
        if body is None:
            await self.app(scope, receive, send)
            return
        await self.app(_with_length(scope, len(body)), _replay(body, receive), send)

    async def _multipart(self, scope: Scope, receive: Receive, send: Send,
                         boundary: bytes) -> None:
        watcher = _PartWatcher(boundary) if boundary else None

        async def watched() -> Message:
            message = await receive()
            if watcher is not None and message["type"] == "http.request":
                watcher.feed(message.get("body", b""))
                # Every bad field at once: raised before a file's contents, or at the end.
                if watcher.faults and (watcher.in_file or not message.get("more_body")):
                    raise InputRefused(watcher.faults)
            return message

        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, watched, watched_send)
        except InputRefused as refused:
            # Raised where no route's handler could answer it: a middleware inside read the
            # body first (an Idempotency-Key's body is spooled before the route runs).
            if started:
                raise
            await refusal(scope, refused.faults)(scope, receive, send)


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    scope["headers"] = headers
    return scope


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay

