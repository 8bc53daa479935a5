"""The import in rounds (validated and built in a worker thread while the previous round is
inserted) keeps the semantics of a file checked whole: all rows or none, and the same report.

Rounds are made small here (5 rows), so a file of a few dozen rows crosses several.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.cli import CLIError
from tests.core.beneficiaries.test_import_reports import (
    HEADER,
    count_people,
    in_tenant,
    rows,
    write_csv,
)


@pytest.fixture(autouse=True)
def small_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.beneficiaries import bulk

    monkeypatch.setattr(bulk, "PERSON_CHUNK", 5)


async def refused(tenant: Any, path: Path) -> str:
    from core.beneficiaries.cli import import_file

    with pytest.raises(CLIError) as info:
        await import_file(tenant.slug, path, quiet=True)
    return str(info.value)


def report(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("row ")]


async def test_rounds_store_everyone_once(
    client: Any, tenant: Any, social_worker: Any, tmp_path: Path
) -> None:
    from core.beneficiaries.cli import import_file
    from core.beneficiaries.tables import BeneficiaryCategory, BeneficiarySearchToken

    data = rows(23)
    assert await import_file(tenant.slug, write_csv(tmp_path / "ok.csv", data), quiet=True) == 23
    assert await count_people(tenant.id) == 23
    categories = await in_tenant(tenant.id, lambda: BeneficiaryCategory.count())
    assert categories == 46  # unemployed;min_income each
    tokens = await in_tenant(tenant.id, lambda: BeneficiarySearchToken.select())
    assert len({t["id"] for t in tokens}) == len(tokens)
    for line in (0, 7, 22):  # first, middle and last round
        response = await client.get(
            f"{tenant.api}/beneficiaries",
            params={"q": data[line][4]},
            headers=social_worker.headers,
        )
        assert [p["amka"] for p in response.json()["items"]] == [data[line][4]]


async def test_an_error_in_a_late_round_stores_nothing(
    tenant: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = rows(23)
    data[17][2] = "not-a-date"  # line 19, round 4
    data[21][6] = "12345"  # line 23, round 5
    message = await refused(tenant, write_csv(tmp_path / "bad.csv", data))
    assert "2 error(s) in 2 row(s)" in message
    assert [line.split(":")[0:2] for line in report(capsys)] == [
        ["row 19", " birth_date"],
        ["row 23", " phone"],
    ]
    assert await count_people(tenant.id) == 0


async def test_a_duplicate_across_rounds_is_found(
    tenant: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = rows(14)
    data[12] = list(data[2])  # line 14 repeats line 4's person
    message = await refused(tenant, write_csv(tmp_path / "dup.csv", data))
    assert "1 error(s) in 1 row(s)" in message
    (line,) = report(capsys)
    assert line.startswith("row 14: amka:") and "[duplicate_amka_in_file]" in line
    assert " 4 " in line.split("amka:")[1]  # names the line it first appears on
    assert await count_people(tenant.id) == 0


async def test_database_conflicts_of_every_round_are_reported(
    tenant: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.beneficiaries.cli import import_file

    first = rows(20)
    assert await import_file(tenant.slug, write_csv(tmp_path / "a.csv", first), quiet=True) == 20
    second = rows(15, start=100)
    second[6] = first[3]  # round 2
    second[13] = first[18]  # round 3
    message = await refused(tenant, write_csv(tmp_path / "b.csv", second))
    assert "2 error(s) in 2 row(s)" in message
    assert [line.split(" [")[-1] for line in report(capsys)] == [
        "duplicate_amka]",
        "duplicate_amka]",
    ]
    assert await count_people(tenant.id) == 20


async def test_validation_errors_come_before_database_checks(
    tenant: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As for a file checked whole: with invalid rows, the report lists those only."""
    from core.beneficiaries.cli import import_file

    first = rows(3)
    assert await import_file(tenant.slug, write_csv(tmp_path / "a.csv", first), quiet=True) == 3
    second = rows(12, start=50)
    second[1] = first[0]  # registered already (round 1)
    second[10][4] = "01013099999"  # invalid AMKA (round 3)
    message = await refused(tenant, write_csv(tmp_path / "b.csv", second))
    assert "1 error(s) in 1 row(s)" in message
    (line,) = report(capsys)
    assert line.startswith("row 12: amka:") and "[invalid_amka]" in line
    assert await count_people(tenant.id) == 3


async def test_case_workers_are_checked_as_the_api_does(
    client: Any,
    tenant: Any,
    other_tenant: Any,
    admin: Any,
    staff_factory: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from core.beneficiaries.cli import import_file

    async def profile(t: Any, staff: Any, **extra: Any) -> str:
        body = {"display_name": "Άννα", "profession": "social_worker", **extra}
        response = await client.post(f"{t.api}/staff", json=body, headers=staff.headers)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    mine = await profile(tenant, admin)
    gone = await profile(tenant, admin, active=False)
    theirs = await profile(other_tenant, await staff_factory(other_tenant, ["tenant_admin"]))
    header = [*HEADER, "case_worker_id"]
    workers = [mine, gone, mine, theirs, "", mine, "", mine]
    data = [[*r, w] for r, w in zip(rows(8), workers, strict=True)]
    message = await refused(tenant, write_csv(tmp_path / "w.csv", data, header=header))
    assert "2 error(s) in 2 row(s)" in message
    assert [line.split(":")[0:2] for line in report(capsys)] == [
        ["row 3", " case_worker_id"],
        ["row 5", " case_worker_id"],
    ]
    assert await count_people(tenant.id) == 0

    ok = [[*r, w] for r, w in zip(rows(8), [mine, "", mine, "", "", mine, "", mine], strict=True)]
    path = write_csv(tmp_path / "ok.csv", ok, header=header)
    assert await import_file(tenant.slug, path, quiet=True) == 8


@pytest.mark.pg
async def test_token_ids_follow_the_rounds_and_the_token_order(tenant: Any, tmp_path: Path) -> None:
    """PostgreSQL draws the ids of token rows: version 4, one first byte per round, ascending
    in the order of the tokens within a round (`bulk.insert_columns`)."""
    from core.beneficiaries.cli import import_file
    from core.beneficiaries.tables import BeneficiarySearchToken

    assert await import_file(tenant.slug, write_csv(tmp_path / "t.csv", rows(23)), quiet=True)
    tokens = await in_tenant(tenant.id, lambda: BeneficiarySearchToken.select())
    assert {t["id"].version for t in tokens} == {4}
    by_prefix: dict[int, list[dict[str, Any]]] = {}
    for t in tokens:
        by_prefix.setdefault(t["id"].bytes[0], []).append(t)
    assert sorted(len({t["beneficiary_id"] for t in g}) for g in by_prefix.values()) == [
        3,
        5,
        5,
        5,
        5,
    ]
    for group in by_prefix.values():
        in_id_order = [t["token"] for t in sorted(group, key=lambda t: t["id"])]
        assert in_id_order == sorted(in_id_order)
