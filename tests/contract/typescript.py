"""The typed TypeScript client's tools, shared by its flow and the SPA example: the types
generated from the committed document, `tsc --strict`, esbuild, and what still waits for
the document or the server to catch up with the contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.contract.conftest import npx
from tests.fault.processes import ROOT

CLIENT = ROOT / "openapi" / "typescript"
SCHEMA = CLIENT / "schema.d.ts"
DOCUMENT = ROOT / "openapi" / "openapi.json"

def run_node(script: Path, *args: str, env: dict[str, str] | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess:
    """A Node.js script of ours; its output comes back as text."""
    node = shutil.which("node")
    assert node is not None, "the node_modules fixture checks for Node.js first"
    return subprocess.run(  # noqa: S603 - node on our own script, fixed arguments
        [node, str(script), *args], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, check=False, env={**os.environ, **(env or {})})


def settle(check: str, problems: list[str]) -> None:
    """`check` passes when it found no problem; else it fails, naming them."""
    assert not problems, f"{check}: " + "\n".join(problems)


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
    """`tsc --strict -p project` is clean."""
    done = npx(node_modules, "tsc", "--strict", "-p", str(project), "--pretty", "false")
    errors = [line for line in done.stdout.splitlines() if ": error TS" in line]
    assert done.returncode == 0 and not errors, done.stdout + done.stderr


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
