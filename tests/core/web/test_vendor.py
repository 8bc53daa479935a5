"""`merimna web vendor`: browser assets from the npm registry, installed only when missing."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.web import vendor

FAKE_NPM = """#!/bin/sh
# Records its arguments and lays out the files the real packages contain.
echo "$@" >> "{log}"
prefix=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--prefix" ]; then prefix="$2"; fi
  shift
done
for f in {files}; do mkdir -p "$prefix/$(dirname $f)"; echo x > "$prefix/$f"; done
"""


@pytest.fixture
def fake_npm(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "npm.log"
    script = tmp_path / "npm"
    script.write_text(FAKE_NPM.format(log=log, files=" ".join(vendor.FILES)))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, log


def test_installs_when_missing_and_not_again(fake_npm: tuple[Path, Path], tmp_path: Path) -> None:
    npm, log = fake_npm
    folder = tmp_path / "vendor"
    assert vendor.missing(folder) == list(vendor.FILES)
    assert vendor.install(folder=folder, npm=str(npm)) is True
    args = log.read_text().split()
    assert args[:4] == ["install", "--no-audit", "--no-fund", "--prefix"]
    assert "htmx.org@2" in args and "swagger-ui-dist@5" in args
    assert vendor.missing(folder) == []
    assert vendor.install(folder=folder, npm=str(npm)) is False  # nothing to do
    assert vendor.install(folder=folder, npm=str(npm), force=True) is True
    assert len(log.read_text().splitlines()) == 2


def test_a_failing_npm_is_a_clear_error(tmp_path: Path) -> None:
    npm = tmp_path / "npm"
    npm.write_text("#!/bin/sh\necho 'npm ERR! network unreachable' >&2\nexit 1\n")
    npm.chmod(0o755)
    with pytest.raises(vendor.VendorError, match="network unreachable"):
        vendor.install(folder=tmp_path / "v", npm=str(npm))


def test_the_command_is_registered() -> None:
    from core.cli import build_cli

    result = CliRunner().invoke(build_cli(), ["web", "vendor", "--help"])
    assert result.exit_code == 0
    assert "npm" in result.output


def test_assets_are_never_committed() -> None:
    root = Path(__file__).resolve().parents[3]
    ignored = (root / ".gitignore").read_text().splitlines()
    assert "core/web/static/vendor/" in ignored
    assert root / "core/web/static/vendor" == vendor.VENDOR_DIR
