"""Signing in and out through the staff UI's forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from core.auth.sessions import authenticate
from core.i18n import t
from core.testing import make_staff, make_tenant
from tests.core.web.conftest import csrf_token, html_lang, sign_in, unlabelled


def set_cookie_headers(response: httpx.Response, name: str) -> list[str]:
    return [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]


async def test_login_page_is_greek_by_default(browser: httpx.AsyncClient) -> None:
    for path in ("/", "/login"):
        page = await browser.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert html_lang(page.text) == "el"
        assert t("web.login.title", "el") in page.text
        assert "Όνομα χρήστη" in page.text
        assert 'href="#main"' in page.text  # skip link
        assert not unlabelled(page.text)


async def test_english_with_lang_query_and_remembered_by_cookie(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/login?lang=en")
    assert html_lang(page.text) == "en"
    assert "Username" in page.text and "Sign in" in page.text
    assert set_cookie_headers(page, "merimna_lang")
    again = await browser.get("/login")
    assert html_lang(again.text) == "en"
    back = await browser.get("/login?lang=el")
    assert html_lang(back.text) == "el"


async def test_pages_are_greek_first_whatever_the_browser_prefers(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(page.text) == "el"
    api = await browser.get("/api/v1/auth/me", headers={"Accept-Language": "en"})
    assert api.json()["detail"] == t("error.unauthorized", "en")  # the API negotiates


async def test_login_sets_an_httponly_session_cookie_and_goes_to_the_only_tenant(
    browser: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    response = await sign_in(browser, staff.username, staff.password)
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{tenant.slug}/"
    (cookie,) = set_cookie_headers(response, "merimna_session")
    attrs = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert "path=/" in attrs
    assert not any(a.startswith("max-age") for a in attrs)  # ends with the browser
    assert "secure" not in attrs  # development; production sets it (see below)
    token = cookie.split(";")[0].split("=", 1)[1]
    principal = await authenticate(token)
    assert principal is not None and principal.kind == "cookie"
    home = await browser.get(response.headers["location"])
    assert home.status_code == 200
    assert staff.username in home.text


async def test_production_session_cookie_is_secure(
    browser: httpx.AsyncClient, merimna_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    production = merimna_app.state.settings.model_copy(update={"env": "production"})
    monkeypatch.setattr(merimna_app.state, "settings", production)
    response = await sign_in(browser, staff.username, staff.password)
    (cookie,) = set_cookie_headers(response, "merimna_session")
    assert "secure" in [a.strip().lower() for a in cookie.split(";")]


async def test_several_memberships_lead_to_the_tenant_picker(browser: httpx.AsyncClient) -> None:
    first, second = await make_tenant(name="Δήμος Α"), await make_tenant(name="Δήμος Β")
    staff = await make_staff(first, ["social_worker"])
    from tenants.services import add_membership

    await add_membership(second.slug, staff.user_id, ["psychologist"])
    response = await sign_in(browser, staff.username, staff.password)
    assert response.headers["location"] == "/tenants"
    picker = await browser.get("/tenants")
    assert picker.status_code == 200
    assert f'href="/t/{first.slug}/"' in picker.text
    assert f'href="/t/{second.slug}/"' in picker.text


async def test_next_brings_the_user_back_to_the_page_asked_for(
    browser: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    asked = await browser.get(f"/t/{tenant.slug}/reports")
    assert asked.status_code == 303
    login_url = asked.headers["location"]
    assert login_url.startswith("/login?next=")
    page = await browser.get(login_url)
    assert f'name="next" value="/t/{tenant.slug}/reports"' in page.text
    response = await browser.post(
        "/login",
        data={
            "username": staff.username,
            "password": staff.password,
            "next": f"/t/{tenant.slug}/reports",
            "_csrf_token": csrf_token(page.text),
        },
    )
    assert response.headers["location"] == f"/t/{tenant.slug}/reports"


async def test_next_never_leaves_the_site(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    page = await browser.get("/login")
    response = await browser.post(
        "/login",
        data={
            "username": staff.username,
            "password": staff.password,
            "next": "//evil.example/",
            "_csrf_token": csrf_token(page.text),
        },
    )
    assert response.headers["location"] == f"/t/{tenant.slug}/"


async def test_wrong_password_shows_the_message_and_keeps_the_username(
    browser: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    response = await sign_in(browser, staff.username, "not-the-password")
    assert response.status_code == 401
    assert t("auth.invalid_credentials", "el") in response.text
    assert f'value="{staff.username}"' in response.text
    assert "not-the-password" not in response.text
    assert not set_cookie_headers(response, "merimna_session")


async def test_empty_fields_are_marked_inline(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/login")
    response = await browser.post(
        "/login", data={"username": "", "password": "", "_csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 422
    assert response.text.count('aria-invalid="true"') == 2
    assert t("validation.missing", "el") in response.text
    assert 'class="error-summary"' in response.text


async def test_too_many_attempts_shows_the_wait(
    browser: httpx.AsyncClient, merimna_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    tight = merimna_app.state.settings.model_copy(update={"login_rate_per_account": 2})
    monkeypatch.setattr(merimna_app.state, "settings", tight)
    statuses = [(await sign_in(browser, staff.username, "wrong")).status_code for _ in range(3)]
    assert statuses[:2] == [401, 401]
    assert statuses[2] == 429
    refused = await sign_in(browser, staff.username, staff.password)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert "δευτερόλεπτα" in refused.text


async def test_a_form_without_the_csrf_token_is_refused(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    await browser.get("/login")  # has the CSRF cookie, but the form lacks the field
    response = await browser.post(
        "/login", data={"username": staff.username, "password": staff.password}
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert t("error.csrf_failed", "el") in response.text
    assert not set_cookie_headers(response, "merimna_session")
    forged = await browser.post(
        "/login",
        data={"username": staff.username, "password": staff.password, "_csrf_token": "x" * 80},
    )
    assert forged.status_code == 403


async def test_logout_revokes_the_session(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    token = browser.cookies.get("merimna_session")
    assert token and await authenticate(token) is not None
    home = await browser.get(f"/t/{tenant.slug}/")
    assert 'action="/logout"' in home.text
    response = await browser.post("/logout", data={"_csrf_token": csrf_token(home.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?reason=logged_out"
    assert await authenticate(token) is None
    assert browser.cookies.get("merimna_session") is None
    browser.cookies.set("merimna_session", token)  # the old cookie, kept by an attacker
    again = await browser.get(f"/t/{tenant.slug}/")
    assert again.status_code == 303
    assert "/login" in again.headers["location"]
    login = await browser.get("/login?reason=logged_out")
    assert t("web.login.reason.logged_out", "el") in login.text


async def test_an_expired_session_leads_to_login_with_a_message(
    browser: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant()
    browser.cookies.set("merimna_session", "0" * 32 + ".1.bad")
    response = await browser.get(f"/t/{tenant.slug}/reports?x=1")
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert target.path == "/login"
    assert "reason=expired" in target.query
    assert "next=%2Ft%2F" in target.query
    assert any(h.startswith("merimna_session=;") for h in response.headers.get_list("set-cookie"))
    page = await browser.get(response.headers["location"])
    assert t("web.login.reason.expired", "el") in page.text


async def test_without_a_session_tenant_pages_lead_to_login(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    response = await browser.get(f"/t/{tenant.slug}/")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=%2Ft%2F{tenant.slug}%2F"
    picker = await browser.get("/tenants")
    assert picker.status_code == 303


async def test_signed_in_user_opening_the_login_page_goes_on(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    response = await browser.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{tenant.slug}/"


async def test_a_reset_link_sets_a_new_password(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    admin = await make_staff(tenant, ["tenant_admin"])
    staff = await make_staff(tenant, ["social_worker"])
    issued = await browser.post(
        f"/api/v1/t/{tenant.slug}/staff-accounts/{staff.user_id}/reset-password",
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    assert issued.status_code == 201, issued.text
    link = issued.json()["reset_url"]
    page = await browser.get(link)
    assert page.status_code == 200
    assert not unlabelled(page.text)
    weak = await browser.post(link, data={"new_password": "", "_csrf_token": csrf_token(page.text)})
    assert weak.status_code == 422
    done = await browser.post(
        link, data={"new_password": "a-new-long-passphrase", "_csrf_token": csrf_token(page.text)}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/login?reason=password_reset"
    assert (await sign_in(browser, staff.username, "a-new-long-passphrase")).status_code == 303
    spent = await browser.post(
        link, data={"new_password": "another-passphrase", "_csrf_token": csrf_token(page.text)}
    )
    assert spent.status_code == 422
