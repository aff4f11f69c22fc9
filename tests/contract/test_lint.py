"""The committed document under both linters' written rulesets (`openapi/lint/`): any error
or warning fails, printed. Control tests first show each of our own rules firing on a
document that breaks it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.contract.conftest import npx

DOCUMENT = Path("openapi/openapi.json")
REDOCLY = Path("openapi/lint/redocly.yaml")
SPECTRAL = Path("openapi/lint/spectral.yaml")

def redocly(node_modules: Path, document: Path) -> list[str]:
    done = npx(node_modules, "redocly", "lint", "--config", str(REDOCLY), str(document),
               "--format", "json")
    assert done.stdout.strip(), done.stderr
    report = json.loads(done.stdout)
    return [f"{p['severity']} {p['ruleId']}: {p['message']} at "
            f"{p['location'][0].get('pointer', '')}" for p in report["problems"]]


def spectral(node_modules: Path, document: Path) -> list[tuple[str, str]]:
    """(rule, finding) for every finding, whatever its severity."""
    done = npx(node_modules, "spectral", "lint", "--ruleset", str(SPECTRAL), str(document),
               "-f", "json", "--quiet")
    assert done.returncode in (0, 1) and done.stdout.strip(), done.stderr
    found = json.loads(done.stdout[done.stdout.index("["):])
    return [(f["code"], f"{f['code']}: {f['message']} at /{'/'.join(map(str, f['path']))}")
            for f in found]


def test_redocly_finds_nothing(node_modules):
    problems = redocly(node_modules, DOCUMENT)
    assert problems == [], "\n".join(problems)


def test_spectral_finds_nothing(node_modules):
    findings = [text for _, text in spectral(node_modules, DOCUMENT)]
    assert findings == [], "\n".join(findings)


def broken(tmp_path: Path) -> Path:
    """The real document with one operation breaking each of our conventions."""
    document = json.loads(DOCUMENT.read_text())
    operation = document["paths"]["/api/v1/units"]["get"]
    operation["operationId"] = "listUnits"
    operation["tags"] = ["units", "ops"]
    del operation["security"], operation["summary"]
    answer = operation["responses"]["404"]
    answer["content"] = {"application/json": copy.deepcopy(
        answer["content"]["application/problem+json"])}
    del answer["x-error-codes"]
    body = document["paths"]["/api/v1/units"]["post"]["requestBody"]["content"]
    body["application/json"] = {"schema": {"type": "object"}}
    document["components"]["schemas"]["Unused"] = {"type": "object"}
    georeport = document["paths"]["/open311/v2/requests.{format}"]["get"]["responses"]["404"]
    georeport["content"] = {"application/problem+json": {"schema": {"type": "object"}}}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    return path


def test_each_convention_rule_fires_on_a_document_breaking_it(node_modules, tmp_path):
    fired = {rule for rule, _ in spectral(node_modules, broken(tmp_path))}
    assert {"operation-id-area-verb", "operation-security-stated", "operation-summary-stated",
            "operation-tagged", "error-response-is-problem", "error-response-lists-codes",
            "request-body-example", "open311-error-is-georeport"} <= fired
    problems = " ".join(redocly(node_modules, broken(tmp_path)))
    assert "no-unused-components" in problems and "operation-summary" in problems
    assert "rule/4xx-problem-details-outside-open311" in problems
