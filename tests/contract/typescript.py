"""The typed TypeScript client's tools, shared by its flow and the SPA example: the types
generated from the committed document, `tsc --strict`, esbuild, and what still waits for
the document or the server to catch up with the contract."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.contract.conftest import npx
from tests.fault.processes import ROOT

CLIENT = ROOT / "openapi" / "typescript"
SCHEMA = CLIENT / "schema.d.ts"
DOCUMENT = ROOT / "openapi" / "openapi.json"

# Checks that fail until the document or the server does what the contract says, each with
# what it waits for. A listed check that passes fails the run: the list only shrinks.
AWAITING: dict[str, str] = {
    "client_headers": "the document declares the ETag and Content-Disposition the clients "
                      "read",
    "declared_headers": "the document declares ETag, Location and Content-Disposition on "
                        "every answer that carries them, and no 2xx body is `unknown`",
    "invalid_rejected": "a 422 lists every bad field of the body at once, with the code "
                        "validation_failed",
}
# The compile errors that are the missing client_headers, not faults of the client's code:
# `header()` accepts only a declared name, and none is declared yet.
_UNDECLARED_HEADER = re.compile(
    r"""error TS2345: Argument of type '"(ETag|Content-Disposition|Location)"' is not """
    r"""assignable to parameter of type 'never'""")


def run_node(script: Path, *args: str, env: dict[str, str] | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess:
    """A Node.js script of ours; its output comes back as text."""
    node = shutil.which("node")
    assert node is not None, "the node_modules fixture checks for Node.js first"
    return subprocess.run(  # noqa: S603 - node on our own script, fixed arguments
        [node, str(script), *args], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, check=False, env={**os.environ, **(env or {})})


def settle(check: str, problems: list[str]) -> None:
    """Pass, fail, or (for an awaited check that still fails) xfail, saying why."""
    if check in AWAITING:
        if not problems:
            pytest.fail(f"{check} passes now: take it out of AWAITING "
                        "(tests/contract/typescript.py)", pytrace=False)
        pytest.xfail(f"waits until {AWAITING[check]}: " + "; ".join(problems[:5]))
    assert not problems, "\n".join(problems)


def generate_types(node_modules: Path) -> Path:
    """schema.d.ts from the committed document, written whole (two test workers may race)."""
    with tempfile.NamedTemporaryFile("w", dir=CLIENT, suffix=".tmp", delete=False) as out:
        scratch = Path(out.name)
    try:
        done = run_node(CLIENT / "generate.mjs", str(DOCUMENT), str(scratch))
        assert done.returncode == 0, done.stderr + done.stdout
        os.replace(scratch, SCHEMA)
    finally:
        scratch.unlink(missing_ok=True)
    return SCHEMA


def compile_strict(node_modules: Path, project: Path) -> None:
    """`tsc --strict -p project` is clean, but for the compile errors AWAITING explains."""
    done = npx(node_modules, "tsc", "--strict", "-p", str(project), "--pretty", "false")
    errors = [line for line in done.stdout.splitlines() if ": error TS" in line]
    assert done.returncode == 0 or errors, done.stdout + done.stderr
    faults = [e for e in errors if not _UNDECLARED_HEADER.search(e)]
    assert not faults, "\n".join(faults)
    settle("client_headers", [e.split(": error ")[-1] for e in errors])


def bundle(node_modules: Path, entry: Path, out: Path, *, platform: str,
           define: dict[str, str] | None = None) -> Path:
    """One JavaScript file from a TypeScript entry (types are checked by tsc, not here)."""
    extra = [f"--define:{name}={value}" for name, value in (define or {}).items()]
    done = npx(node_modules, "esbuild", str(entry), "--bundle", f"--platform={platform}",
               "--format=esm", "--target=es2022", f"--outfile={out}", "--log-level=warning",
               *extra)
    assert done.returncode == 0, done.stderr + done.stdout
    return out


def casts_in(*files: Path) -> list[str]:
    """Every `as`, `<T>x`, `x!`, `any` and `@ts-` comment in these TypeScript files."""
    done = run_node(Path(__file__).with_name("no_casts.mjs"), *map(str, files))
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.splitlines()
