"""A small OpenAPI 3.0 -> JSON Schema bridge for contract tests against the saved Kalshi spec.

OpenAPI 3.0 marks optional nulls with ``nullable: true``, which JSON Schema does not know; we rewrite
those nodes to ``anyOf [node, null]`` and then validate with Draft 2020-12, resolving ``#/components``
refs inside the same document.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _convert(v)
        for k, v in node.items()
        if k != "nullable" and not k.startswith("x-") and k != "example"
    }
    if node.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


class Spec:
    def __init__(self, path: Path) -> None:
        raw = yaml.safe_load(path.read_text())
        self.paths: dict[str, Any] = raw["paths"]
        self.components = {"schemas": _convert(raw["components"]["schemas"])}
        self._templates = [
            (template, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), template.count("{"))
            for template in self.paths
        ]

    def validator(self, schema_name: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"#/components/schemas/{schema_name}", "components": self.components}
        )

    def operation(self, method: str, path: str) -> dict[str, Any]:
        """The operation for a concrete API path (after /trade-api/v2); literal segments win."""
        matches = sorted((n, t) for t, rx, n in self._templates if rx.match(path))
        if not matches:
            raise KeyError(f"no spec path matches {path}")
        return dict(self.paths[matches[0][1]][method.lower()])

    def response_schema_name(self, method: str, path: str, status: int) -> str:
        response = self.operation(method, path)["responses"][str(status)]
        ref: str = response["content"]["application/json"]["schema"]["$ref"]
        return ref.rsplit("/", 1)[1]

    def request_schema_name(self, method: str, path: str) -> str:
        ref: str = self.operation(method, path)["requestBody"]["content"]["application/json"]["schema"][
            "$ref"
        ]
        return ref.rsplit("/", 1)[1]


@cache
def load_spec(path: Path) -> Spec:
    return Spec(path)


def problems(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message[:160]}"
        for e in validator.iter_errors(instance)
    ]
