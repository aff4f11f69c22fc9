"""Compare two JSON Schemas (OpenAPI 3.1) for what breaks a client, in one direction.

A request schema may only accept more: every alternative the old one accepted must still pass.
A response schema may only say less: every alternative the new one allows must have been
possible before. An enum value ADDED to a response passes by choice: clients must tolerate
values they do not know (a `default:` branch), or no enum could grow within a version.
"""

from __future__ import annotations

import json
from typing import Any

REQUEST, RESPONSE = "request", "response"
Schema = dict[str, Any]
Issue = tuple[str, str, str]  # field path, kind, reason
Branch = tuple[str, str, Schema]  # JSON type, `$ref` (or ""), the resolved schema
PROSE = {"title", "description", "examples", "example", "default", "deprecated"}
# (keyword, an upper bound?): a request may only loosen them, a response only tighten them.
BOUNDS = (("maxLength", True), ("maximum", True), ("exclusiveMaximum", True),
          ("maxItems", True), ("maxProperties", True), ("minLength", False),
          ("minimum", False), ("exclusiveMinimum", False), ("minItems", False),
          ("minProperties", False))


def _json_type(value: Any) -> str:
    return {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string",
            list: "array", dict: "object"}[type(value)]


def _covers(wide: str, narrow: str) -> bool:
    return wide in (narrow, "any") or (wide, narrow) == ("number", "integer")


def _field(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _under(path: str, sub: str) -> str:
    """`sub`, a field path relative to `path`, from the top (`items` + `[].phone`)."""
    return path + sub if sub[:1] in ("[", "{") or not path else _field(path, sub)


class SchemaDiff:
    """Both documents, for their `$ref`s; `schema()` lists the issues of one pair."""

    def __init__(self, old: dict, new: dict) -> None:
        self.docs = {"old": old, "new": new}
        self.stack: set[tuple[str, ...]] = set()  # $ref pairs being compared (recursion)
        self.cuts = 0
        self.memo: dict[tuple[str, ...], list[Issue]] = {}  # field paths relative to the pair

    def resolve(self, side: str, node: Any) -> Any:
        """Follow `$ref`s; keywords beside a `$ref` apply on top of its target (3.1)."""
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.docs[side]
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def branches(self, side: str, schema: Any) -> list[Branch]:
        """The alternatives a schema allows, one JSON type each: (type, $ref, schema)."""
        ref = ""
        if isinstance(schema, dict) and "$ref" in schema:  # constraints beside it: its own schema
            ref = schema["$ref"] + json.dumps({k: v for k, v in schema.items()
                                               if k not in PROSE and k != "$ref"}, sort_keys=True)
        s = self.resolve(side, schema)
        if s is True or s is None:
            return [("any", "", {})]
        if s is False:
            return []
        for key in ("anyOf", "oneOf"):
            if key in s:
                return [b for sub in s[key] for b in self.branches(side, sub)]
        if "allOf" in s:
            parts = [self.resolve(side, p) for p in s["allOf"]]
            merged: Schema = {k: v for k, v in s.items() if k != "allOf"}
            for p in parts:
                merged = {**merged, **p, "properties": {**merged.get("properties", {}),
                                                        **p.get("properties", {})},
                          "required": [*merged.get("required", []), *p.get("required", [])]}
            s = merged
        values = [s["const"]] if "const" in s else s.get("enum")
        types = s.get("type")
        if types is None:
            types = (sorted({_json_type(v) for v in values}) if values is not None
                     else ["object"] if {"properties", "additionalProperties"} & s.keys()
                     else ["array"] if "items" in s else ["any"])
        out = [(t, ref, s) for t in ([types] if isinstance(types, str) else types)]
        if s.get("nullable") is True and "null" not in types:  # OpenAPI 3.0's spelling
            out.append(("null", "", {}))
        return out

    def schema(self, old: Any, new: Any, field: str, direction: str) -> list[Issue]:
        """Request: every old alternative is still accepted. Response: every new one was
        already possible."""
        olds, news = self.branches("old", old), self.branches("new", new)
        issues: list[Issue] = []
        request = direction == REQUEST
        for b in olds if request else news:
            pairs = [(b, o) if request else (o, b) for o in (news if request else olds)
                     if _covers(o[0], b[0])]
            found = [self.single(o, n, field, direction) for o, n in pairs]
            if found:  # of several alternatives, the one it matches best
                issues += min(found, key=lambda listed: len(listed))
            elif request:
                issues.append((field, "nullable_removed", "no longer accepts null")
                              if b[0] == "null" else
                              (field, "type_narrowed", f"no longer accepts {b[0]}"))
            else:
                issues.append((field, "nullable_added", "may now be null") if b[0] == "null"
                              else (field, "type_widened", f"may now be {b[0]}"))
        return issues

    def single(self, old: Branch, new: Branch, field: str, direction: str) -> list[Issue]:
        if not (old[1] and new[1]):
            return self.constraints(old[2], new[2], field, direction)
        key = (*old[:2], *new[:2], direction)
        if key in self.stack:
            self.cuts += 1
            return []  # a recursive schema: this pair is being compared further up
        found = self.memo.get(key)
        if found is None:
            self.stack.add(key)
            cuts = self.cuts
            try:
                found = self.constraints(old[2], new[2], "", direction)
            finally:
                self.stack.discard(key)
            if self.cuts == cuts:  # nothing cut short by the recursion: true wherever used
                self.memo[key] = found
        return [(_under(field, sub), kind, reason) for sub, kind, reason in found]

    def constraints(self, o: Schema, n: Schema, field: str, direction: str) -> list[Issue]:
        req = direction == REQUEST
        issues: list[Issue] = []
        add = issues.append
        o_vals = [o["const"]] if "const" in o else o.get("enum")
        n_vals = [n["const"]] if "const" in n else n.get("enum")
        if o_vals is not None and n_vals is not None:
            for v in o_vals:
                if v not in n_vals:
                    add((field, "enum_value_removed", f"enum value {v!r} removed"))
        elif n_vals is not None and req:
            add((field, "type_narrowed", f"now limited to {n_vals!r}"))
        elif o_vals is not None and not req:
            add((field, "type_widened", f"no longer limited to {o_vals!r}"))
        for word in ("format", "pattern", "contentMediaType"):
            before, after = o.get(word), n.get(word)
            if before != after and (after is not None if req else before is not None):
                add((field, "type_narrowed" if req else "type_widened",
                     f"{word} {before!r} -> {after!r}"))
        for word, upper in BOUNDS:
            before, after = o.get(word), n.get(word)
            loose, tight = (before, after) if req else (after, before)
            if tight is not None and (loose is None or (tight < loose if upper
                                                        else tight > loose)):
                add((field, "bound_narrowed" if req else "bound_widened",
                     f"{word} {before!r} -> {after!r}"))
        if n.get("uniqueItems") != o.get("uniqueItems") and (o if req else n).get(
                "uniqueItems") is not True:
            add((field, "type_narrowed" if req else "type_widened", "uniqueItems changed"))
        if "items" in o or "items" in n:
            issues += self.schema(o.get("items", True), n.get("items", True), f"{field}[]",
                                  direction)
        return issues + self.object(o, n, field, direction)

    def object(self, o: Schema, n: Schema, field: str, direction: str) -> list[Issue]:
        issues: list[Issue] = []
        o_props, n_props = o.get("properties", {}), n.get("properties", {})
        o_req, n_req = set(o.get("required", [])), set(n.get("required", []))
        for name, sub in o_props.items():
            where = _field(field, name)
            if name not in n_props:
                issues.append((where, "field_removed", "removed"))
            else:
                issues += self.schema(sub, n_props[name], where, direction)
        if direction == REQUEST:
            for name in sorted(n_req - o_req):
                issues.append((_field(field, name), "newly_required",
                               "now required" if name in o_props else "new required field"))
        else:
            for name in sorted(o_req - n_req):
                if name in n_props:
                    issues.append((_field(field, name), "field_optional",
                                   "no longer required (may be absent)"))
        o_extra, n_extra = o.get("additionalProperties"), n.get("additionalProperties")
        if direction == REQUEST and n_extra is False and o_extra is not False:
            issues.append((field, "type_narrowed", "refuses fields it does not declare"))
        elif isinstance(o_extra, dict) or isinstance(n_extra, dict):
            issues += self.schema(o_extra if o_extra is not None else True,
                                  n_extra if n_extra is not None else True, _field(field, "*"),
                                  direction)
        if "propertyNames" in o or "propertyNames" in n:
            issues += self.schema(o.get("propertyNames", True), n.get("propertyNames", True),
                                  f"{field}{{key}}", direction)
        return issues
