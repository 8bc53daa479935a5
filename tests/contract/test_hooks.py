"""Meta-tests of the plugin contract: every hook documented and tested (Datasette's rule)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from core import hookspecs

TESTS = Path(__file__).resolve().parents[1]
HOOKS = sorted(
    name for name, obj in vars(hookspecs).items() if name.startswith("merimna_") and callable(obj)
)


def test_there_are_hooks() -> None:
    assert len(HOOKS) >= 15


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_reference_docstring(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert doc, f"{hook} has no docstring"
    assert "Called when" in doc, f"{hook} does not say when it is called"
    signature = inspect.signature(getattr(hookspecs, hook))
    if signature.parameters:
        assert "Args:" in doc, f"{hook} does not document its arguments"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_exercised_by_a_test(hook: str) -> None:
    this = Path(__file__).resolve()
    for path in TESTS.rglob("test_*.py"):
        if path.resolve() != this and hook in path.read_text(encoding="utf-8"):
            return
    pytest.fail(f"no test mentions {hook}: write one that exercises it")
