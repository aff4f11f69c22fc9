"""What in a new OpenAPI 3.1 document breaks a client written against an older one.

Run: `python scripts/openapi_compat.py [OLD NEW]` (no arguments: the newest release in
openapi/releases/ against openapi/openapi.json). Prints each breaking change; exits 1 when there
is one and `info.version` is the same in both, 0 otherwise (a new version accepts them).
Changes a release's `<version>.corrections.json` lists (what that document said and the server
never did) are accepted and counted.

Written here because nothing does it offline from PyPI or npm: oasdiff, the usual tool, is a Go
binary, openapi-diff a Java one. Paths, operations, parameters, bodies, responses and their
headers are walked here; openapi_schema_diff.py compares the schemas, with their direction.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a file or imported as a module
from openapi_schema_diff import REQUEST, RESPONSE, Issue, SchemaDiff

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "openapi" / "releases"
CURRENT = ROOT / "openapi" / "openapi.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
VERSION = re.compile(r"\d+(\.\d+)*")


@dataclass(frozen=True)
class Change:
    operation: str  # "GET /api/v1/residents", a path, or "securitySchemes"
    where: str      # "response 200 field `items[].phone`"; empty when the whole thing went
    kind: str       # stable: field_removed, enum_value_removed, type_narrowed, ...
    reason: str     # "removed"

    def __str__(self) -> str:
        return f"{self.operation}: {' '.join(filter(None, (self.where, self.reason)))}"


def _success(status: str) -> bool:
    return status[0] in "23"


def _anonymous(doc: dict, op: dict) -> bool:
    """No requirement, or `{}` among the alternatives: callable without credentials."""
    security = op.get("security", doc.get("security", []))
    return not security or any(not requirement for requirement in security)


class _Operations(SchemaDiff):
    def changes(self) -> list[Change]:
        old, new = self.docs["old"], self.docs["new"]
        # `/units/{id}` and `/units/{unit_id}` are the same URL to a client.
        new_paths = {_template(path): (path, item) for path, item in new.get("paths", {}).items()}
        changes = []
        for path, item in old.get("paths", {}).items():
            if _template(path) not in new_paths:
                changes.append(Change(path, "", "path_removed", "path removed"))
                continue
            for method in METHODS:
                if method in item:
                    changes += self.operation(path, method, item, *new_paths[_template(path)])
        new_schemes = new.get("components", {}).get("securitySchemes", {})
        for name, scheme in old.get("components", {}).get("securitySchemes", {}).items():
            if name not in new_schemes:
                changes.append(Change("securitySchemes", f"`{name}`",
                                      "security_scheme_removed", "removed"))
            elif _scheme_shape(scheme) != _scheme_shape(new_schemes[name]):
                changes.append(Change("securitySchemes", f"`{name}`",
                                      "security_scheme_changed", "type, flows or URLs changed"))
        return changes + self.unused_schemas()

    def unused_schemas(self) -> list[Change]:
        """Schemas no operation uses are still read: generated clients type them, and
        catalogues such as `ErrorCode` list what a response may carry."""
        old, new = (self.docs[side].get("components", {}).get("schemas", {})
                    for side in ("old", "new"))
        changes, used = [], reachable(self.docs["old"], self.docs["old"].get("paths", {}))
        for name in sorted(old.keys() - used):
            ref = {"$ref": f"#/components/schemas/{name}"}
            if name not in new:
                changes.append(Change("components.schemas", f"`{name}`", "schema_removed",
                                      "removed"))
                continue
            changes += [Change("components.schemas", f"`{name}` {_named(field)}".strip(),
                               kind, reason)
                        for field, kind, reason in self.schema(ref, ref, "", RESPONSE)]
        return changes

    def operation(self, path: str, method: str, old_item: dict, new_path: str,
                  new_item: dict) -> list[Change]:
        name = f"{method.upper()} {path}"
        if method not in new_item:
            return [Change(name, "", "operation_removed", "operation removed")]
        o, n = old_item[method], new_item[method]
        out: list[tuple[str, Issue]] = []
        if o.get("operationId") != n.get("operationId"):
            out.append(("", ("", "operation_id_changed",
                             f"operationId {o.get('operationId')!r} -> {n.get('operationId')!r}")))
        if _anonymous(self.docs["old"], o) and not _anonymous(self.docs["new"], n):
            out.append(("", ("", "security_added", "now requires authentication")))
        out += self.parameters((path, old_item, o), (new_path, new_item, n))
        out += self.request_body(o.get("requestBody"), n.get("requestBody"))
        for status, answer in o.get("responses", {}).items():
            if status not in n.get("responses", {}):
                if _success(status):
                    out.append(("", ("", "status_removed", f"response {status} removed")))
                continue
            out += self.response(status, self.resolve("old", answer),
                                 self.resolve("new", n["responses"][status]))
        return [Change(name, " ".join(filter(None, (context, _named(field)))), kind, reason)
                for context, (field, kind, reason) in out]

    def parameters(self, old: tuple[str, dict, dict],
                   new: tuple[str, dict, dict]) -> list[tuple[str, Issue]]:
        """Each side: (path, path item, operation)."""
        olds, news = self.parameter_map("old", *old), self.parameter_map("new", *new)
        out = []
        for key, param in olds.items():
            context = f"{param['in']} parameter `{param['name']}`"
            if key not in news:
                out.append((context, ("", "parameter_removed", "removed")))
                continue
            if news[key].get("required") and not param.get("required"):
                out.append((context, ("", "newly_required", "now required")))
            out += [(context, issue) for issue in self.schema(
                _parameter_schema(param), _parameter_schema(news[key]), "", REQUEST)
                if issue[:2] != ("", "nullable_removed")]  # HTTP has no null: it is absent
        for key, param in news.items():
            if key not in olds and param.get("required"):
                out.append((f"{param['in']} parameter `{param['name']}`",
                            ("", "parameter_required", "new required parameter")))
        return out

    def parameter_map(self, side: str, path: str, item: dict, op: dict) -> dict[tuple, dict]:
        """Parameters by what a client sends: header names ignore case, path parameters go
        by position (a renamed `{id}` is the same URL)."""
        found = {}
        slots = [part for part in path.split("/") if part.startswith("{")]
        for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
            param = self.resolve(side, raw)
            name = param["name"]
            key = (("path", slots.index(f"{{{name}}}")) if param["in"] == "path"
                   and f"{{{name}}}" in slots else
                   (param["in"], name.lower() if param["in"] == "header" else name))
            found[key] = param
        return found

    def request_body(self, old: Any, new: Any) -> list[tuple[str, Issue]]:
        if old is None:
            required = new is not None and self.resolve("new", new).get("required")
            return [("request body", ("", "body_required", "newly required"))] if required else []
        o, n = self.resolve("old", old), self.resolve("new", new or {})
        out = []
        if n.get("required") and not o.get("required"):
            out.append(("request body", ("", "newly_required", "now required")))
        for media, content in o.get("content", {}).items():
            context = "request body" + (f" ({media})" if len(o["content"]) > 1 else "")
            if media not in n.get("content", {}):
                out.append(("request body", ("", "media_type_removed",
                                             f"media type `{media}` removed")))
                continue
            out += [(context, issue) for issue in self.schema(
                content.get("schema", True), n["content"][media].get("schema", True), "",
                REQUEST)]
        return out

    def response(self, status: str, o: dict, n: dict) -> list[tuple[str, Issue]]:
        out = []
        new_headers = {name.lower(): h for name, h in n.get("headers", {}).items()}
        for name, header in o.get("headers", {}).items():
            context = f"response {status} header `{name}`"
            if name.lower() not in new_headers:
                out.append((context, ("", "header_removed", "removed")))
                continue
            old_h, new_h = (self.resolve(side, h) for side, h in
                            (("old", header), ("new", new_headers[name.lower()])))
            if old_h.get("required") and not new_h.get("required"):
                out.append((context, ("", "field_optional", "no longer always sent")))
            out += [(context, issue) for issue in self.schema(
                old_h.get("schema", True), new_h.get("schema", True), "", RESPONSE)]
        for media, content in o.get("content", {}).items():
            context = f"response {status}" + (f" ({media})" if len(o["content"]) > 1 else "")
            if media not in n.get("content", {}):
                out.append((f"response {status}", ("", "media_type_removed",
                                                   f"media type `{media}` removed")))
                continue
            out += [(context, issue) for issue in self.schema(
                content.get("schema", True), n["content"][media].get("schema", True), "",
                RESPONSE)]
        return out


def reachable(doc: dict, node: Any) -> set[str]:
    """The component schemas a part of `doc` uses, through any depth of `$ref`s."""
    schemas, names = doc.get("components", {}).get("schemas", {}), set()
    todo: list[Any] = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            name = str(node.get("$ref", "")).removeprefix("#/components/schemas/")
            if name in schemas and name not in names:
                names.add(name)
                todo.append(schemas[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return names


def _template(path: str) -> str:
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))


def _named(field: str) -> str:
    return f"field `{field}`" if field else ""


def _parameter_schema(param: dict) -> Any:
    if "schema" in param:
        return param["schema"]
    content: dict[str, dict] = param.get("content", {})
    return next(iter(content.values()), {}).get("schema", True)


def _scheme_shape(scheme: dict) -> tuple:
    flows = scheme.get("flows", {})
    return (scheme.get("type"), scheme.get("scheme"), scheme.get("in"), scheme.get("name"),
            {flow: (f.get("tokenUrl"), f.get("authorizationUrl")) for flow, f in flows.items()})


def breaking_changes(old: dict, new: dict) -> list[Change]:
    """Everything in `new` that breaks a client written against `old`."""
    return _Operations(old, new).changes()


def release_version(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in path.stem.split("."))


def newest_release(folder: Path = RELEASES) -> Path:
    """The release document with the highest version (`openapi/releases/<version>.json`)."""
    return max((f for f in folder.glob("*.json") if VERSION.fullmatch(f.stem)),
               key=release_version)


@dataclass(frozen=True)
class Correction:
    match: str  # a regular expression over the whole of `str(change)`
    why: str

    def covers(self, change: Change) -> bool:
        return re.fullmatch(self.match, str(change)) is not None


def corrections(release: Path) -> list[Correction]:
    """What a release's document said and its server never did, fixed since: nothing a client
    could rely on (`<version>.corrections.json` beside `<version>.json`, if any)."""
    listed = release.with_name(f"{release.stem}.corrections.json")
    if not listed.exists():
        return []
    return [Correction(**entry) for entry in json.loads(listed.read_text(encoding="utf-8"))]


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str]) -> int:
    if len(argv) not in (0, 2):
        print(__doc__, file=sys.stderr)
        return 2
    old_file, new_file = (Path(argv[0]), Path(argv[1])) if argv else (newest_release(), CURRENT)
    old, new = (json.loads(f.read_text(encoding="utf-8")) for f in (old_file, new_file))
    old_name, new_name = (_shown(f) for f in (old_file, new_file))
    fixes = corrections(old_file)
    changes, corrected = [], 0
    for change in breaking_changes(old, new):
        if any(fix.covers(change) for fix in fixes):
            corrected += 1
        else:
            changes.append(change)
            print(change)
    if corrected:
        print(f"{corrected} changes accepted as corrections of {old_name}")
    before, after = old["info"]["version"], new["info"]["version"]
    if not changes:
        print(f"no breaking change from {old_name} ({before}) to {new_name} ({after})")
        return 0
    if before != after:
        print(f"{len(changes)} breaking changes accepted: info.version {before} -> {after}")
        return 0
    print(f"{len(changes)} breaking changes against {old_name} with info.version still "
          f"{before}: keep them out of v{before.split('.')[0]}, or release a new version")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
