"""JSON Web Tokens: the only module that imports python-jose.

One algorithm per key, chosen from an explicit allowlist; keys are found by `kid`, so a
rotated-out key keeps verifying the tokens it signed until they expire.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwt
from jose.exceptions import JOSEError

ALLOWED_ALGORITHMS = frozenset({"HS256", "RS256", "ES256"})
ACCESS_TYP = "at+jwt"
REFRESH_TYP = "rt+jwt"
MAX_TOKEN_LENGTH = 8192
VERIFIED_CACHE_SIZE = 4096
REQUIRED = ("exp", "iat", "nbf", "iss", "aud", "sub", "jti")


class TokenError(Exception):
    """Any reason a token is not accepted; the reason is logged, never shown."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    sign_with: Any  # secret string or PEM bytes of the private key
    verify_with: Any  # secret string or PEM bytes of the public key
    public_jwk: dict[str, Any] | None = None


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def hmac_key(secret: str) -> SigningKey:
    kid = "hs-" + hashlib.sha256(secret.encode()).hexdigest()[:12]
    return SigningKey(kid, "HS256", secret, secret)


def asymmetric_key(pem: bytes) -> SigningKey:
    """An RS256 or ES256 key from a PEM private key; its public half is published as JWK."""
    private = serialization.load_pem_private_key(pem, password=None)
    public = private.public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = hashlib.sha256(public_pem).hexdigest()[:16]
    if isinstance(private, rsa.RSAPrivateKey):
        nums = private.public_key().public_numbers()
        jwk = {"kty": "RSA", "n": _b64(nums.n), "e": _b64(nums.e), "alg": "RS256"}
        algorithm = "RS256"
    elif isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == "secp256r1":
        point = private.public_key().public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": _b64(point.x), "y": _b64(point.y), "alg": "ES256"}
        algorithm = "ES256"
    else:
        raise ValueError("only RSA and P-256 EC private keys are supported")
    jwk |= {"kid": kid, "use": "sig"}
    return SigningKey(kid, algorithm, pem, public_pem, jwk)


def load_key(path: Path) -> SigningKey:
    data = path.read_bytes()
    if b"PRIVATE KEY" in data:
        return asymmetric_key(data)
    return hmac_key(data.decode().strip())


class TokenService:
    def __init__(
        self,
        current: SigningKey,
        *,
        previous: Sequence[SigningKey] = (),
        issuer: str,
        audience: str,
        access_ttl: int = 900,
        refresh_ttl: int = 14 * 24 * 3600,
    ) -> None:
        for key in (current, *previous):
            if key.algorithm not in ALLOWED_ALGORITHMS:
                raise ValueError(f"algorithm {key.algorithm} is not allowed")
        self.current = current
        self.keys = {k.kid: k for k in (*previous, current)}
        self.issuer = issuer
        self.audience = audience
        self.access_ttl = min(access_ttl, 900)
        self.refresh_ttl = refresh_ttl
        # Verifying a JWT (header, signature, claims through python-jose) costs more CPU than
        # the rest of a cheap read, and a client sends the same access token for up to 15
        # minutes: remember the exact token strings that verified. A hit still has its time
        # claims checked; revocation and account checks happen per request elsewhere.
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk for k in self.keys.values() if k.public_jwk]}

    def _encode(self, claims: dict[str, Any], typ: str) -> str:
        key = self.current
        headers = {"kid": key.kid, "typ": typ}
        return jwt.encode(claims, key.sign_with, algorithm=key.algorithm, headers=headers)

    def issue(self, subject: str, ttl: int, typ: str, **extra: Any) -> tuple[str, dict[str, Any]]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": secrets.token_urlsafe(16),
            **extra,
        }
        return self._encode(claims, typ), claims

    def issue_access(self, subject: str, **extra: Any) -> tuple[str, dict[str, Any]]:
        return self.issue(subject, self.access_ttl, ACCESS_TYP, **extra)

    def issue_refresh(self, subject: str, **extra: Any) -> tuple[str, dict[str, Any]]:
        return self.issue(subject, self.refresh_ttl, REFRESH_TYP, **extra)

    def decode(self, token: str, *, typ: str = ACCESS_TYP) -> dict[str, Any]:
        """Verify signature, algorithm, kid, typ and every registered claim, or raise."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise TokenError("token missing or too long")
        if typ == ACCESS_TYP and (claims := self._verified.get(token)) is not None:
            now = time.time()
            if claims["nbf"] <= now < claims["exp"]:
                self._verified.move_to_end(token)
                return claims
            self._verified.pop(token, None)
        claims = self._verify(token, typ)
        if typ == ACCESS_TYP:
            self._verified[token] = claims
            if len(self._verified) > VERIFIED_CACHE_SIZE:
                self._verified.popitem(last=False)
        return claims

    def _verify(self, token: str, typ: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise TokenError("unreadable header") from exc
        key = self.keys.get(header.get("kid"))
        if key is None:
            raise TokenError("unknown kid")
        if header.get("alg") != key.algorithm:
            raise TokenError("algorithm does not match the key")
        if header.get("typ") != typ:
            raise TokenError("wrong token type")
        try:
            claims = jwt.decode(
                token,
                key.verify_with,
                algorithms=[key.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={f"require_{c}": True for c in REQUIRED} | {"leeway": 0},
            )
        except (JOSEError, ValueError, TypeError) as exc:
            raise TokenError(str(exc)) from exc
        if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("jti"), str):
            raise TokenError("bad sub or jti")
        return claims
