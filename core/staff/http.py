"""HTTP helpers shared by the staff, referrals, casework and documents routes.

`BODY_ERRORS`: Litestar's pydantic plugin decodes JSON bodies before the app's own decoder
and keeps only generic messages; the pydantic errors it wraps still carry our stable codes
(`invalid(...)` in validators), so this handler turns them into the contract's 422 with every
field, its code and a message in the request's language.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException

from core.errors import FieldError, RequestValidationError
from core.i18n import t


def _pydantic_errors(exc: BaseException) -> list[dict[str, Any]] | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        errors = getattr(current, "errors", None)
        if callable(errors):
            try:
                errors = errors()
            except Exception:
                errors = None
        if (
            isinstance(errors, list)
            and errors
            and all(isinstance(e, dict) and "type" in e for e in errors)
        ):
            return errors
        current = current.__cause__ or current.__context__
    return None


def field_errors(errors: list[dict[str, Any]], prefix: str = "") -> list[FieldError]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
        code = str(err.get("type", "invalid"))
        params = {
            k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)
        }
        message = t(f"validation.{code}", **params)
        if message == f"validation.{code}":
            message = str(err.get("msg") or t("validation.invalid"))
        name = ".".join(([prefix] if prefix else []) + loc) or "body"
        out.append(FieldError(name, code, message))
    return out


def body_errors(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = _pydantic_errors(exc)
    if errors is None:
        from core.app import handle_exception

        return handle_exception(request, exc)
    failure = RequestValidationError(errors=field_errors(errors))
    return Response(failure.body(), status_code=failure.status_code)


BODY_ERRORS: dict[Any, Any] = {ValidationException: body_errors}
