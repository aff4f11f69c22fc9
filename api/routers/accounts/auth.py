"""Sign-in (OAuth2 token endpoint), sign-out, the public keys and the caller's own profile."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ProfileRead, Tokens, UoW
from api.problems import responses
from auth import login
from domain.accounts.errors import SIGN_IN_CASES, UnsupportedGrant
from domain.errors import FieldMissing
from domain.examples import GROUP, USER, examples
from domain.service_errors import UnsupportedMediaType

router = APIRouter(tags=["auth"])


class TokenResponse(BaseModel):
    """OAuth2 token response (RFC 6749 §5.1)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int = Field(examples=[900])
    refresh_token: str | None = None
    scope: str = Field(examples=["households:read residents:read units:read"])

    model_config = ConfigDict(json_schema_extra=examples({
        "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkyZjBiMSJ9.c2ln",
        "token_type": "bearer", "expires_in": 900,
        "refresh_token": "rt_Qm9uZ0JpbmhEaW5oVHJhblBodQ", "scope": "households:read"}))


async def form_only(
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """A dependency, so it answers before the form's fields are checked (a JSON body is a
    415, not a 422 for the fields it lacks)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        raise UnsupportedMediaType()


def _basic(authorization: str | None) -> tuple[str | None, str | None]:
    if not authorization or not authorization.lower().startswith("basic "):
        return None, None
    try:
        raw = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, _, secret = raw.partition(":")
    return client_id, secret


def _required(**fields: str | None) -> None:
    missing = [name for name, value in fields.items() if not value]
    if missing:
        raise FieldMissing(loc=("body", missing[0]))


FormStr = Annotated[str | None, Form(max_length=4096)]
# Any other grant is RFC 6749's 400 `unsupported_grant_type`, so the enum is the document's.
GRANT_TYPES = ["password", "refresh_token", "client_credentials"]
GrantType = Annotated[str, Form(max_length=4096, json_schema_extra={"enum": GRANT_TYPES},
                                description="`password`, `refresh_token` or "
                                            "`client_credentials`; the fields each needs")]


@router.post(
    "/api/v1/auth/token",
    operation_id="auth_token",
    summary="Get an access token (OAuth2: password, refresh_token, client_credentials)",
    responses=responses(400, 401, 415, 422, 429, 503, *SIGN_IN_CASES, FieldMissing),
    dependencies=[Depends(form_only)],
)
async def token(
    request: Request,
    response: Response,
    uow: UoW,
    tokens: Tokens,
    grant_type: GrantType,
    username: FormStr = None,
    password: FormStr = None,
    refresh_token: FormStr = None,
    client_id: FormStr = None,
    client_secret: FormStr = None,
    scope: FormStr = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenResponse:
    """Form body as RFC 6749 says. Access tokens live 15 minutes; refresh tokens rotate."""
    response.headers["Cache-Control"] = "no-store"
    if grant_type == "password":
        _required(username=username, password=password)
        ip = request.client.host if request.client else None
        pair = await login.password_grant(
            uow, tokens, username=username, password=password, client_ip=ip  # type: ignore[arg-type]  # _required
        )
    elif grant_type == "refresh_token":
        _required(refresh_token=refresh_token)
        pair = await login.refresh_grant(uow, tokens, refresh_token=refresh_token)  # type: ignore[arg-type]  # _required
    elif grant_type == "client_credentials":
        basic_id, basic_secret = _basic(authorization)
        client_id, client_secret = client_id or basic_id, client_secret or basic_secret
        _required(client_id=client_id, client_secret=client_secret)
        pair = await login.client_credentials_grant(
            uow, tokens, client_id=client_id, client_secret=client_secret, scope=scope  # type: ignore[arg-type]  # _required
        )
    else:
        raise UnsupportedGrant()
    return TokenResponse(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        scope=pair.scope,
    )


@router.post(
    "/api/v1/auth/revoke",
    operation_id="auth_revoke",
    summary="Sign out: revoke an access token or a refresh token's whole family",
    status_code=200,
    response_class=Response,  # RFC 7009: an empty 200
    responses={200: {"description": "Revoked, or was never valid"}, **responses(415, 422, 503)},
    dependencies=[Depends(form_only)],
)
async def revoke(
    uow: UoW,
    tokens: Tokens,
    token: Annotated[str, Form(min_length=1, max_length=4096,
                               description="An access or refresh token")],
    token_type_hint: Annotated[Literal["access_token", "refresh_token"] | None, Form()] = None,
) -> Response:
    """RFC 7009: 200 whether or not the token was valid (or already revoked)."""
    await login.revoke(uow, tokens, token=token)
    return Response(status_code=200)


@router.get("/.well-known/jwks.json", operation_id="auth_jwks",
            responses={200: {"content": {"application/json": {"example": {"keys": []}}}}},
            summary="Public keys that verify this service's tokens")
async def jwks(tokens: Tokens) -> dict:
    """Empty when tokens are signed with a shared secret (HS256)."""
    return tokens.jwks()


class Me(BaseModel):
    """Who the caller is, as the service sees them."""

    id: uuid.UUID
    name: str
    kind: Literal["user", "service"]
    role: str
    unit_ids: list[uuid.UUID]
    permissions: list[str]

    model_config = ConfigDict(json_schema_extra=examples({
        "id": USER, "name": "Nguyễn Văn An", "kind": "user", "role": "group_leader",
        "unit_ids": [GROUP], "permissions": ["households:read", "residents:read"]}))


@router.get("/api/v1/me", operation_id="me_get", summary="The caller's own identity",
            responses=responses(401, 503))
async def me(who: ProfileRead) -> Me:
    """Role, scope and permissions of the token's holder."""
    return Me(
        id=who.subject_id, name=who.name, kind=who.kind, role=who.role.value,
        unit_ids=sorted(who.unit_ids), permissions=sorted(p.value for p in who.permissions),
    )
