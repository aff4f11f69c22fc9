"""Breaking changes to apply to the committed document: each kind at a few of the places it can
happen (first, middle, last of the document), with the kind and the reason the check must give."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import orjson
import pytest

from scripts.openapi_compat import CURRENT, reachable

DOC = json.loads(CURRENT.read_text(encoding="utf-8"))
SCHEMAS = DOC["components"]["schemas"]
OPS = [(path, method, op) for path, item in DOC["paths"].items() for method, op in item.items()]
Mutation = Callable[[dict], object]


IN_REQUESTS = reachable(DOC, [[op.get("parameters"), op.get("requestBody")] for *_, op in OPS])
IN_RESPONSES = reachable(DOC, [op["responses"] for *_, op in OPS])


def spread(items: list, n: int = 3) -> list:
    """A few sites from the whole document (first, middle, last...), not one hand-picked."""
    items = sorted(items, key=str)
    return items[:: max(1, len(items) // n)][:n]


def fields(names: set[str], keep: Callable[[str, str, dict], bool]) -> list[tuple[str, str]]:
    return spread([(name, field) for name in names
                   for field, sub in SCHEMAS[name].get("properties", {}).items()
                   if keep(name, field, sub)])


def nullable(sub: dict) -> bool:
    return {"type": "null"} in sub.get("anyOf", [])


def required(name: str, field: str) -> bool:
    return field in SCHEMAS[name].get("required", [])


def string_branch(sub: dict) -> dict | None:
    return next((b for b in [sub, *sub.get("anyOf", [])] if b.get("type") == "string"), None)


def field_at(name: str, field: str) -> str:
    return rf"field `(\S*[.\]])?{re.escape(field)}`"


def prop(doc: dict, name: str, field: str) -> dict:
    return doc["components"]["schemas"][name]["properties"][field]


def replace_prop(doc: dict, name: str, field: str, value: dict) -> None:
    doc["components"]["schemas"][name]["properties"][field] = value


def breaking() -> Iterator[object]:
    """(mutation, kind, what the reason must say): each kind at a few places of the document."""
    def case(label: str, site: object, mutate: Mutation, kind: str, says: str) -> object:
        return pytest.param(mutate, kind, says, id=f"{label}:{site}")

    for path in spread(list(DOC["paths"])):
        yield case("path", path, lambda d, p=path: d["paths"].pop(p), "path_removed",
                   rf"^{re.escape(path)}: path removed$")
    for path, method, _ in spread(OPS):
        where = rf"^{method.upper()} {re.escape(path)}: "
        yield case("operation", path, lambda d, p=path, m=method: d["paths"][p].pop(m),
                   "operation_removed", where + "operation removed$")
        yield case("operationId", path, lambda d, p=path, m=method: d["paths"][p][m].update(
            operationId="renamed_get"), "operation_id_changed", where + "operationId")
        yield case("new required parameter", path,
                   lambda d, p=path, m=method: d["paths"][p][m].setdefault("parameters", [])
                   .append({"name": "added", "in": "query", "required": True,
                            "schema": {"type": "string"}}),
                   "parameter_required", where + "query parameter `added` new required")
    for path, method, _ in spread([o for o in OPS if o[2].get("parameters")]):
        yield case("parameter removed", path, lambda d, p=path, m=method: d["paths"][p][m]
                   .update(parameters=[]), "parameter_removed",
                   rf"^{method.upper()} {re.escape(path)}: \w+ parameter `[^`]+` removed$")
    for path, method, _ in spread([o for o in OPS if o[2]["responses"].get("200")]):
        yield case("success status", path, lambda d, p=path, m=method: d["paths"][p][m][
            "responses"].pop("200"), "status_removed", "response 200 removed")
    optional = [(p, m, i) for p, m, op in OPS for i, x in enumerate(op.get("parameters", []))
                if not x.get("required")]
    for path, method, index in spread(optional):
        yield case("parameter made required", path, lambda d, p=path, m=method, i=index:
                   d["paths"][p][m]["parameters"][i].update(required=True), "newly_required",
                   r"parameter `[^`]+` now required")
    bounded = [(p, m, i) for p, m, op in OPS for i, x in enumerate(op.get("parameters", []))
               if (string_branch(x["schema"]) or {}).get("maxLength")]
    for path, method, index in spread(bounded):
        def lower(d: dict, p: str = path, m: str = method, i: int = index) -> None:
            branch = string_branch(d["paths"][p][m]["parameters"][i]["schema"]) or {}
            branch["maxLength"] -= 1
        yield case("parameter maxLength", path, lower, "bound_narrowed", "maxLength")
    headers = [(p, m, s, h) for p, m, op in OPS for s, r in op["responses"].items()
               for h in r.get("headers", {})]
    for path, method, status, header in spread(headers):
        yield case("header", path, lambda d, p=path, m=method, s=status, h=header:
                   d["paths"][p][m]["responses"][s]["headers"].pop(h), "header_removed",
                   rf"response {status} header `{header}` removed")
    for path, method, _ in spread([o for o in OPS if o[2].get("requestBody")]):
        yield case("request media type", path, lambda d, p=path, m=method: d["paths"][p][m][
            "requestBody"].update(content={"text/plain": {}}), "media_type_removed",
            "request body media type")
    for path, method, _ in spread([o for o in OPS if "text/csv" in json.dumps(o[2])]):
        yield case("response media type", path, lambda d, p=path, m=method: d["paths"][p][m][
            "responses"]["200"]["content"].pop("text/csv"), "media_type_removed",
            "response 200 media type `text/csv` removed")
    for path, method, _ in spread([o for o in OPS if o[2]["security"] == []]):
        yield case("security added", path, lambda d, p=path, m=method: d["paths"][p][m].update(
            security=[{"OAuth2PasswordBearer": []}]), "security_added", "requires auth")
    for name in DOC["components"]["securitySchemes"]:
        yield case("security scheme", name, lambda d, n=name: d["components"][
            "securitySchemes"].pop(n), "security_scheme_removed", rf"`{name}` removed")

    # All of them (small), but the catalogue: `Problem.code` is any string or one of
    # `ErrorCode`'s, so a client never breaks on a code the catalogue no longer lists.
    for name in sorted(n for n in SCHEMAS if "enum" in SCHEMAS[n] and n != "ErrorCode"):
        value = SCHEMAS[name]["enum"][-1]
        yield case("enum value", name, lambda d, n=name, v=value: d["components"]["schemas"][
            n]["enum"].remove(v), "enum_value_removed", f"enum value {value!r} removed")
    for name, field in fields(IN_RESPONSES, lambda n, f, s: True):
        yield case("response field", f"{name}.{field}", lambda d, n=name, f=field: d[
            "components"]["schemas"][n]["properties"].pop(f), "field_removed",
            r"response \d+ (\(\S+\) )?" + field_at(name, field) + " removed")
    for name, field in fields(IN_RESPONSES, lambda n, f, s: required(n, f)):
        yield case("response field optional", f"{name}.{field}", lambda d, n=name, f=field: d[
            "components"]["schemas"][n]["required"].remove(f), "field_optional",
            r"response \d+ (\(\S+\) )?" + field_at(name, field) + " no longer required")
    for name, field in fields(IN_RESPONSES, lambda n, f, s: not nullable(s)):
        yield case("response nullable", f"{name}.{field}", lambda d, n=name, f=field:
                   replace_prop(d, n, f, {"anyOf": [prop(d, n, f), {"type": "null"}]}),
                   "nullable_added", field_at(name, field) + " may now be null")
    for name, field in fields(IN_RESPONSES, lambda n, f, s: s.get("type") == "string"):
        yield case("response type widened", f"{name}.{field}", lambda d, n=name, f=field:
                   replace_prop(d, n, f, {"anyOf": [prop(d, n, f), {"type": "integer"}]}),
                   "type_widened", field_at(name, field) + " may now be integer")
    for name in spread(sorted(n for n in IN_REQUESTS if "properties" in SCHEMAS[n])):
        def add(d: dict, n: str = name) -> None:
            d["components"]["schemas"][n]["properties"]["added"] = {"type": "string"}
            d["components"]["schemas"][n].setdefault("required", []).append("added")
        yield case("new required field", name, add, "newly_required",
                   r"request body field `(\S*[.\]])?added` new required field")
    for name, field in fields(IN_REQUESTS, lambda n, f, s: not required(n, f)):
        yield case("request field required", f"{name}.{field}", lambda d, n=name, f=field: d[
            "components"]["schemas"][n].setdefault("required", []).append(f), "newly_required",
            field_at(name, field) + " now required")
    for name, field in fields(IN_REQUESTS, lambda n, f, s: nullable(s)):
        yield case("request nullable", f"{name}.{field}", lambda d, n=name, f=field: prop(
            d, n, f)["anyOf"].remove({"type": "null"}), "nullable_removed",
            field_at(name, field) + " no longer accepts null")
    for name, field in fields(IN_REQUESTS, lambda n, f, s: (string_branch(s) or {}).get(
            "maxLength")):
        def shorter(d: dict, n: str = name, f: str = field) -> None:
            (string_branch(prop(d, n, f)) or {})["maxLength"] //= 2
        yield case("request maxLength", f"{name}.{field}", shorter, "bound_narrowed",
                   field_at(name, field) + " maxLength")
    for name, field in fields(IN_REQUESTS, lambda n, f, s: string_branch(s) is not None
                              and "pattern" not in (string_branch(s) or {})):
        def pattern(d: dict, n: str = name, f: str = field) -> None:
            (string_branch(prop(d, n, f)) or {})["pattern"] = "^[0-9]+$"
        yield case("request pattern", f"{name}.{field}", pattern, "type_narrowed",
                   field_at(name, field) + " pattern None -> '\\^")
    for name, field in fields(IN_REQUESTS, lambda n, f, s: s.get("type") in {
            "string", "integer", "boolean"}):
        yield case("request type narrowed", f"{name}.{field}", lambda d, n=name, f=field:
                   prop(d, n, f).update(type="array"), "type_narrowed",
                   field_at(name, field) + " no longer accepts")

    for name, field in fields(IN_REQUESTS, lambda n, f, s: string_branch(s) is not None
                              and not {"format", "enum"} & (string_branch(s) or {}).keys()):
        def dated(d: dict, n: str = name, f: str = field) -> None:
            (string_branch(prop(d, n, f)) or {})["format"] = "date"
        yield case("request format", f"{name}.{field}", dated, "type_narrowed",
                   field_at(name, field) + " format None -> 'date'")

        def limited(d: dict, n: str = name, f: str = field) -> None:
            (string_branch(prop(d, n, f)) or {})["enum"] = ["only"]
        yield case("request enum", f"{name}.{field}", limited, "type_narrowed",
                   field_at(name, field) + r" now limited to \['only'\]")
    for name in spread(sorted(n for n in IN_REQUESTS if "properties" in SCHEMAS[n]
                              and SCHEMAS[n].get("additionalProperties") is not False)):
        yield case("request closed", name, lambda d, n=name: d["components"]["schemas"][n]
                   .update(additionalProperties=False), "type_narrowed",
                   "refuses fields it does not declare")
    for name, field in fields(IN_RESPONSES, lambda n, f, s: "format" in (
            string_branch(s) or {})):
        def undated(d: dict, n: str = name, f: str = field) -> None:
            (string_branch(prop(d, n, f)) or {}).pop("format")
        yield case("response format", f"{name}.{field}", undated, "type_widened",
                   field_at(name, field) + " format '[^']+' -> None")
    for name, field in fields(IN_RESPONSES, lambda n, f, s: s.get("type") == "integer"):
        yield case("response integer", f"{name}.{field}", lambda d, n=name, f=field: prop(
            d, n, f).update(type="number"), "type_widened",
            field_at(name, field) + " may now be number")
    for path, method, _ in spread([o for o in OPS if o[1] in {"get", "delete"}]):
        yield case("body required", path, lambda d, p=path, m=method: d["paths"][p][m].update(
            requestBody={"required": True, "content": {"application/json": {}}}), "body_required",
            "request body newly required")
    for name in DOC["components"]["securitySchemes"]:
        other = "http" if DOC["components"]["securitySchemes"][name]["type"] == "apiKey" else (
            "apiKey")
        yield case("security scheme changed", name, lambda d, n=name, t=other: d["components"][
            "securitySchemes"][n].update(type=t), "security_scheme_changed", name)
    unused = sorted(SCHEMAS.keys() - reachable(DOC, DOC["paths"]))
    for name in unused:
        yield case("unused schema", name, lambda d, n=name: d["components"]["schemas"].pop(n),
                   "schema_removed", rf"^components.schemas: `{name}` removed$")


def mutated(mutate: Mutation) -> dict:
    doc = orjson.loads(orjson.dumps(DOC))  # a deep copy, fast
    mutate(doc)
    return doc
