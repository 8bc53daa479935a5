"""The second factor in the UI: enrolment with a QR code and recovery codes shown once,
the code step at sign-in, and administrators held at enrolment in production."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pyotp
import pytest

from core.i18n import t
from core.testing import make_staff, make_tenant
from tests.core.web.conftest import csrf_token, sign_in, unlabelled

SECRET_RE = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
CODE_RE = re.compile(r"<li><code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code></li>")


async def enrol(browser: httpx.AsyncClient) -> tuple[str, list[str]]:
    start = await browser.get("/account/mfa")
    assert start.status_code == 200
    assert 'action="/account/mfa/enrol"' in start.text
    scan = await browser.post("/account/mfa/enrol", data={"_csrf_token": csrf_token(start.text)})
    assert scan.status_code == 200
    assert '<svg role="img"' in scan.text and 'class="qr"' in scan.text
    assert t("web.account.mfa.qr_label", "el") in scan.text
    assert not unlabelled(scan.text)
    found = SECRET_RE.search(scan.text)
    assert found
    secret = found.group(1).replace(" ", "")
    wrong = await browser.post(
        "/account/mfa/confirm", data={"code": "000000", "_csrf_token": csrf_token(scan.text)}
    )
    assert wrong.status_code == 422
    assert t("validation.mfa_invalid", "el") in wrong.text
    done = await browser.post(
        "/account/mfa/confirm",
        data={"code": pyotp.TOTP(secret).now(), "_csrf_token": csrf_token(wrong.text)},
    )
    assert done.status_code == 200, done.text
    codes = CODE_RE.findall(done.text)
    assert len(codes) == 10
    assert done.headers["cache-control"] == "no-store"
    return secret, codes


async def test_enrol_then_sign_in_with_the_second_factor(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    _secret, codes = await enrol(browser)
    status = await browser.get("/account/mfa")
    assert t("web.account.mfa.on", "el") in status.text
    assert codes[0] not in status.text  # shown once

    home = await browser.get(f"/t/{tenant.slug}/")
    await browser.post("/logout", data={"_csrf_token": csrf_token(home.text)})

    first = await sign_in(browser, staff.username, staff.password)
    assert first.status_code == 303
    assert first.headers["location"] == "/login/mfa"
    assert browser.cookies.get("merimna_session") is None
    step = await browser.get("/login/mfa")
    assert step.status_code == 200
    assert not unlabelled(step.text)
    wrong = await browser.post(
        "/login/mfa", data={"code": "123456", "_csrf_token": csrf_token(step.text)}
    )
    assert wrong.status_code == 401
    assert t("error.mfa_invalid", "el") in wrong.text
    done = await browser.post(
        "/login/mfa", data={"code": codes[0], "_csrf_token": csrf_token(step.text)}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/t/{tenant.slug}/"
    assert browser.cookies.get("merimna_session")
    assert (await browser.get(f"/t/{tenant.slug}/")).status_code == 200


async def test_the_code_step_without_a_pending_sign_in_goes_back_to_login(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/login/mfa")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?reason=mfa_expired"


async def test_production_administrators_must_enrol_before_anything_else(
    merimna_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    admin = await make_staff(tenant, ["tenant_admin"])
    production = merimna_app.state.settings.model_copy(update={"env": "production"})
    monkeypatch.setattr(merimna_app.state, "settings", production)
    transport = httpx.ASGITransport(app=merimna_app, client=("127.0.0.1", 50003))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as browser:
        response = await sign_in(browser, admin.username, admin.password)
        assert response.headers["location"] == "/account/mfa"
        held = await browser.get(f"/t/{tenant.slug}/")
        assert held.status_code == 303
        assert held.headers["location"] == "/account/mfa"
        page = await browser.get("/account/mfa")
        assert t("web.account.mfa.required", "el") in page.text
        await enrol(browser)  # the limited session is replaced by a full one
        assert (await browser.get(f"/t/{tenant.slug}/")).status_code == 200
