"""The second factor: enrolment, sign-in with TOTP and recovery codes, production rules."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import pyotp

from core.auth import mfa
from core.auth.tables import User
from core.settings import Settings
from tests.core.auth.helpers import AUTH, bearer, login


async def _enrol(client: Any, headers: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """Enrol and confirm; the confirming code is the previous step's, so `now()` is fresh."""
    enrol = await client.post(f"{AUTH}/mfa/enroll", headers=headers)
    assert enrol.status_code == 200
    secret = enrol.json()["secret"]
    assert enrol.json()["otpauth_uri"].startswith("otpauth://totp/")
    code = pyotp.TOTP(secret).at(time.time() - 30)
    confirm = await client.post(f"{AUTH}/mfa/confirm", json={"code": code}, headers=headers)
    assert confirm.status_code == 200, confirm.text
    return secret, confirm.json()


async def _mfa(client: Any, mfa_token: str, code: str) -> Any:
    return await client.post(f"{AUTH}/mfa", json={"mfa_token": mfa_token, "code": code})


async def test_enrol_confirm_then_login_needs_the_code(
    client: Any, tenant: Any, admin: Any
) -> None:
    secret, confirmed = await _enrol(client, admin.headers)
    codes = confirmed["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert confirmed["access_token"] is None  # a full session stays as it was

    stored = (
        await User.select(User.mfa_secret, User.recovery_codes, User.mfa_enabled)
        .where(User.id == admin.user_id)
        .first()
        .output(load_json=True)
    )
    assert stored["mfa_enabled"] is True
    assert secret not in stored["mfa_secret"]  # sealed at rest
    assert not set(codes) & set(stored["recovery_codes"])  # hashes only

    first = await login(client, admin.username, admin.password)
    assert first.status_code == 200
    assert first.json()["mfa_required"] is True
    assert "access_token" not in first.json()
    mfa_token = first.json()["mfa_token"]
    # The half-way token is no session.
    assert (
        await client.get(f"{tenant.api}/staff-accounts", headers=bearer(mfa_token))
    ).status_code == 401

    wrong = await _mfa(
        client, mfa_token, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "mfa_invalid"

    code = pyotp.TOTP(secret).now()
    done = await _mfa(client, mfa_token, code)
    assert done.status_code == 200, done.text
    token = done.json()["access_token"]
    assert (
        await client.get(f"{tenant.api}/staff-accounts", headers=bearer(token))
    ).status_code == 200
    # The MFA token was spent.
    assert (await _mfa(client, mfa_token, code)).status_code == 401
    # The same code cannot be replayed in a new sign-in.
    again = await login(client, admin.username, admin.password)
    assert (await _mfa(client, again.json()["mfa_token"], code)).status_code == 401


async def test_recovery_code_works_once(client: Any, admin: Any) -> None:
    _secret, confirmed = await _enrol(client, admin.headers)
    recovery = confirmed["recovery_codes"][3]

    first = await login(client, admin.username, admin.password)
    used = await _mfa(client, first.json()["mfa_token"], recovery.upper())
    assert used.status_code == 200, used.text

    second = await login(client, admin.username, admin.password)
    reused = await _mfa(client, second.json()["mfa_token"], recovery)
    assert reused.status_code == 401
    other = await _mfa(client, second.json()["mfa_token"], confirmed["recovery_codes"][4])
    assert other.status_code == 200


async def test_enrol_twice_and_confirm_without_enrolment_conflict(
    client: Any, admin: Any, social_worker: Any
) -> None:
    no_enrolment = await client.post(
        f"{AUTH}/mfa/confirm", json={"code": "123456"}, headers=social_worker.headers
    )
    assert no_enrolment.status_code == 409
    assert no_enrolment.json()["code"] == "mfa_not_enrolled"
    await _enrol(client, admin.headers)
    twice = await client.post(f"{AUTH}/mfa/enroll", headers=admin.headers)
    assert twice.status_code == 409
    assert twice.json()["code"] == "mfa_already_enabled"


async def test_wrong_confirmation_code_is_a_422_on_code(client: Any, admin: Any) -> None:
    enrol = await client.post(f"{AUTH}/mfa/enroll", headers=admin.headers)
    secret = enrol.json()["secret"]
    bad = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    response = await client.post(f"{AUTH}/mfa/confirm", json={"code": bad}, headers=admin.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "code"
    assert response.json()["errors"][0]["code"] == "mfa_invalid"


async def test_disable_needs_a_current_code(client: Any, admin: Any) -> None:
    secret, _ = await _enrol(client, admin.headers)
    wrong = await client.request(
        "DELETE", f"{AUTH}/mfa", json={"code": "12"}, headers=admin.headers
    )
    assert wrong.status_code == 422
    # The next step's code: newer than the one that confirmed.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    off = await client.request("DELETE", f"{AUTH}/mfa", json={"code": code}, headers=admin.headers)
    assert off.status_code == 204
    plain = await login(client, admin.username, admin.password)
    assert plain.status_code == 200
    assert "access_token" in plain.json()


async def test_production_admin_must_enrol_before_anything_else(
    client: Any, tenant: Any, admin: Any, social_worker: Any, set_settings: Any
) -> None:
    set_settings(env="production")
    worker = await login(client, social_worker.username, social_worker.password)
    assert worker.json()["mfa_enrolment_required"] is False

    response = await login(client, admin.username, admin.password)
    assert response.status_code == 200
    body = response.json()
    assert body["mfa_enrolment_required"] is True
    limited = bearer(body["access_token"])
    refused = await client.get(f"{tenant.api}/staff-accounts", headers=limited)
    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa_required"
    me = await client.get(f"{AUTH}/me", headers=limited)
    assert me.status_code == 200
    assert me.json()["mfa_enrolment_required"] is True

    _secret, confirmed = await _enrol(client, limited)
    assert confirmed["access_token"]
    full = bearer(confirmed["access_token"])
    assert (await client.get(f"{tenant.api}/staff-accounts", headers=full)).status_code == 200
    # The limited session was replaced, not upgraded.
    assert (await client.get(f"{AUTH}/me", headers=limited)).status_code == 401


async def test_production_consortium_admin_must_enrol(
    client: Any, consortium_admin: Any, set_settings: Any
) -> None:
    set_settings(env="production")
    response = await login(client, consortium_admin.username, consortium_admin.password)
    assert response.json()["mfa_enrolment_required"] is True


def test_sealed_secret_opens_only_for_its_user_and_key() -> None:
    settings = Settings()
    user, other = UUID(int=1), UUID(int=2)
    secret = mfa.new_secret()
    sealed = mfa.seal_secret(secret, user, settings)
    assert secret not in sealed
    assert mfa.open_secret(sealed, user, settings) == secret
    for attempt in (
        lambda: mfa.open_secret(sealed, other, settings),
        lambda: mfa.open_secret(
            sealed,
            user,
            settings.model_copy(update={"master_key": "another-master-key-of-enough-length-000"}),
        ),
        lambda: mfa.open_secret("v1.broken", user, settings),
    ):
        try:
            attempt()
        except mfa.SealError:
            continue
        raise AssertionError("a sealed secret opened where it must not")


def test_totp_step_refuses_replay_and_far_codes() -> None:
    secret = mfa.new_secret()
    totp = pyotp.TOTP(secret)
    now = time.time()
    step = mfa.totp_step(secret, totp.at(now), after_step=0, now=now)
    assert step == totp.timecode(now)
    assert mfa.totp_step(secret, totp.at(now), after_step=step, now=now) is None
    assert mfa.totp_step(secret, totp.at(now - 90), after_step=0, now=now) is None
    assert mfa.totp_step(secret, "abc", after_step=0, now=now) is None
