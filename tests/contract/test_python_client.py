"""The Python client a script generates from the committed document (openapi-python-client with
openapi/python/config.yaml), built here at test time and driven against a live server by
openapi/python/flow.py: import, follow the job, export CSV and XLSX, no request built by hand."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.fault.processes import ROOT

DOCUMENT = ROOT / "openapi" / "openapi.json"
FOLDER = ROOT / "openapi" / "python"
PACKAGE = "digital_street_client"
FLOW = "python_client_flow"  # flow.py's module name here
BIN = Path(sys.executable).parent  # the generator and ruff (its post-generation hooks)


@dataclass
class Generated:
    folder: Path  # holds the package
    output: str  # what the generator printed
    returncode: int


def tool(name: str, *args: str | Path, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own installed tools, fixed arguments
        [str(BIN / name), *map(str, args)], cwd=cwd, capture_output=True, text=True,
        timeout=300, check=False,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
             **(env or {})})


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Generated:
    folder = tmp_path_factory.mktemp("python-client")
    run = tool("openapi-python-client", "generate", "--path", DOCUMENT,
               "--config", FOLDER / "config.yaml", "--output-path", folder / PACKAGE,
               "--meta", "none", "--fail-on-warning", cwd=folder)
    return Generated(folder, run.stdout + run.stderr, run.returncode)


@pytest.fixture(scope="module")
def flow(generated: Generated):
    """openapi/python/flow.py, importing the package generated for this run."""
    if generated.returncode != 0:
        pytest.fail(f"the client was not generated:\n{generated.output}", pytrace=False)
    sys.path.insert(0, str(generated.folder))
    spec = importlib.util.spec_from_file_location(FLOW, FOLDER / "flow.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules[FLOW] = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(generated.folder))
        for name in [n for n in sys.modules
                     if n in {FLOW, PACKAGE} or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_document_generates_a_client_without_warnings(generated):
    noise = [line for line in generated.output.splitlines()
             if line.strip() and not line.startswith("Generating ")]
    assert generated.returncode == 0 and not noise, generated.output


def _operations() -> typing.Iterator[tuple[str, dict]]:
    document = json.loads(DOCUMENT.read_text())
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in {"get", "put", "post", "patch", "delete"}:
                yield operation["tags"][0], operation


def _class_name(schema: str) -> str:
    """The generator's name for a schema's model: Body_imports_create → BodyImportsCreate."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", schema))


def _module(tag: str, operation: dict) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation['operationId']}")


def test_uploads_and_downloads_are_files_in_the_client(flow):
    """Every file the server reads or sends is `File` (raw bytes) in the generated code: a
    `str` upload is sent as a form field (422) and a `str` download corrupts an XLSX."""
    from digital_street_client.types import File

    document = json.loads(DOCUMENT.read_text())
    uploads, downloads = [], []
    for tag, operation in _operations():
        form = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
        if form:
            name = form["schema"]["$ref"].rsplit("/", 1)[1]
            schema = document["components"]["schemas"][name]
            model = getattr(importlib.import_module(f"{PACKAGE}.models"), _class_name(name))
            hints = typing.get_type_hints(model)
            for field, prop in schema["properties"].items():
                if "contentMediaType" in prop or prop.get("format") == "binary":
                    uploads.append(operation["operationId"])
                    assert hints[field] is File, (name, field, hints[field])
        for status, answer in operation["responses"].items():
            media = set(answer.get("content", {}))
            if status.startswith("2") and media and not media & {"application/json"}:
                downloads.append(operation["operationId"])
                hint = typing.get_type_hints(_module(tag, operation).sync_detailed)["return"]
                body = set(typing.get_args(typing.get_args(hint)[0]))
                assert File in body and str not in body, (operation["operationId"], hint)
    assert "imports_create" in uploads
    assert {"residents_export", "households_export"} <= set(downloads)


def test_the_flow_type_checks_strictly_against_the_client(generated, flow):
    """No Any, no cast, no ignore: the models and Literal enums carry the flow's types.
    (The generated package's own findings are its authors'; only the flow is reported.)"""
    run = tool("mypy", "--strict", "--follow-imports=silent", "--cache-dir",
               generated.folder / ".mypy_cache", "--config-file", ROOT / "pyproject.toml",
               FOLDER / "flow.py", cwd=ROOT, env={"MYPYPATH": str(generated.folder)})
    assert run.returncode == 0, run.stdout + run.stderr


class TestFlowAgainstALiveServer:
    def test_import_follow_and_export_csv_and_xlsx(self, live_server, flow):
        outcome = flow.run(live_server.base, "demo-group_leader", live_server.demo_password)
        households, residents = outcome.jobs
        assert (households.kind, households.created_count) == ("households", 2)
        assert (residents.kind, residents.created_count) == ("residents", 4)
        assert outcome.rejected.dry_run and outcome.rejected.created_count == 0
        assert sorted(outcome.files) == ["households.csv", "households.xlsx",
                                         "residents.csv", "residents.xlsx"]
        for key, name in outcome.files.items():
            stem, fmt = key.split(".")
            assert re.fullmatch(rf"{stem}-\d{{8}}\.{fmt}", name), name

    def test_a_refused_sign_in_is_a_typed_problem(self, live_server, flow):
        with pytest.raises(flow.FlowFailed, match=r"^expected 200 TokenResponse, got 400 "
                           r"invalid_credentials: "):
            flow.sign_in(live_server.base, "demo-group_leader", "not-the-password")

    def test_a_row_missing_from_an_export_fails_the_flow(self, flow):
        rows = [["Họ và tên", "Mã hộ"], ["Võ Thị Mai", "PY-1"]]
        flow.holds(rows, {("Võ Thị Mai", "PY-1")}, ["Họ và tên", "Mã hộ"], "residents.csv")
        with pytest.raises(flow.FlowFailed, match="missing rows"):
            flow.holds(rows, {("Võ Thị Mai", "PY-2")}, ["Họ và tên", "Mã hộ"], "residents.csv")
