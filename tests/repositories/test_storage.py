"""The filesystem storage on real files: what goes in comes out, a failed write leaves
nothing, and no key reaches outside its folder."""

from __future__ import annotations

import asyncio
import hashlib
import os

import pytest

from api.app import create_app
from domain.storage import BlobNotFound, InvalidBlobKey, new_key
from repositories.storage import FilesystemStorage
from tests.conftest import make_settings


async def read_all(storage: FilesystemStorage, key: str) -> bytes:
    return b"".join([chunk async for chunk in await storage.open(key)])


def every_file(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def storage(tmp_path) -> FilesystemStorage:
    return FilesystemStorage(tmp_path / "attachments", chunk_size=1024)


async def test_put_open_delete_round_trip(storage):
    key = new_key()
    data = os.urandom(10_000)  # ten chunks and a bit: the reads are chunked
    stored = await storage.put(key, data)
    assert (stored.key, stored.size) == (key, len(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await storage.exists(key)
    chunks = [chunk async for chunk in await storage.open(key)]
    assert b"".join(chunks) == data and max(map(len, chunks)) <= 1024
    await storage.delete(key)
    assert not await storage.exists(key)
    await storage.delete(key)  # again: a missing key is not an error


async def test_a_stream_is_written_as_it_comes(storage):
    parts = [os.urandom(n) for n in (1, 5000, 0, 3)]

    async def stream():
        for part in parts:
            yield part

    key = new_key()
    stored = await storage.put(key, stream())
    assert stored.size == 5004 and await read_all(storage, key) == b"".join(parts)


async def test_files_are_sharded_by_key_prefix_and_private(storage):
    key = new_key()
    await storage.put(key, b"x")
    path = storage.path_of(key)
    assert path.relative_to(storage.root).parts == (key[:4], key[4:6], key)
    assert path.stat().st_mode & 0o077 == 0  # residents' photos: the service's user only


async def test_opening_a_missing_key_is_a_not_found_before_any_byte(storage):
    with pytest.raises(BlobNotFound):
        await storage.open(new_key())
    assert BlobNotFound.status == 404 and BlobNotFound.code == "stored_file_not_found"


async def test_a_failed_write_leaves_nothing(storage):
    key = new_key()
    await storage.put(key, b"the first version")

    async def broken():
        yield b"half of the new version"
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        await storage.put(key, broken())
    # Neither a partial file nor a damaged old one: the rename never happened.
    assert await read_all(storage, key) == b"the first version"
    assert every_file(storage.root) == [str(storage.path_of(key).relative_to(storage.root))]

    other = new_key()
    with pytest.raises(ConnectionResetError):
        await storage.put(other, broken())
    assert not await storage.exists(other)
    assert len(every_file(storage.root)) == 1


async def test_a_cancelled_write_leaves_nothing(storage):
    started = asyncio.Event()

    async def endless():
        while True:
            yield b"z" * 1024
            started.set()
            await asyncio.sleep(0)

    key = new_key()
    task = asyncio.create_task(storage.put(key, endless()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not await storage.exists(key)
    assert every_file(storage.root) == []


@pytest.mark.parametrize("key", [
    "../../etc/passwd", "/etc/passwd", "..", "", "a/../../b",
    "0" * 31, "0" * 33, "A" * 32, "0" * 31 + "/", "0" * 31 + "\0", "0" * 32 + "\n",
    "٠" * 32,  # Arabic-Indic digits: digits to Unicode, not to us
    "..%2f" + "0" * 27, "0" * 16 + "\\" + "0" * 15,
])
async def test_keys_that_could_escape_the_folder_are_refused(storage, key, tmp_path):
    for call in (lambda: storage.put(key, b"x"), lambda: storage.open(key),
                 lambda: storage.delete(key), lambda: storage.exists(key)):
        with pytest.raises(InvalidBlobKey):
            await call()
    assert every_file(tmp_path) == []


async def test_a_key_that_is_not_a_string_is_refused(storage):
    with pytest.raises(InvalidBlobKey):
        await storage.put(b"0" * 32, b"x")  # type: ignore[arg-type]


async def test_concurrent_puts_of_different_keys(storage):
    # Made in the same millisecond, most share their shard folder.
    blobs = {new_key(): os.urandom(3000 + i) for i in range(40)}
    stored = await asyncio.gather(*(storage.put(k, v) for k, v in blobs.items()))
    assert {s.key: s.size for s in stored} == {k: len(v) for k, v in blobs.items()}
    for key, data in blobs.items():
        assert await read_all(storage, key) == data
    assert len(every_file(storage.root)) == len(blobs)


def test_the_app_stores_under_attachments_dir_or_var_dir(tmp_path):
    app = create_app(make_settings(var_dir=tmp_path))
    assert app.state.storage.root == tmp_path / "attachments"
    app = create_app(make_settings(var_dir=tmp_path, attachments_dir=tmp_path / "elsewhere"))
    assert app.state.storage.root == tmp_path / "elsewhere"
