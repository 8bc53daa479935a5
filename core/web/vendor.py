"""Third-party browser assets, installed from the npm registry at set-up, never committed.

`merimna web vendor` runs `npm install` into `core/web/static/vendor/` (ignored by git) when a
file is missing: htmx (light interactivity; every page also works without it) and
swagger-ui-dist (the interactive API docs under /schema, served from here rather than from
a CDN, so an offline installation has them and the Content-Security-Policy stays 'self').
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
PACKAGES = ("htmx.org@2", "swagger-ui-dist@5")
HTMX = "node_modules/htmx.org/dist/htmx.min.js"
SWAGGER_JS = "node_modules/swagger-ui-dist/swagger-ui-bundle.js"
SWAGGER_PRESET = "node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js"
SWAGGER_CSS = "node_modules/swagger-ui-dist/swagger-ui.css"
FILES = (HTMX, SWAGGER_JS, SWAGGER_PRESET, SWAGGER_CSS)


class VendorError(RuntimeError):
    """The assets could not be installed (no npm, no registry, an unexpected package)."""


def url(relative: str) -> str:
    return f"/static/vendor/{relative}"


def missing(folder: Path = VENDOR_DIR) -> list[str]:
    return [name for name in FILES if not (folder / name).is_file()]


def htmx_url() -> str | None:
    """Where pages load htmx from, or None when it is not installed (pages still work)."""
    return url(HTMX) if (VENDOR_DIR / HTMX).is_file() else None


def install(*, force: bool = False, folder: Path = VENDOR_DIR, npm: str | None = None) -> bool:
    """Install the assets when one is missing (or always with `force`); True if npm ran."""
    if not force and not missing(folder):
        return False
    npm = npm or shutil.which("npm")
    if not npm:
        raise VendorError("npm is not installed (Debian: apt-get install -y npm)")
    folder.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), *PACKAGES]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise VendorError(f"npm install failed ({result.returncode}): {last[0]}")
    still = missing(folder)
    if still:
        raise VendorError(f"npm installed the packages but these files are missing: {still}")
    return True


@click.group(help="The staff web UI.")
def web() -> None:
    pass


@web.command(
    "vendor",
    help="Install htmx and the Swagger UI assets from the npm registry into "
    "core/web/static/vendor (only when missing, unless --force).",
)
@click.option("--force", is_flag=True, help="Reinstall even when every file is present.")
def vendor_command(force: bool) -> None:
    from core.cli import CLIError

    try:
        ran = install(force=force)
    except VendorError as exc:
        raise CLIError(str(exc)) from exc
    click.echo("web assets: installed" if ran else "web assets: up to date")
