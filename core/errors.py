"""The one error shape of the API, and the exceptions services raise to produce it.

`{"status_code", "detail", "code", "errors": [{"field", "code", "message"}]}` with `detail` and
`message` in the request's language and `code` stable for machines (CONTRACT.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from core.i18n import t


@dataclass
class FieldError:
    field: str
    code: str
    message: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message}


class AppError(Exception):
    """A refusal with a status, a stable code and a translated message."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        code: str | None = None,
        /,
        *,
        status_code: int | None = None,
        detail: str | None = None,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.code = code or self.code
        self.status_code = status_code or self.status_code
        self.detail = detail or t(f"error.{self.code}", **params)
        self.errors = errors or []
        self.extra = extra or {}
        self.headers = headers or {}
        super().__init__(self.detail)

    def body(self) -> dict[str, Any]:
        return {
            "status_code": self.status_code,
            "detail": self.detail,
            "code": self.code,
            "errors": [e.as_dict() for e in self.errors],
            **self.extra,
        }


class NotFound(AppError):
    """Also what another tenant's object, or one the user may not see, looks like."""

    status_code = 404
    code = "not_found"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"


class RequestValidationError(AppError):
    """422: every offending field, each with a code and a message."""

    status_code = 422
    code = "validation_error"

    @classmethod
    def from_pydantic(cls, exc: ValidationError, prefix: str = "") -> RequestValidationError:
        return cls(errors=[_field_error(e, prefix) for e in exc.errors()])

    @classmethod
    def single(cls, field_name: str, code: str, /, **params: Any) -> RequestValidationError:
        return cls(errors=[FieldError(field_name, code, t(f"validation.{code}", **params))])


def invalid(code: str, /, **params: Any) -> PydanticCustomError:
    """Raise from a pydantic validator to get a stable code and a translated message."""
    return PydanticCustomError(code, t(f"validation.{code}", **params), params or None)


def _field_error(err: Any, prefix: str) -> FieldError:
    loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
    name = ".".join(([prefix] if prefix else []) + loc) or "body"
    code = err.get("type", "invalid")
    ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    key = f"validation.{code}"
    message = t(key, **ctx)
    if message == key:  # a custom error already carries its translated message
        message = err.get("msg") or t("validation.invalid")
    return FieldError(name, code, message, ctx)
