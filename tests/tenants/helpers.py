"""Running the real `merimna` command line in a subprocess (its own event loop and pool)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def merimna(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    prelude: str = "",
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """`merimna ARGS...` with this test session's database, store and data folder.

    Args:
        env: the whole environment instead (another deployment, see `Deployment`).
        prelude: Python run before the command line (to narrow what it works on).
    """
    return subprocess.run(
        [sys.executable, "-c", f"{prelude}\nfrom core.cli import main; main()", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env if env is not None else os.environ.copy(),
        timeout=timeout,
        check=False,
    )


def failed_with_one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Assert a non-zero exit with exactly one line on stderr containing `words`."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("merimna: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout
