"""The filesystem adapter of the `BlobStorage` port (domain/storage.py), under ATTACHMENTS_DIR.

A file is `<root>/<key[0:4]>/<key[4:6]>/<key>`. Keys are uuid7s in hex, so those prefixes
are the upload time: a new top folder about every 50 days and a new leaf about every
4.7 hours, which keeps every folder small and lets a backup copy only the recent ones.

A write goes to a temporary file in the leaf folder itself (a rename across file systems
is not atomic), is flushed to the disk, then renamed over the key, and the folder is
flushed too so the rename survives a power cut. Every blocking call runs in a worker
thread: the event loop serves other requests while the disk works.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import IO

import anyio.to_thread

from domain.storage import BlobNotFound, StoredBlob, check_key

CHUNK = 256 * 1024
_TEMP_PREFIX = ".partial-"


class FilesystemStorage:
    def __init__(self, root: Path, *, chunk_size: int = CHUNK) -> None:
        self.root = Path(root)
        self.chunk_size = chunk_size

    def path_of(self, key: str) -> Path:
        """Where `key` lives; refuses anything `new_key()` would not make (so `..`, `/`,
        a NUL or a newline never reach the file system)."""
        check_key(key)
        return self.root / key[:4] / key[4:6] / key

    async def put(self, key: str, data: bytes | AsyncIterable[bytes]) -> StoredBlob:
        path = self.path_of(key)
        await anyio.to_thread.run_sync(lambda: path.parent.mkdir(parents=True, exist_ok=True))
        fd, temp = await anyio.to_thread.run_sync(
            lambda: tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent))
        out = os.fdopen(fd, "wb")
        digest, size = hashlib.sha256(), 0
        try:
            async for chunk in _chunks(data, self.chunk_size):
                digest.update(chunk)
                size += len(chunk)
                await anyio.to_thread.run_sync(out.write, chunk)
            await anyio.to_thread.run_sync(_close_durably, out)
            await anyio.to_thread.run_sync(os.replace, temp, path)
        except BaseException:  # a cancelled request too: nothing half-written stays behind
            out.close()
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(lambda: Path(temp).unlink(missing_ok=True))
            raise
        await anyio.to_thread.run_sync(_sync_folder, path.parent)
        return StoredBlob(key=key, size=size, sha256=digest.hexdigest())

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self.path_of(key)
        try:
            handle = await anyio.to_thread.run_sync(path.open, "rb")
        except (FileNotFoundError, NotADirectoryError):
            raise BlobNotFound() from None
        return _read(handle, self.chunk_size)

    async def delete(self, key: str) -> None:
        path = self.path_of(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def exists(self, key: str) -> bool:
        path = self.path_of(key)
        return await anyio.to_thread.run_sync(path.is_file)


async def _chunks(data: bytes | AsyncIterable[bytes], size: int) -> AsyncIterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), size):
            yield bytes(view[start:start + size])
        return
    async for chunk in data:
        if chunk:
            yield chunk


async def _read(handle: IO[bytes], size: int) -> AsyncIterator[bytes]:
    try:
        while chunk := await anyio.to_thread.run_sync(handle.read, size):
            yield chunk
    finally:
        handle.close()


def _close_durably(out: IO[bytes]) -> None:
    out.flush()
    os.fsync(out.fileno())
    out.close()


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
