"""Schemathesis over every operation of the OpenAPI document, authenticated (issue 10 §3).

Runs in-process through the suite's own ASGI client (so the PostgreSQL pool stays in the
tests' event loop): hypothesis drives the cases in a worker thread and hands each request back
to the loop. Path ids are the seeded tenant's own (a tenant seeded for the fuzzer alone: its
deletions must not remove what the isolation probes aim at), so fuzzed bodies and queries reach the
handlers instead of stopping at a 404. Checks: no 5xx, and 2xx responses conform to the schema.
Bounded: a few derandomised examples per operation, so a run costs well under 90 s per tier.
"""

from __future__ import annotations

from typing import Any

import anyio
import anyio.from_thread
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from core.testing import make_staff
from tests.security.conftest import Side, World, path_params, resolve

EXAMPLES_PER_OPERATION = 3
# Operations not fuzzed, and why (each is covered by its own tests).
NOT_FUZZED = {
    ("POST", "/api/v1/auth/logout"): "would revoke the fuzzing session itself",
    ("POST", "/api/v1/auth/password"): "would change the fuzzing user's password",
    ("DELETE", "/api/v1/auth/mfa"): "second-factor flows: tests/core/auth/test_mfa.py",
}


def _operations(schema: Any) -> list[Any]:
    ops = []
    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) not in NOT_FUZZED:
            ops.append(op)
    return ops


async def test_every_operation_survives_fuzzing(client: Any, world: World, fuzz_side: Side) -> None:
    side = fuzz_side  # fuzzed writes and deletions land in a municipality of their own
    fuzzer = await make_staff(side.tenant, world.all_roles)
    admin = await make_staff(None, [], consortium_admin=True)
    schema = schemathesis.openapi.from_dict(world.openapi)
    operations = _operations(schema)
    failures: list[str] = []
    cases = 0

    def run_one(operation: Any) -> None:
        nonlocal cases
        template = operation.path.removeprefix("/api/v1/t/{tenant}")
        token = admin.token if operation.path.startswith("/api/v1/admin") else fuzzer.token

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            nonlocal cases
            for param in path_params(operation.path):
                value = resolve(side, template, param)
                if value is not None and case.path_parameters is not None:
                    case.path_parameters[param] = value
            kwargs = case.as_transport_kwargs(
                base_url="http://testserver", headers={"Authorization": f"Bearer {token}"}
            )
            kwargs.pop("cookies", None)
            response = anyio.from_thread.run(_send, client, kwargs)
            cases += 1
            try:
                case.validate_response(
                    response,
                    checks=[not_a_server_error]
                    + ([response_schema_conformance] if response.status_code < 300 else []),
                )
            except Exception as exc:
                failures.append(f"{case.method} {operation.path}: {str(exc)[:300]}")

        check()

    for operation in operations:
        await anyio.to_thread.run_sync(run_one, operation)
    assert not failures, f"{len(failures)} failing cases:\n" + "\n".join(failures[:40])
    assert len(operations) > 200
    assert cases >= len(operations)
    print(f"schemathesis: {len(operations)} operations, {cases} cases")


async def _send(client: Any, kwargs: dict[str, Any]) -> Any:
    method = kwargs.pop("method")
    url = kwargs.pop("url")
    allowed = {"params", "headers", "json", "content", "data", "files"}
    request = client.build_request(method, url, **{k: v for k, v in kwargs.items() if k in allowed})
    request.read()  # multipart bodies stream; the schema checks read the request again
    return await client.send(request)


pytestmark = pytest.mark.filterwarnings("ignore")
