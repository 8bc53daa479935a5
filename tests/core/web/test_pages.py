"""Tenant pages, isolation, HTML error pages, security headers and the API's cookie CSRF."""

from __future__ import annotations

import httpx

from core.i18n import t
from core.plugin_host import get_host
from core.testing import make_staff, make_tenant
from core.web.security import CSP
from tests.core.web.conftest import controls, html_lang, sign_in, unlabelled


async def test_home_shows_tiles_of_the_enabled_modules_only(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant(modules=["food_bank"])
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    home = await browser.get(f"/t/{tenant.slug}/")
    assert home.status_code == 200
    modules = get_host().modules
    # The module's own tiles (or, without any, one from its manifest), nobody else's.
    assert f'href="/t/{tenant.slug}/food_bank/' in home.text
    for other in ("help_at_home", "family_center", "roma_branch"):
        assert modules[other].manifest.title_el not in home.text
        assert f"/t/{tenant.slug}/{other}/" not in home.text
    assert t("web.home.tasks", "el") in home.text
    assert t("web.home.tasks_empty", "el") in home.text  # nothing contributes tasks yet
    assert t("web.home.agenda_empty", "el") in home.text
    assert 'aria-current="page"' in home.text  # "Home" in the menu
    assert "Δήμος Δοκιμής" in home.text  # the tenant's name in the header
    english = await browser.get(f"/t/{tenant.slug}/?lang=en")
    assert html_lang(english.text) == "en"
    assert "Food" in english.text
    assert "Test" in english.text  # name_en


async def test_a_tenant_without_modules_says_so(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    home = await browser.get(f"/t/{tenant.slug}/")
    assert t("web.home.no_modules", "el") in home.text


async def test_a_non_member_gets_404_for_another_tenant(browser: httpx.AsyncClient) -> None:
    mine, other = await make_tenant(), await make_tenant(prefix="other", name="Άλλος Δήμος")
    staff = await make_staff(mine, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    for path in (f"/t/{other.slug}/", f"/t/{other.slug}/reports", "/t/no-such-tenant/"):
        response = await browser.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Άλλος Δήμος" not in response.text
        assert t("web.error.404", "el") in response.text


async def test_unknown_pages_are_html_and_unknown_api_paths_json(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert html_lang(page.text) == "el"
    api = await browser.get("/api/v1/no/such/thing")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


async def test_security_headers_on_every_kind_of_response(browser: httpx.AsyncClient) -> None:
    for path in ("/login", "/health", "/static/app.css", "/no/such/page", "/api/v1/auth/me"):
        response = await browser.get(path)
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "camera=()" in response.headers["permissions-policy"]
        assert response.headers["x-frame-options"] == "DENY"
    assert (await browser.get("/login")).headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in CSP and "script-src 'self';" in CSP


async def test_pages_have_no_inline_script_or_style(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/login")
    assert "<style" not in page.text
    assert " style=" not in page.text
    for chunk in page.text.split("<script")[1:]:
        assert chunk.lstrip().startswith("src="), "inline script"


async def test_interactive_docs_use_local_assets(browser: httpx.AsyncClient) -> None:
    docs = await browser.get("/schema/swagger")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" not in docs.text
    assert "/static/vendor/node_modules/swagger-ui-dist/swagger-ui-bundle.js" in docs.text
    assert "'unsafe-inline'" in docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


async def test_api_writes_with_the_session_cookie_need_the_csrf_header(
    browser: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    url = f"/api/v1/t/{tenant.slug}/beneficiaries"
    listed = await browser.get(url)  # reading with the cookie needs no header
    assert listed.status_code == 200
    refused = await browser.post(url, json={})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    wrong = await browser.post(url, json={}, headers={"x-csrftoken": "x" * 80})
    assert wrong.status_code == 403
    token = browser.cookies.get("merimna_csrf")
    assert token
    allowed = await browser.post(url, json={}, headers={"x-csrftoken": token})
    assert allowed.status_code == 422  # past the CSRF check: the empty body is invalid
    bearer = await browser.post(url, json={}, headers={"Authorization": f"Bearer {staff.token}"})
    assert bearer.status_code == 422  # bearer tokens need no CSRF token


async def test_every_input_on_the_main_pages_has_a_label(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant(modules=["food_bank"])
    staff = await make_staff(tenant, ["tenant_admin"])
    await sign_in(browser, staff.username, staff.password)
    pages = [
        "/login?lang=el",
        "/tenants",
        "/account/mfa",
        f"/t/{tenant.slug}/",
        f"/t/{tenant.slug}/reports",
        f"/t/{tenant.slug}/reports/core.registrations_per_month",
    ]
    seen = 0
    for path in pages:
        response = await browser.get(path)
        assert response.status_code in (200, 303), path
        assert not unlabelled(response.text), path
        seen += len(controls(response.text))
    assert seen >= 1
