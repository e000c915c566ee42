"""The Terraform code as data, for policy tests: every block of a module, parsed by python-hcl2.

python-hcl2 keeps expressions as text (``"${aws_kms_key.main.arn}"``) and, from version 8, keeps the
quotes of string literals and marks blocks with ``__is_block__``. ``plain`` removes both, so a test
reads ``bucket["force_destroy"] == "false"`` or ``statement["actions"] == ["s3:GetObject"]``.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
CELL = TERRAFORM / "modules" / "cell"
CELLS = TERRAFORM / "cells"


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items() if key != "__is_block__"}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@dataclass(frozen=True)
class Module:
    """One folder of ``.tf`` files, merged as Terraform merges them."""

    blocks: dict[str, list[dict[str, Any]]]
    text: str

    def _typed(self, kind: str, type_: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for block in self.blocks.get(kind, []):
            for name, body in block.get(type_, {}).items():
                found[name] = body
        return found

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        """Every ``resource "<type_>" "<name>"``, by name."""
        return self._typed("resource", type_)

    def resource(self, type_: str, name: str) -> dict[str, Any]:
        found = self.resources(type_)
        assert name in found, f'no resource "{type_}" "{name}" (there are: {sorted(found)})'
        return found[name]

    def data(self, type_: str) -> dict[str, dict[str, Any]]:
        return self._typed("data", type_)

    def resource_types(self) -> set[str]:
        return {type_ for block in self.blocks.get("resource", []) for type_ in block}

    @property
    def locals(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for block in self.blocks.get("locals", []):
            merged.update(block)
        return merged

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return {name: body for block in self.blocks.get("variable", []) for name, body in block.items()}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return {name: body for block in self.blocks.get("output", []) for name, body in block.items()}


@cache
def module(folder: Path = CELL) -> Module:
    blocks: dict[str, list[dict[str, Any]]] = {}
    texts = []
    for path in sorted(folder.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        for kind, items in plain(hcl2.loads(text)).items():
            blocks.setdefault(kind, []).extend(items)
    return Module(blocks=blocks, text="\n".join(texts))


def cell() -> Module:
    return module(CELL)


def deployment(name: str) -> Module:
    """One cell's root module (``terraform/cells/<name>``)."""
    return module(CELLS / name)


def statements(policy_document: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``statement`` blocks of an ``aws_iam_policy_document``."""
    return list(policy_document.get("statement", []))
