"""Render /docs (Swagger UI) and /redoc in headless Chromium against a throwaway server.

Run: `.venv/bin/python scripts/check_docs_browser.py`. Exit 0 when every check passes, 1 when
one fails, 2 when Chromium is missing. Writes a screenshot of /docs to var/docs-screenshot.png.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import IO
from urllib.parse import urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "var" / "docs-screenshot.png"
WHITESPACE = re.compile(r"\s")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=15000"]
results: list[tuple[str, str, str]] = []


def check(name: str, ok: bool, detail: str, *, warn: bool = False) -> None:
    results.append(("PASS" if ok else "WARN" if warn else "FAIL", name, detail))


def find_chromium() -> str | None:
    names = [os.environ["CHROMIUM"]] if os.environ.get("CHROMIUM") else []
    for name in [*names, "chromium", "chromium-browser", "google-chrome"]:
        if path := shutil.which(name):
            return path
    return None


class Dom(HTMLParser):
    """Element ids, `opblock` count, resource URLs and visible text of a dumped DOM."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.urls: list[str] = []
        self._text: list[str] = []
        self.opblocks = self._hidden = 0
        self.feed(html)
        self.text = norm("".join(self._text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.ids.add(a.get("id", ""))
        self.opblocks += "opblock" in a.get("class", "").split()
        self.urls += [a[k] for k in ("src", "href") if a.get(k) and (k == "src" or tag == "link")]
        self._hidden += tag in ("script", "style", "title")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._text.append(data)


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def chromium(binary: str, url: str, *extra: str) -> str:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(  # noqa: S603 - fixed flags, our own loopback URL
            [binary, *FLAGS, f"--user-data-dir={profile}", *extra, url], text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=180)
        except subprocess.TimeoutExpired:  # end the browser and its helpers (its own group)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    if proc.returncode:
        print(f"chromium exited {proc.returncode} on {url}:\n{err[-2000:]}")
    return out


def page_requests(netlog: Path, origin: str) -> list[str]:
    """URLs the page itself asked for (Chromium's own background traffic has no page origin)."""
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [e["params"]["url"] for e in log["events"] if e["type"] == start_job
            and e.get("params", {}).get("initiator") == origin and "url" in e["params"]]


def external(urls: list[str], base: str) -> list[str]:
    parts = {u: urlsplit(urljoin(base, u)) for u in urls}
    return [u for u, p in parts.items() if p.scheme in ("http", "https") and
            p.hostname != "127.0.0.1"]


def render(binary: str, base: str, path: str, tmp: Path) -> tuple[Dom, list[str]]:
    netlog = tmp / f"net{path.replace('/', '-')}.json"
    dom = Dom(chromium(binary, base + path, "--dump-dom", f"--log-net-log={netlog}"))
    try:
        requested = page_requests(netlog, base)
    except (OSError, ValueError, KeyError) as exc:
        check(f"{path} net log", False, f"unreadable: {exc}")
        requested = []
    return dom, requested


def run_checks(binary: str, base: str, tmp: Path) -> None:
    spec = httpx.get(f"{base}/openapi.json", timeout=10).raise_for_status().json()
    ops = [op for item in spec["paths"].values() for m, op in item.items() if m in METHODS]
    ids = {op.get("operationId") for op in ops}
    check("openapi", bool(ops) and None not in ids and len(ids) == len(ops),
          f"{len(ops)} operations, {len(ids - {None})} distinct operationIds")
    # Swagger UI's deep-link ids: `operations-<tag>-<operationId>`, whitespace in tags as `_`.
    expected = {f"operations-{WHITESPACE.sub('_', tag.strip())}-{op.get('operationId')}"
                for op in ops for tag in op.get("tags") or ["default"]}

    dom, requested = render(binary, base, "/docs", tmp)
    found = {i for i in dom.ids if i.startswith("operations-") and
             not i.startswith("operations-tag-")}
    missing, extra = sorted(expected - found), sorted(found - expected)
    check("/docs operation ids", not missing and not extra,
          f"{len(expected & found)}/{len(expected)} rendered; missing {missing}, extra {extra}")
    check("/docs opblocks", dom.opblocks == len(expected),
          f"{dom.opblocks} opblock elements, expected {len(expected)}")
    bad = external(dom.urls, base) + external(requested, base)
    check("/docs local assets only", not bad and bool(requested),
          f"external: {bad}" if bad else f"{len(requested)} page requests, all to {base}")

    dom, requested = render(binary, base, "/redoc", tmp)
    title = norm(spec["info"]["title"])
    check("/redoc title", title in dom.text, f"{title!r} in the rendered page")
    summaries = [norm(op["summary"]) for op in ops if op.get("summary")]
    shown = [s for s in summaries if s in dom.text]
    check("/redoc operations", bool(shown) and len(shown) == len(summaries),
          f"{len(shown)}/{len(summaries)} operation summaries rendered")
    bad = external(dom.urls, base) + external(requested, base)
    check("/redoc local assets only", not bad,
          f"{len(requested)} page requests, all to {base}" if not bad else f"external: {bad}")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    chromium(binary, f"{base}/docs", f"--screenshot={SCREENSHOT}", "--window-size=1280,2000")
    head = SCREENSHOT.read_bytes()[:24] if SCREENSHOT.exists() else b""
    size = (int.from_bytes(head[16:20]), int.from_bytes(head[20:24])) if len(head) == 24 else None
    check("/docs screenshot", head.startswith(b"\x89PNG") and size == (1280, 2000),
          f"{SCREENSHOT.relative_to(ROOT)} {size}")


def start_server(port: int, tmp: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'docs.sqlite3'}",
           "HOST": "127.0.0.1", "PORT": str(port), "APP_ENV": "development",
           "DEMO_DATA": "false", "ADMIN_PASSWORD": secrets.token_urlsafe(16), "VAR_DIR": str(tmp),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("SECRET_KEY", None)
    # cwd=tmp so a developer's .env in the repo cannot change the throwaway server's settings.
    return subprocess.Popen([sys.executable, "-m", "api.cli", "serve"],
                            cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(proc: subprocess.Popen[bytes], base: str) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def main() -> int:
    binary = find_chromium()
    if not binary:
        print("Chromium not found (set CHROMIUM, or: apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="docs-check-", ignore_cleanup_errors=True) as name:
        with socket.socket() as sock:  # free now; small race until the server binds it
            sock.bind(("127.0.0.1", 0))
            tmp, port = Path(name), sock.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        with (tmp / "server.log").open("wb") as log:
            proc = start_server(port, tmp, log)
        try:
            if not wait_ready(proc, base):
                tail = (tmp / "server.log").read_text(errors="replace")[-3000:]
                print(f"FAIL  server not ready at {base}/readyz within 60 s "
                      f"(exit code {proc.poll()})\n{tail}")
                return 1
            run_checks(binary, base, tmp)
        except (httpx.HTTPError, subprocess.TimeoutExpired, KeyError, ValueError) as exc:
            check("run", False, f"{type(exc).__name__}: {exc}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print(f"Chromium: {binary}; server: {base}")
    for status, name, detail in results:
        print(f"{status}  {name}: {detail}")
    count = {s: sum(r[0] == s for r in results) for s in ("PASS", "WARN", "FAIL")}
    print("FAILED:" if count["FAIL"] else "OK:", ", ".join(f"{n} {s}" for s, n in count.items()))
    return 1 if count["FAIL"] or not results else 0


if __name__ == "__main__":
    sys.exit(main())
