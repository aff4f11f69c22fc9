"""Password and client-secret hashing: argon2id at OWASP parameters, off the event loop."""

from __future__ import annotations

import asyncio

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
_hasher = PasswordHash((Argon2Hasher(memory_cost=19456, time_cost=2, parallelism=1),))
# Verified against when the account does not exist, so both paths cost one argon2 run.
_DUMMY_HASH = _hasher.hash("not-a-real-password-but-the-same-cost")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, hashed: str | None) -> bool:
    """Constant-cost check: an unknown account still runs one argon2 verification."""
    if hashed is None:
        await asyncio.to_thread(_hasher.verify, password, _DUMMY_HASH)
        return False
    try:
        return await asyncio.to_thread(_hasher.verify, password, hashed)
    except Exception:  # a malformed stored hash must read as a failed login, not a 500
        return False
