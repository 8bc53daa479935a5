"""The live demo server and the headless chromium of `tests/browser/`, for Help at Home's
browser journey. A package of its own: Playwright's sync API keeps an event loop running
while the browser is open, so its package-scoped fixtures must close before the async tests
of the parent folder run."""

from tests.browser.conftest import artifacts, chromium, live_server, page  # noqa: F401
