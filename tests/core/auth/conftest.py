"""Helpers for the auth tests: signing in over HTTP and tightening the app's settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def set_settings(merimna_app: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Change the settings the running app reads (limits, environment) for one test.

    The auth routes read `app.state.settings`, so a test can lower the login limits or act
    as production without touching the process-wide, cached `get_settings()`.
    """

    def apply(**changes: Any) -> Any:
        new = merimna_app.state.settings.model_copy(update=changes)
        monkeypatch.setattr(merimna_app.state, "settings", new)
        return new

    return apply


@pytest.fixture
def no_cookies(client: Any) -> Iterator[None]:
    """The test client is shared by the whole session: never leave a session cookie in it."""
    client.cookies.clear()
    yield
    client.cookies.clear()
