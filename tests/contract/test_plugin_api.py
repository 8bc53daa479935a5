"""The plugin API's promises to module authors: a reference in sync with the code, and no
incompatible change without a version bump."""

from __future__ import annotations

import json
from pathlib import Path

from packaging.version import Version

from core.hookdoc import hook_reference, hook_signatures
from core.hookspecs import API_VERSION
from core.plugin_host import api_compatible

ROOT = Path(__file__).resolve().parents[2]
LOCK = Path(__file__).with_name("hookspecs.lock.json")
REGENERATE = (
    'python -c "import json; from core.hookdoc import hook_signatures; '
    "from core.hookspecs import API_VERSION; print(json.dumps({'api_version': API_VERSION, "
    "'hooks': hook_signatures()}, indent=2))\" > tests/contract/hookspecs.lock.json"
)


def test_the_hook_reference_is_in_sync_with_the_hookspecs() -> None:
    written = (ROOT / "docs/modules/hooks.md").read_text(encoding="utf-8")
    assert written == hook_reference(), (
        "docs/modules/hooks.md is stale: merimna plugins hooks > docs/modules/hooks.md"
    )


def test_no_incompatible_change_without_a_major_bump() -> None:
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    recorded, current = Version(lock["api_version"]), Version(API_VERSION)
    assert current >= recorded, "API_VERSION went backwards"
    if current.major > recorded.major:
        return  # a new major may break anything; record it anew
    now = hook_signatures()
    for hook, spec in lock["hooks"].items():
        assert hook in now, f"hook {hook} was removed: bump API_VERSION's major number"
        params = now[hook]["params"]
        assert isinstance(params, list)
        assert params[: len(spec["params"])] == spec["params"], (
            f"{hook}: parameters changed from {spec['params']} to {params}: bump the major"
        )
        for option in ("firstresult", "historic"):
            assert now[hook][option] == spec[option], f"{hook}: {option} changed: bump the major"


def test_additions_come_with_a_minor_bump_and_are_recorded() -> None:
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    now = hook_signatures()
    if now == lock["hooks"]:
        assert lock["api_version"] == API_VERSION, f"record the new version: {REGENERATE}"
        return
    assert Version(API_VERSION) > Version(lock["api_version"]), (
        "hooks changed compatibly (a hook or a trailing parameter added): bump API_VERSION's "
        "minor number"
    )
    raise AssertionError(f"then record the hooks: {REGENERATE}")


def test_a_module_declares_the_range_it_supports() -> None:
    major = Version(API_VERSION).major
    assert api_compatible(f">={major},<{major + 1}")
    assert not api_compatible(f">={major + 1}")
    assert not api_compatible("not a range")
