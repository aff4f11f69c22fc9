"""The typed TypeScript client as a front-end team uses it: types generated from the
committed document by openapi-typescript, a script on openapi-fetch compiled by `tsc
--strict` with no cast, and that script run with Node.js against a live server."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.contract.typescript import (
    CLIENT,
    DOCUMENT,
    ROOT,
    bundle,
    casts_in,
    compile_strict,
    generate_types,
    run_node,
    settle,
)

# What openapi/typescript/flow.ts prints, in order, one `ok|fail <step> ...` line each.
STEPS = ["signed_in", "households_paged", "resident_read", "patched", "stale_rejected",
         "invalid_rejected", "import_started", "import_read"]
HANDWRITTEN = [CLIENT / "http.ts", CLIENT / "flow.ts"]


@pytest.fixture(scope="module")
def types(node_modules: Path) -> Path:
    return generate_types(node_modules)


def test_the_client_compiles_under_strict(node_modules, types):
    compile_strict(node_modules, CLIENT)


def test_header_names_the_answer_does_not_declare_do_not_compile(node_modules, types,
                                                                 tmp_path):
    probe = CLIENT / f"probe_{tmp_path.name}.ts"  # beside the client: its tsconfig, its types
    probe.write_text('import { header } from "./http";\n'
                     "declare const answer: Response;\n"
                     'header<"residents_get", 200>(answer, "X-Not-Declared");\n'
                     'header<"households_list", 200>(answer, "ETag");\n')
    try:
        compiled = subprocess.run(  # noqa: S603 - the project's tsc on a fixed probe
            [str(node_modules / ".bin" / "tsc"), "--noEmit", "--strict", "--skipLibCheck",
             "--lib", "ES2022,DOM", "--module", "ES2022", "--moduleResolution", "bundler",
             str(probe)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    finally:
        probe.unlink()
    refused = re.findall(r"""Argument of type '"([\w-]+)"'""", compiled.stdout)
    assert refused == ["X-Not-Declared", "ETag"], compiled.stdout


def test_the_client_has_no_cast_no_any_no_ts_comment(node_modules):
    assert casts_in(*HANDWRITTEN) == []


def test_the_cast_finder_finds_each_kind(node_modules, tmp_path):
    sample = tmp_path / "casts.ts"
    sample.write_text('const a = JSON.parse("1") as number;\nconst b = <string>JSON.parse("1");\n'
                      "declare const c: string | undefined; c!.length;\nconst d: any = 1;\n"
                      "// @ts-expect-error\nexport { a as renamed, b, d };\n")
    found = [line.split(": ", 1)[1] for line in casts_in(sample)]
    assert sorted(found) == sorted(["as", "<T> assertion", "non-null !", "any", "@ts- comment"])


@dataclass
class Answer:
    headers: set[str] = field(default_factory=set)
    media: dict[str, str] = field(default_factory=dict)  # media type -> its TypeScript type
    no_content: bool = False


def generated_answers(text: str) -> dict[str, dict[str, Answer]]:
    """operationId -> status -> the answer's headers and bodies, read from schema.d.ts
    (openapi-typescript writes `operations` at fixed indents: 4, 12, 16, 20)."""
    block = text[text.index("export interface operations {"):]
    found: dict[str, dict[str, Answer]] = {}
    answer = Answer()
    part = ""
    for line in block.splitlines():
        if m := re.fullmatch(r" {4}(\w+): \{", line):
            operation = found.setdefault(m[1], {})
        elif m := re.fullmatch(r' {12}"?(\w+)"?: \{', line):
            answer = operation.setdefault(m[1], Answer())
        elif m := re.fullmatch(r" {16}(headers|content)(\?)?: (\{|never;)", line):
            part = m[1]
            answer.no_content = answer.no_content or (part == "content" and m[3] == "never;")
        elif m := re.fullmatch(r' {20}"?([^"\[]+?)"?\??: (.+?);?', line):
            if part == "headers":
                answer.headers.add(m[1])
            else:
                answer.media[m[1]] = m[2]
    return found


def test_the_generated_types_know_every_header_and_body_the_server_sends(types):
    """No `unknown` where the server sends something known: the ETag of what a client may
    change with If-Match, the Location and body of what it creates, an export's file name,
    and the body of every success."""
    document = json.loads(DOCUMENT.read_text())
    answers = generated_answers(types.read_text())
    problems = []
    for path, item in document["paths"].items():
        guarded = any(p["name"].lower() == "if-match" for op in item.values()
                      for p in op.get("parameters", []))
        for method, operation in item.items():
            name = operation["operationId"]
            for status, answer in answers[name].items():
                if not status.startswith("2"):
                    continue
                where = f"{name} {status}"
                problems += [f"{where}: {media} is unknown"
                             for media, kind in answer.media.items() if kind == "unknown"]
                wanted = set()
                if status == "201":
                    wanted.add("Location")
                    if answer.no_content:
                        problems.append(f"{where}: no body type")
                if guarded and path.endswith("}") and method in ("get", "patch") \
                        and status == "200":
                    wanted.add("ETag")
                if path.endswith("/export"):
                    wanted.add("Content-Disposition")
                problems += [f"{where}: {h} not declared" for h in sorted(wanted - answer.headers)]
    assert len(answers) > 50  # the parser read the operations
    settle("declared_headers", problems)


@dataclass
class FlowRun:
    returncode: int
    steps: dict[str, tuple[bool, str]]
    output: str


@pytest.fixture(scope="module")
def flow(node_modules, types, live_server, tmp_path_factory) -> FlowRun:
    script = bundle(node_modules, CLIENT / "flow.ts",
                    tmp_path_factory.mktemp("flow") / "flow.mjs", platform="node")
    done = run_node(script, env={"API_BASE": live_server.base,
                                 "DEMO_PASSWORD": live_server.demo_password})
    steps = {}
    for line in done.stdout.splitlines():
        if m := re.fullmatch(r"(ok|fail) (\w+) ?(.*)", line):
            steps[m[2]] = (m[1] == "ok", m[3])
    return FlowRun(done.returncode, steps, done.stdout + done.stderr)


def test_the_flow_prints_every_step_and_exits_0_only_if_all_passed(flow):
    assert list(flow.steps) == STEPS, flow.output
    assert flow.returncode == (0 if all(ok for ok, _ in flow.steps.values()) else 1), flow.output


@pytest.mark.parametrize("step", STEPS)
def test_a_step_of_the_flow_against_the_live_server(flow, step):
    if step not in flow.steps:
        pytest.fail(f"{step} did not run:\n{flow.output[-2000:]}", pytrace=False)
    passed, detail = flow.steps[step]
    settle(step, [] if passed else [detail])

