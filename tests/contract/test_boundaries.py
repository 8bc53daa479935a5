"""The module boundary: modules import only `core.api` (import-linter enforces the rule; this
test keeps its list of forbidden core modules complete as the core grows)."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _forbidden() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract.get("source_modules") == ["plugins"] and contract["type"] == "forbidden":
            return set(contract["forbidden_modules"])
    raise AssertionError("the modules-use-core.api contract is missing")


def test_every_core_module_but_api_is_forbidden_to_modules() -> None:
    core_children = {
        f"core.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "core").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    missing = core_children - _forbidden() - {"core.api"}
    assert not missing, f"add to the import-linter contract: {sorted(missing)}"
    assert "tenants" in _forbidden()


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(["lint-imports"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
