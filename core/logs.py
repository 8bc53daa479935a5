"""Structured logs: one JSON object per line, with the request id and tenant slug.

Log records carry ids and codes, never personal data; the request id ties a line to the
audit trail and to the `x-request-id` header the client saw.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from core.context import request_id_var
from tenants.scoping import current_tenant_id_or_none


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        tenant = current_tenant_id_or_none()
        if tenant is not None:
            entry["tenant_id"] = str(tenant)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Piccolo logs every engine start at INFO; httpx logs every test request.
    for noisy in ("piccolo", "httpx", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
