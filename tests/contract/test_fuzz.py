"""Schemathesis against a real server on PostgreSQL: every operation, as several roles, all
checks on, zero failures. The hooks (tests/contract/fuzz_hooks.py) sign each role in and
keep its token fresh, send fresh Idempotency-Keys and current ETags, and name the few
failure classes that are not the server's to fix.

Bounded here (the documented examples and a few generated cases per operation, a fixed
seed); `make fuzz` runs the same with many more examples and every phase: the coverage
phase's boundary values and the stateful sequences through the document's links
(FUZZ_EXAMPLES, FUZZ_PHASES, FUZZ_SEED)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.conftest import LiveServer, serve
from tests.fault.processes import ROOT

ROLES = ("ward_officer", "group_leader", "volunteer", "auditor")
# They can sign the fuzzing accounts out (a revoked token, a disabled account, a new
# password): run last, once every role's main run is over.
SIGN_OUT = ("auth_revoke", "users_disable", "users_reset_password")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture(scope="module")
async def fuzz_server(pg_server: str, worker_id: str, testrun_uid: str, tmp_path_factory):
    """Its own server: the run creates, changes and deletes records and disables accounts,
    which the other contract checks' demo group must not see."""
    name = f"ds_fuzz_{testrun_uid[:8]}_{worker_id}"
    async with serve(pg_server, name, tmp_path_factory.mktemp("fuzz")) as server:
        yield server


def fuzz(server: LiveServer, role: str, folder: Path, *selection: str
         ) -> subprocess.CompletedProcess:
    examples = os.environ.get("FUZZ_EXAMPLES", "5")
    phases = os.environ.get("FUZZ_PHASES", "examples,fuzzing")
    seed = os.environ.get("FUZZ_SEED", "20260111")
    command = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run",
               server.base + "/openapi.json", "--checks", "all",
               "--max-examples", examples, "--phases", phases, "--workers", "1",
               "--generation-database", "none", "--no-color", "--output-truncate", "false",
               "--request-timeout", "30", *selection]
    if seed:
        command += ["--seed", seed]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS":
           "tests.contract.fuzz_hooks", "FUZZ_BASE_URL": server.base,
           "FUZZ_USERNAME": f"demo-{role}", "FUZZ_PASSWORD": server.demo_password}
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,  # noqa: S603 - our own installed tool, fixed arguments
                          timeout=float(os.environ.get("FUZZ_TIMEOUT", "1800")), check=False)


def summary(run: subprocess.CompletedProcess) -> str:
    """The failures and the summary; all of it when the run did not get that far."""
    out = run.stdout
    start = out.find("FAILURES")
    return (out[start:] if start >= 0 else out[-6000:]) + run.stderr[-3000:]


def test_schemathesis_finds_nothing_as_any_role(fuzz_server, tmp_path):
    """Every role's main run, then the sign-out operations as every role: zero failures."""
    if not SCHEMATHESIS.exists():
        pytest.fail("schemathesis is not installed (requirements.lock)")
    excluded = [arg for op in SIGN_OUT for arg in ("--exclude-operation-id", op)]
    included = [arg for op in SIGN_OUT for arg in ("--include-operation-id", op)]
    failed = {}
    for phase, selection in (("main", excluded), ("sign-out", included)):
        for role in ROLES:
            run = fuzz(fuzz_server, role, tmp_path, *selection)
            assert "Tested:" in run.stdout, summary(run)  # it ran, and tested something
            if run.returncode != 0:
                failed[f"{phase} as {role}"] = summary(run)
    assert not failed, "\n\n".join(f"== {name} ==\n{text}" for name, text in failed.items())
