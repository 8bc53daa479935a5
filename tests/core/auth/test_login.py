"""Signing in and out: tokens, cookies, expiry, and what the audit trail keeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from core.audit.tables import PlatformAuditEvent
from core.auth.sessions import create_session, decode_token, encode_token
from core.auth.tables import AuthSession
from core.context import SESSION_COOKIE
from tests.core.auth.helpers import AUTH, bearer, login


async def test_login_returns_token_user_and_tenants(client: Any, tenant: Any, admin: Any) -> None:
    response = await login(client, admin.username, admin.password)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"] and body["expires_at"]
    assert body["user"] == {
        "id": str(admin.user_id),
        "username": admin.username,
        "display_name": "",
        "is_consortium_admin": False,
    }
    assert [(t["slug"], t["roles"]) for t in body["tenants"]] == [(tenant.slug, ["tenant_admin"])]
    assert body["mfa_enrolment_required"] is False
    me = await client.get(f"{AUTH}/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["user"]["id"] == str(admin.user_id)
    assert me.json()["tenants"][0]["slug"] == tenant.slug


async def test_every_login_is_a_new_session(client: Any, admin: Any) -> None:
    first = (await login(client, admin.username, admin.password)).json()["access_token"]
    second = (await login(client, admin.username, admin.password)).json()["access_token"]
    assert decode_token(first) != decode_token(second)


async def test_bad_password_and_unknown_user_get_the_same_answer(client: Any, admin: Any) -> None:
    wrong = await login(client, admin.username, "not-the-password")
    unknown = await login(client, "nobody-by-this-name", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"


async def test_english_message_on_request(client: Any) -> None:
    response = await client.post(
        f"{AUTH}/login", json={"username": "x", "password": "y"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Wrong username or password")


async def test_login_body_is_validated(client: Any) -> None:
    response = await client.post(f"{AUTH}/login", json={"username": "x", "pasword": "y"})
    assert response.status_code == 422
    fields = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert fields == {"password": "missing", "pasword": "extra_forbidden"}


async def test_logout_revokes_the_token(client: Any, tenant: Any, admin: Any) -> None:
    token = (await login(client, admin.username, admin.password)).json()["access_token"]
    staff_accounts = f"{tenant.api}/staff-accounts"
    assert (await client.get(staff_accounts, headers=bearer(token))).status_code == 200
    out = await client.post(f"{AUTH}/logout", headers=bearer(token))
    assert out.status_code == 204
    again = await client.get(staff_accounts, headers=bearer(token))
    assert again.status_code == 401
    assert again.json()["code"] == "unauthorized"
    assert (await client.get(f"{AUTH}/me", headers=bearer(token))).status_code == 401
    # The fixture's own session is another one and still works.
    assert (await client.get(staff_accounts, headers=admin.headers)).status_code == 200


async def test_logout_without_a_session_is_harmless(client: Any, no_cookies: None) -> None:
    assert (await client.post(f"{AUTH}/logout")).status_code == 204


async def test_expired_token_is_refused(client: Any, tenant: Any, admin: Any) -> None:
    token, _ = await create_session(admin.user_id)
    session_id = decode_token(token)
    assert session_id is not None
    # A well-signed token whose own expiry has passed.
    stale = encode_token(session_id, datetime.now(UTC) - timedelta(seconds=1))
    assert (
        await client.get(f"{tenant.api}/staff-accounts", headers=bearer(stale))
    ).status_code == 401
    # A session cut short in the database, token unchanged.
    await AuthSession.update(
        {AuthSession.expires_at: datetime.now(UTC) - timedelta(minutes=1)}
    ).where(AuthSession.id == session_id)
    assert (
        await client.get(f"{tenant.api}/staff-accounts", headers=bearer(token))
    ).status_code == 401


async def test_tampered_token_is_refused(client: Any, admin: Any) -> None:
    sid, exp, sig = admin.token.split(".")
    forged = f"{sid}.{int(exp) + 3600}.{sig}"
    assert (await client.get(f"{AUTH}/me", headers=bearer(forged))).status_code == 401


async def test_me_needs_a_session(client: Any, no_cookies: None) -> None:
    response = await client.get(f"{AUTH}/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_cookie_login_sets_an_httponly_lax_cookie(
    client: Any, tenant: Any, admin: Any, no_cookies: None
) -> None:
    response = await login(client, admin.username, admin.password, cookie=True)
    assert response.status_code == 200
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in set_cookie
    assert "samesite=lax" in set_cookie.lower()
    assert "Secure" not in set_cookie  # development; production adds it
    # The cookie alone is a session (the staff UI's way).
    assert (await client.get(f"{tenant.api}/staff-accounts")).status_code == 200
    out = await client.post(f"{AUTH}/logout")
    assert out.status_code == 204
    assert (
        f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
        or "Max-Age=0" in out.headers["set-cookie"]
    )
    token = response.json()["access_token"]
    assert (await client.get(f"{AUTH}/me", headers=bearer(token))).status_code == 401


async def test_production_cookie_is_secure(
    client: Any, admin: Any, set_settings: Any, no_cookies: None
) -> None:
    set_settings(env="production")
    # A staff member without admin rights: no MFA enrolment needed.
    response = await login(client, admin.username, admin.password, cookie=True)
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


async def test_audit_keeps_ids_never_usernames_or_passwords(client: Any, admin: Any) -> None:
    request_ids = []
    for username, password in (
        (admin.username, "wrong-password-xyz"),
        ("ghost-user-abc", "ghost-password-abc"),
        (admin.username, admin.password),
    ):
        response = await login(client, username, password)
        request_ids.append(response.headers["x-request-id"])
    events = (
        await PlatformAuditEvent.select()
        .where(PlatformAuditEvent.request_id.is_in(request_ids))
        .output(load_json=True)
    )
    by_request = {e["request_id"]: e for e in events}
    wrong, ghost, ok = (by_request[r] for r in request_ids)
    assert (wrong["outcome"], wrong["user_id"]) == ("failed", admin.user_id)
    assert (ghost["outcome"], ghost["user_id"]) == ("failed", None)
    assert (ok["action"], ok["outcome"], ok["user_id"]) == ("login", "ok", admin.user_id)
    text = json.dumps(events, default=str)
    for secret in (
        admin.username,
        admin.password,
        "wrong-password-xyz",
        "ghost-user-abc",
        "ghost-password-abc",
    ):
        assert secret not in text


async def test_cookie_session_needs_csrf_header_to_change_things(
    client: Any, social_worker: Any, no_cookies: None
) -> None:
    await login(client, social_worker.username, social_worker.password, cookie=True)
    forged = await client.post(
        f"{AUTH}/password",
        json={"current_password": social_worker.password, "new_password": "anything-long-1"},
    )
    assert forged.status_code == 403
    assert forged.json()["code"] == "csrf_failed"
    assert (await client.get(f"{AUTH}/me")).status_code == 200  # reading is fine
