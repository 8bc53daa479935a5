"""A live `merimna serve` on a free loopback port with its own SQLite database loaded by
`merimna demo`, and one headless Debian chromium driven by Playwright for the session.

Screenshots go to `test-artifacts/browser/` (gitignored); the folder is printed at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services import free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def _env(base: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERIMNA_")}
    env.update(
        MERIMNA_DATABASE_URL=f"sqlite:///{base / 'live.sqlite'}",
        MERIMNA_DATA_DIR=str(base / "data"),
        MERIMNA_ENV="development",
        MERIMNA_DEMO_PASSWORD="demo",
    )
    return env


@pytest.fixture(scope="package")
def live_server() -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh")
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="merimna-browser-", dir=shm if shm.is_dir() else None))
    env = _env(base)
    merimna = [sys.executable, "-m", "core.cli"]
    demo = subprocess.run(
        [*merimna, "demo"], env=env, cwd=base, capture_output=True, text=True, timeout=600
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    port = free_port()
    log = open(base / "server.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [*merimna, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=base,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((base / "server.log").read_text()[-3000:])
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(base, ignore_errors=True)


# Package scope: Playwright's sync API keeps an event loop running in this thread while it
# is open, which would stop every async test collected after this package.
@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="package")
def artifacts() -> Iterator[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield ARTIFACTS
    print(f"\nbrowser screenshots: {ARTIFACTS}")


@pytest.fixture
def page(chromium: Any, live_server: str) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server, locale="el-GR", accept_downloads=True)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


UNLABELLED_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'image'].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))
"""


def unlabelled(page: Any) -> list[str]:
    """Accessibility smoke check: every visible form control has a label."""
    return list(page.evaluate(UNLABELLED_JS))


def log_in(page: Any, username: str, password: str = "demo") -> None:
    page.goto("/login")
    page.get_by_label("Όνομα χρήστη").fill(username)
    page.get_by_label("Κωδικός πρόσβασης").fill(password)
    page.get_by_role("button", name="Σύνδεση").click()
    page.wait_for_load_state()


def shoot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
