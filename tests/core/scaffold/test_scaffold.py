"""`merimna modules new`: the package it writes is complete, installs, and passes its own tests
and the conformance suite, in a virtual environment of its own (so this run's installed
modules stay as they are)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.scaffold import ScaffoldError, new_module

SHAPE = {
    "pyproject.toml",
    "README.md",
    "tests/test_grocery.py",
    "merimna_grocery/__init__.py",
    "merimna_grocery/manifest.py",
    "merimna_grocery/settings.py",
    "merimna_grocery/tables.py",
    "merimna_grocery/schemas.py",
    "merimna_grocery/rules.py",
    "merimna_grocery/services.py",
    "merimna_grocery/routes.py",
    "merimna_grocery/pages.py",
    "merimna_grocery/reports.py",
    "merimna_grocery/demo.py",
    "merimna_grocery/hooks.py",
    "merimna_grocery/piccolo_app.py",
    "merimna_grocery/piccolo_migrations/__init__.py",
    "merimna_grocery/locales/el.json",
    "merimna_grocery/locales/en.json",
    "merimna_grocery/templates/grocery/entries.html",
}


def test_it_writes_every_file_of_the_module_shape(tmp_path: Path) -> None:
    target = new_module("grocery", tmp_path, title_el="Παντοπωλείο", title_en="Grocery")
    assert target == tmp_path / "merimna-grocery"
    files = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}
    migrations = {f for f in files if f.startswith("merimna_grocery/piccolo_migrations/grocery_")}
    assert files - migrations == SHAPE
    assert len(migrations) == 2  # the tables, then the tenant schema one microsecond later
    assert "Παντοπωλείο" in (target / "merimna_grocery/manifest.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["Grocery", "9lives", "a", "with-dash", "x" * 25, "tenants;"])
def test_it_refuses_a_bad_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScaffoldError, match="module name"):
        new_module(name, tmp_path)


def test_it_never_writes_over_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "merimna-grocery").mkdir()
    (tmp_path / "merimna-grocery" / "notes.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="not empty"):
        new_module("grocery", tmp_path)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.sqlite
def test_the_new_module_installs_lists_and_passes_its_tests_and_the_conformance_suite(
    tmp_path: Path,
) -> None:
    target = new_module("grocery_kit", tmp_path, title_el="Παντοπωλείο", title_en="Grocery")
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERIMNA_")}
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], tmp_path, env)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    _run([*pip, "--disable-pip-version-check", "-e", str(target)], tmp_path, env)
    listed = _run([python, "-m", "core.cli", "plugins", "list", "--json"], tmp_path, env)
    module = next(m for m in json.loads(listed.stdout) if m["slug"] == "grocery_kit")
    assert module["distribution"] == "merimna-grocery-kit" and not module["builtin"]
    tests = _run(
        [python, "-m", "pytest", "-q", "-W", "ignore", "--merimna-module", "grocery_kit"],
        target,
        env,
    )
    assert " passed" in tests.stdout and "failed" not in tests.stdout, tests.stdout[-2000:]
