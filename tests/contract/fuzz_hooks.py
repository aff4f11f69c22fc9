"""Schemathesis hooks for the fuzzing runs (tests/contract/test_fuzz.py, `make fuzz`),
loaded by `schemathesis run` through SCHEMATHESIS_HOOKS. The run's caller sets:

- FUZZ_BASE_URL: the server (`http://127.0.0.1:<port>`);
- FUZZ_USERNAME, FUZZ_PASSWORD: the account whose token every request carries.

The token is fetched with the password grant and fetched again before it expires (access
tokens live 900 s at most), or at once when the server answers 401 to a valid request.
Every POST carries a fresh Idempotency-Key (a repeated key would replay the first answer,
and a checker would see the first body for another request); every If-Match carries the
record's current ETag, read just before, so a PATCH is judged on its body and not on a tag
the generator made up. Only values generated as valid are replaced: a deliberately wrong
header stays wrong."""

from __future__ import annotations

import json
import os
import re
import uuid

import httpx
import schemathesis
from schemathesis.core.parameters import ParameterLocation

from domain.errors import DATE_CASES, Invalid, PydanticField, error_class
from domain.messages import FIELD_MESSAGES, render

TOKEN_REFRESH_SECONDS = 600  # well inside the 900 s an access token lives
_ACTION = re.compile(r"^(?P<item>.*/\{\w+\})(?:/[^{}]+)?$")  # /x/{id} and /x/{id}/close


def _client() -> httpx.Client:
    return httpx.Client(base_url=os.environ["FUZZ_BASE_URL"], timeout=30)


@schemathesis.auth(refresh_interval=TOKEN_REFRESH_SECONDS)
class RoleToken:
    """The run's account, signed in with its password."""

    def get(self, case, context) -> str:
        with _client() as client:
            answer = client.post("/api/v1/auth/token", data={
                "grant_type": "password", "username": os.environ["FUZZ_USERNAME"],
                "password": os.environ["FUZZ_PASSWORD"]})
        answer.raise_for_status()
        return answer.json()["access_token"]

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _header(headers, name: str) -> str | None:
    """The generated header's own spelling of `name` (the document says `if-match`)."""
    return next((key for key in headers if key.lower() == name), None)


def _headers_are_positive(case) -> bool:
    meta = case.meta
    return meta is None or not meta.is_negative_at(ParameterLocation.HEADER)


def current_etag(case) -> str | None:
    """The ETag of the record an operation on `/x/{id}` (or `/x/{id}/<action>`) acts on."""
    match = _ACTION.match(case.operation.path)
    if match is None or not case.path_parameters:
        return None
    try:
        path = match.group("item").format(**case.path_parameters)
    except (KeyError, IndexError):
        return None
    auth = _header(case.headers or {}, "authorization")
    with _client() as client:
        try:
            answer = client.get(path, headers={"Authorization": case.headers[auth]} if auth
                                else {})
        except httpx.HTTPError:
            return None
    return answer.headers.get("ETag") if answer.status_code == 200 else None


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if not _headers_are_positive(case):
        return
    headers = dict(case.headers or {})
    if case.method.upper() == "POST":
        key = _header(headers, "idempotency-key") or "Idempotency-Key"
        headers[key] = str(uuid.uuid4())
    if _declares(case, "if-match"):
        etag = current_etag(case)
        if etag is not None:
            headers[_header(headers, "if-match") or "If-Match"] = etag
    case.headers = headers


def _declares(case, name: str) -> bool:
    return any(p.name.lower() == name for p in case.operation.headers)


def _problem(response) -> dict:
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _georeport_codes(case, response) -> set[str]:
    """The documented-gap rules an Open311 error answer states. GeoReport's own error format
    (JSON or XML) carries a status and "<field>: <message>", no problem code, so the rule is
    known by its message, in either language, as `domain/messages.py` writes it."""
    if not case.operation.path.startswith("/open311/") or response.status_code != 400:
        return set()
    text = response.content.decode("utf-8", "replace")
    return {code for code in _GAP_CODES for lang in ("vi", "en")
            if (message := render(FIELD_MESSAGES, code, lang, {})) and message in text}


def _rule_codes(problem: dict) -> set[str]:
    return {e.get("code", "") for e in problem.get("errors") or []} or {problem.get("code", "")}


def breaks_a_domain_rule(problem: dict) -> bool:
    """A 422 that names only rules of ours no schema can state (an end before the start, a
    merge into itself, a forged page cursor): schema-valid data may break them."""
    if problem.get("status") != 422:
        return False
    cases = [error_class(code) for code in _rule_codes(problem)]
    return all(c is not None and issubclass(c, Invalid)
               and (not issubclass(c, PydanticField) or c in DATE_CASES) for c in cases)


# Failure classes where the document still says less than the server does (the problem
# codes of the answers that show it). Each stays only until the document states it.
DOCUMENT_GAPS: dict[str, tuple[str, frozenset[str]]] = {
    # Every route refuses control characters in text (api/input.py, stated in the document's
    # description): repeated as a pattern on every string schema, it would crowd the
    # document and every generated type, so a valid-looking string holding one is refused
    # by the documented rule, not by its schema.
    "control_characters": ("ST202", frozenset({"control_characters"})),
    # An attachment's type is judged from its bytes (a JPEG, PNG, WebP or PDF; an
    # executable named .jpg is refused): no schema states what a file holds, so a
    # well-formed upload of other bytes is refused by that documented rule (415).
    "attachment_type": ("ST202", frozenset({"attachment_type_refused"})),
}
_GAP_CODES = frozenset().union(*(codes for _, codes in DOCUMENT_GAPS.values()))


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure but the documented exceptions above."""
    problem = _problem(response)
    if failure.code == "ST202" and breaks_a_domain_rule(problem):
        return False
    codes = _rule_codes(problem) | {problem.get("code", "")} | _georeport_codes(case, response)
    return not any(failure.code == check and codes & gap
                   for check, gap in DOCUMENT_GAPS.values())
