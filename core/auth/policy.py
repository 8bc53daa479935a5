"""The password policy: long enough for the environment, not a common password, not the name.

Production asks for at least 10 characters; development accepts 4 so the demo logins (`demo`)
work. In both, passwords from the shipped list of common ones (`common_passwords.txt`,
compared case-insensitively) and the account's own username are refused with a 422 naming
the field and the code `weak_password`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.errors import RequestValidationError
from core.settings import Settings

MIN_LENGTH_PRODUCTION = 10
MIN_LENGTH_DEVELOPMENT = 4
# argon2 hashes anything, but a megabyte "password" is a denial-of-service, not a secret.
MAX_LENGTH = 256

_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def min_length(settings: Settings) -> int:
    return MIN_LENGTH_PRODUCTION if settings.is_production else MIN_LENGTH_DEVELOPMENT


def password_problem(password: str, settings: Settings, *, username: str = "") -> str | None:
    """The validation code that refuses `password`, or None when it is acceptable."""
    if len(password) > MAX_LENGTH:
        return "string_too_long"
    folded = password.casefold()
    if (
        len(password) < min_length(settings)
        or not password.strip()
        or folded in common_passwords()
        or (username and folded == username.strip().casefold())
    ):
        return "weak_password"
    return None


def check_password(
    password: str, settings: Settings, *, field: str = "new_password", username: str = ""
) -> None:
    """Raise the 422 for a password the policy refuses."""
    code = password_problem(password, settings, username=username)
    if code == "string_too_long":
        raise RequestValidationError.single(field, code, max_length=MAX_LENGTH)
    if code:
        raise RequestValidationError.single(field, code, min_length=min_length(settings))
