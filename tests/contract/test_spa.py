"""The SPA example (examples/spa) built with esbuild, served on its own origin (the only one
the live server's CORS allows) and driven in headless Chromium by Playwright."""

from __future__ import annotations

import functools
import json
import shutil
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.contract.conftest import SPA_ORIGIN, required
from tests.contract.typescript import (
    ROOT,
    bundle,
    casts_in,
    compile_strict,
    generate_types,
    run_node,
    settle,
)

SPA = ROOT / "examples" / "spa"
USER = "demo-group_leader"
BAD_FIELDS = {"birth_date": "2999-01-01", "phone": "12ab", "id_number": "123"}
STEPS = ["signed_in", "searched", "paged", "opened", "saved", "conflict_shown",
         "field_errors_shown", "downloaded"]


@pytest.fixture(scope="module")
def types(node_modules: Path) -> Path:
    return generate_types(node_modules)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        required("Chromium is not installed: `make browser`")
    return str(found)


def test_the_spa_compiles_under_strict(node_modules, types):
    compile_strict(node_modules, SPA)


def test_the_spa_has_no_cast_no_any_no_ts_comment(node_modules):
    assert casts_in(*sorted((SPA / "src").glob("*.ts"))) == []


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def spa_origin(node_modules, types, tmp_path):
    """The built SPA served as static files on SPA_ORIGIN."""
    bundle(node_modules, SPA / "src" / "main.ts", tmp_path / "app.js", platform="browser",
           define={"API_BASE": '"http://127.0.0.1:8000"'})
    shutil.copy(SPA / "index.html", tmp_path / "index.html")
    where = urlsplit(SPA_ORIGIN)
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    address = (where.hostname or "127.0.0.1", where.port or 80)
    for _ in range(60):  # another run's SPA may hold the origin's port a little longer
        try:
            server = ThreadingHTTPServer(address, handler)
            break
        except OSError:
            time.sleep(1)
    else:
        pytest.fail(f"{SPA_ORIGIN}: the port stays busy", pytrace=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SPA_ORIGIN
    finally:
        server.shutdown()
        server.server_close()


def server_answers(live_server) -> tuple[dict[str, str], str]:
    """What the server itself says: each bad field's message (Vietnamese, the default) and
    an export's file name, for the page to show the same."""
    auth = {"Authorization": f"Bearer {live_server.token(USER)}"}
    with httpx.Client(base_url=live_server.base + "/api/v1", headers=auth, timeout=30) as api:
        one = api.get("/residents", params={"limit": 1}).json()["items"][0]["id"]
        etag = api.get(f"/residents/{one}").headers["ETag"]
        bad = api.patch(f"/residents/{one}", json=BAD_FIELDS, headers={"If-Match": etag})
        assert bad.status_code == 422, bad.text
        messages = {str(e["loc"][-1]): e["message"] for e in bad.json()["errors"]}
        export = api.get("/residents/export", params={"format": "csv", "limit": 1})
        disposition = export.headers["Content-Disposition"]
    return messages, disposition.split('filename="', 1)[1].rstrip('"')


def test_a_group_leader_works_the_register_in_chromium(node_modules, chromium, live_server,
                                                      spa_origin, tmp_path):
    shot = tmp_path / "spa-failure.png"
    done = run_node(Path(__file__).with_name("spa_browser.mjs"), env={
        "HOME": str(tmp_path), "SPA_URL": spa_origin, "API_BASE": live_server.base,
        "USERNAME": USER, "PASSWORD": live_server.demo_password, "CHROMIUM": chromium,
        "SCREENSHOT": str(shot)})
    assert done.returncode == 0 and done.stdout.strip(), done.stderr + done.stdout
    report = json.loads(done.stdout.strip().splitlines()[-1])
    seen = (f"\nconsole errors: {report['console']}\nscreenshot: {report['screenshot']}"
            f"\nerror: {report['error']}")
    assert report["error"] is None and list(report["steps"]) == STEPS, seen
    failed = [f"{name}: {detail}" for name, (ok, detail) in report["steps"].items() if not ok]
    assert not failed, "\n".join(failed) + seen

    messages, file_name = server_answers(live_server)
    assert report["download"] == file_name
    # Each field's message next to it, as the server wrote it; the page shows what it got.
    shown = {field: text for field, text in report["fieldErrors"].items() if text}
    assert shown == {f: m for f, m in messages.items() if f in BAD_FIELDS}, seen
    assert not any(text.isascii() for text in shown.values()), shown  # Vietnamese
    missing = [f"{field}: no message" for field in BAD_FIELDS if field not in shown]
    settle("invalid_rejected", missing)
