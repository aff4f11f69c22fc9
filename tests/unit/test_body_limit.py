"""Body limits per path, templates included: an attachment upload under
`/tickets/{ticket_id}/attachments` gets its own limit, every other path the default."""

from __future__ import annotations

import httpx
import pytest

from api.middleware import BodyLimitMiddleware


async def echo_size(scope, receive, send):
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


app = BodyLimitMiddleware(echo_size, limit=100, larger={
    "/api/v1/imports": 1000, "/api/v1/tickets/{ticket_id}/attachments": 500})


@pytest.mark.parametrize(("path", "limit"), [
    ("/api/v1/imports", 1000),
    ("/api/v1/tickets/0190f5c2-7a1b-7c3d-8e4f-000000000001/attachments", 500),
    ("/api/v1/tickets/a/b/attachments", 100),  # a parameter is one segment, no more
    ("/api/v1/tickets//attachments", 100),
    ("/api/v1/tickets/x/attachments/extra", 100),
    ("/api/v1/tickets/x/attachmentsX", 100),
    ("/api/v1/units", 100),
])
async def test_each_path_gets_its_limit_by_header_and_while_streaming(path, limit):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://test") as client:
        assert (await client.post(path, content=b"x" * limit)).text == str(limit)
        too_big = await client.post(path, content=b"x" * (limit + 1))
        assert too_big.status_code == 413
        assert too_big.json()["code"] == "payload_too_large"

        async def chunks():  # no Content-Length
            for _ in range(limit // 10 + 1):
                yield b"x" * 10

        streamed = await client.post(path, content=chunks())
        assert streamed.status_code == 413
