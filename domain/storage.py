"""Files kept outside the database (tickets' attachments): the port and its keys.

A key is ours, never a client's file name: `new_key()` makes one (a uuid7 in hex, so keys
sort by time and an adapter can shard by prefix), the row that owns the file keeps it, and
an adapter refuses any other shape, so no key can name a path outside its store.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from domain.errors import NotFound
from domain.types import uuid7

KEY = re.compile(r"[0-9a-f]{32}", re.ASCII)


class InvalidBlobKey(ValueError):
    """A key `new_key()` did not make: a bug of ours, never a client's input."""


class BlobNotFound(NotFound):
    """A stored file the database still names is gone (deleted, or lost with a disk)."""

    code = "stored_file_not_found"
    vi = "Không tìm thấy tệp đã lưu"
    en = "The stored file is missing"
    vi_detail = "Tệp này không còn trên máy chủ; hãy báo quản trị viên."
    en_detail = "The file is no longer on the server; tell the operator."


def new_key() -> str:
    return uuid7().hex


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise InvalidBlobKey(f"not a storage key: {key!r}")
    return key


@dataclass(frozen=True, slots=True)
class StoredBlob:
    key: str
    size: int
    sha256: str  # hex, of the bytes as stored


class BlobStorage(Protocol):
    """Where files live. `put` is all or nothing: a failed or cancelled write leaves no
    file under the key, and a reader never sees half of one."""

    async def put(self, key: str, data: bytes | AsyncIterable[bytes]) -> StoredBlob: ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The file's bytes in chunks; raises `BlobNotFound` before the first one."""
        ...

    async def delete(self, key: str) -> None:
        """Gone afterwards; deleting a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...
