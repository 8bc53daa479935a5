"""The document register: uploads checked by their bytes, encrypted at rest, isolation."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tests.core.staff.helpers import codes, in_tenant, make_person

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"BT /F1 12 Tf (Eleni Papadaki AMKA 14037512345) Tj ET\ntrailer\n<< >>\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
    b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def pdf_of_size(size: int) -> bytes:
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    return head + b" " * (size - len(head) - len(tail)) + tail


def folder(tenant: Any) -> Path:
    from core.documents.storage import documents_dir

    return documents_dir(tenant.id)


def files_of(tenant: Any) -> list[Path]:
    path = folder(tenant)
    return sorted(path.iterdir()) if path.is_dir() else []


async def upload(
    client: Any,
    tenant: Any,
    staff: Any,
    owner_id: str,
    *,
    content: bytes = PDF,
    name: str = "ταυτότητα.pdf",
    mime: str = "application/pdf",
    **fields: Any,
) -> Any:
    data = {"owner_type": "person", "owner_id": owner_id, "doc_type": "id_card", **fields}
    return await client.post(
        f"{tenant.api}/documents",
        data=data,
        files={"file": (name, content, mime)},
        headers=staff.headers,
    )


async def test_upload_read_download_delete(client: Any, tenant: Any, social_worker: Any) -> None:
    person = await make_person(client, tenant, social_worker)
    made = await upload(
        client, tenant, social_worker, person, issue_date="2020-01-10", expiry_date="2030-01-09"
    )
    assert made.status_code == 201, made.text
    doc = made.json()
    assert doc["content_type"] == "application/pdf" and doc["size"] == len(PDF)
    assert doc["original_filename"] == "ταυτότητα.pdf"
    assert doc["uploaded_by"] == str(social_worker.user_id)
    assert doc["expiry_date"] == "2030-01-09"

    meta = await client.get(f"{tenant.api}/documents/{doc['id']}", headers=social_worker.headers)
    assert meta.status_code == 200 and meta.json()["id"] == doc["id"]
    listed = await client.get(
        f"{tenant.api}/documents?owner_type=person&owner_id={person}", headers=social_worker.headers
    )
    assert [d["id"] for d in listed.json()["items"]] == [doc["id"]]

    content = await client.get(
        f"{tenant.api}/documents/{doc['id']}/content", headers=social_worker.headers
    )
    assert content.status_code == 200
    assert content.content == PDF
    assert content.headers["content-type"].startswith("application/pdf")
    assert "attachment" in content.headers["content-disposition"]
    assert content.headers["x-content-type-options"] == "nosniff"

    # on disk: one file under a random name, and not the plaintext
    (stored,) = files_of(tenant)
    assert len(stored.name) == 64 and int(stored.name, 16) >= 0
    raw = stored.read_bytes()
    assert raw != PDF and b"%PDF" not in raw and b"Papadaki" not in raw
    assert "ταυτότητα" not in stored.name

    gone = await client.delete(f"{tenant.api}/documents/{doc['id']}", headers=social_worker.headers)
    assert gone.status_code == 204
    assert files_of(tenant) == []
    assert (
        await client.get(f"{tenant.api}/documents/{doc['id']}", headers=social_worker.headers)
    ).status_code == 404


async def test_images_are_accepted(client: Any, tenant: Any, social_worker: Any) -> None:
    person = await make_person(client, tenant, social_worker)
    png = await upload(
        client,
        tenant,
        social_worker,
        person,
        content=PNG,
        name="scan.png",
        mime="image/png",
        doc_type="residence_proof",
    )
    jpeg = await upload(
        client,
        tenant,
        social_worker,
        person,
        content=JPEG,
        name="scan.jpg",
        mime="application/octet-stream",
        doc_type="tax_assessment",
    )
    assert png.status_code == 201 and png.json()["content_type"] == "image/png"
    assert jpeg.status_code == 201 and jpeg.json()["content_type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "name", "mime"),
    [
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64,
            "setup.exe",
            "application/x-msdownload",
        ),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64, "ταυτότητα.pdf", "application/pdf"),
        (b"Just some text pretending to be a PDF\n", "renamed.pdf", "application/pdf"),
        (b"%PDF-1.4 truncated, no trailer", "broken.pdf", "application/pdf"),
    ],
)
async def test_wrong_types_are_refused(
    client: Any, tenant: Any, social_worker: Any, content: bytes, name: str, mime: str
) -> None:
    person = await make_person(client, tenant, social_worker)
    refused = await upload(
        client, tenant, social_worker, person, content=content, name=name, mime=mime
    )
    assert refused.status_code == 422, refused.text
    assert codes(refused) == [("file", "unsupported_file_type")]
    assert files_of(tenant) == []
    listed = await client.get(f"{tenant.api}/documents", headers=social_worker.headers)
    assert listed.json()["items"] == []


async def test_too_large_is_413_and_nothing_stored(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    from core.documents.config import document_settings

    person = await make_person(client, tenant, social_worker)
    limit = document_settings().max_bytes
    big = await upload(client, tenant, social_worker, person, content=pdf_of_size(limit + 1))
    assert big.status_code == 413, big.text[:300]
    assert big.json()["code"] == "document_too_large"
    huge = await upload(client, tenant, social_worker, person, content=pdf_of_size(limit + 200_000))
    assert huge.status_code == 413
    assert files_of(tenant) == []
    ok = await upload(client, tenant, social_worker, person, content=pdf_of_size(limit))
    assert ok.status_code == 201, ok.text[:300]


async def test_metadata_validation_stores_nothing(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    person = await make_person(client, tenant, social_worker)
    reversed_dates = await upload(
        client, tenant, social_worker, person, issue_date="2024-05-01", expiry_date="2024-04-30"
    )
    assert reversed_dates.status_code == 422
    assert codes(reversed_dates) == [("expiry_date", "expiry_before_issue")]
    assert files_of(tenant) == []

    everything = await client.post(
        f"{tenant.api}/documents",
        data={"owner_id": "not-a-uuid", "issue_date": "yesterday"},
        files={"other": ("x.txt", b"x", "text/plain")},
        headers=social_worker.headers,
    )
    assert everything.status_code == 422, everything.text
    fields = {f for f, _ in codes(everything)}
    assert {"owner_type", "owner_id", "doc_type", "issue_date", "file"} <= fields

    unknown = await upload(
        client,
        tenant,
        social_worker,
        person,
        doc_type="passport_photo",
        owner_type="help_at_home.care_plan",
    )
    assert set(codes(unknown)) == {
        ("doc_type", "unknown_doc_type"),
        ("owner_type", "unknown_owner_type"),
    }
    listed = await client.get(f"{tenant.api}/documents", headers=social_worker.headers)
    assert listed.json()["items"] == [] and files_of(tenant) == []


async def test_failed_write_leaves_neither_row_nor_file(
    client: Any, tenant: Any, social_worker: Any, monkeypatch: Any
) -> None:
    from core.documents import storage

    person = await make_person(client, tenant, social_worker)

    async def broken(data: bytes, purpose: str = "") -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(storage, "encrypt_bytes", broken)
    failed = await upload(client, tenant, social_worker, person)
    assert failed.status_code >= 500
    monkeypatch.undo()
    listed = await client.get(f"{tenant.api}/documents", headers=social_worker.headers)
    assert listed.json()["items"] == [] and files_of(tenant) == []


async def test_special_types_only_for_roles_that_see_them(
    client: Any, tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    pedagogue = await staff_factory(tenant, ["pedagogue"])
    person = await make_person(client, tenant, social_worker)
    medical = await upload(client, tenant, social_worker, person, doc_type="medical_certificate")
    plain = await upload(client, tenant, social_worker, person, doc_type="residence_proof")
    seen = await client.get(
        f"{tenant.api}/documents?owner_type=person&owner_id={person}", headers=pedagogue.headers
    )
    assert [d["id"] for d in seen.json()["items"]] == [plain.json()["id"]]
    for path in ("", "/content"):
        hidden = await client.get(
            f"{tenant.api}/documents/{medical.json()['id']}{path}", headers=pedagogue.headers
        )
        assert hidden.status_code == 404


async def test_other_tenant_is_404_and_nothing_stored(
    client: Any, tenant: Any, other_tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    other_worker = await staff_factory(other_tenant, ["social_worker"])
    theirs = await make_person(client, other_tenant, other_worker)
    their_doc = await upload(client, other_tenant, other_worker, theirs)
    did = their_doc.json()["id"]

    into_theirs = await upload(client, tenant, social_worker, theirs)
    assert into_theirs.status_code == 404
    assert files_of(tenant) == []
    for method, path in (
        ("GET", f"/documents/{did}"),
        ("GET", f"/documents/{did}/content"),
        ("DELETE", f"/documents/{did}"),
        ("GET", f"/documents?owner_type=person&owner_id={theirs}"),
    ):
        response = await client.request(method, tenant.api + path, headers=social_worker.headers)
        assert response.status_code == 404, (method, path)
    mine = await client.get(f"{tenant.api}/documents", headers=social_worker.headers)
    assert mine.json()["items"] == []
    # theirs is intact, and its file does not open as another tenant
    intact = await client.get(
        f"{other_tenant.api}/documents/{did}/content", headers=other_worker.headers
    )
    assert intact.content == PDF
    from core.crypto import DecryptionError, KeyUnavailable
    from core.documents import storage

    (their_file,) = files_of(other_tenant)
    async with in_tenant(tenant.id):
        with pytest.raises((DecryptionError, KeyUnavailable)):
            await storage.decrypt_bytes(their_file.read_bytes(), f"document.file:{did}")


async def test_consent_form_is_kept_with_its_consent(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    person = await make_person(client, tenant, social_worker)
    other = await make_person(client, tenant, social_worker, first_name="Άννα")
    form = await upload(client, tenant, social_worker, person, doc_type="consent_form")
    foreign_form = await upload(client, tenant, social_worker, other, doc_type="consent_form")
    url = f"{tenant.api}/beneficiaries/{person}/consents"
    wrong = await client.post(
        url,
        json={"purpose": "referral", "document_id": foreign_form.json()["id"]},
        headers=social_worker.headers,
    )
    assert codes(wrong) == [("document_id", "document_not_of_person")]
    consent = await client.post(
        url,
        json={"purpose": "referral", "document_id": form.json()["id"]},
        headers=social_worker.headers,
    )
    assert consent.status_code == 201, consent.text
    kept = await client.delete(
        f"{tenant.api}/documents/{form.json()['id']}", headers=social_worker.headers
    )
    assert kept.status_code == 409 and kept.json()["code"] == "document_in_use"


async def test_public_functions_and_module_owners(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    from dataclasses import dataclass

    from core.documents import services
    from core.errors import NotFound
    from core.refs import TenantRef

    tenant = await tenant_factory(modules=["help_at_home"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await make_person(client, tenant, worker)
    plans = {UUID(int=42)}

    async def plan_exists(record_id: UUID) -> bool:
        return record_id in plans

    services.register_owner_type("help_at_home.care_plan", plan_exists)

    @dataclass
    class ModuleActor:
        tenant_ref: TenantRef
        user_id: UUID
        request_id: str = "module"
        client: str = "module"
        sees_special_categories: bool = True

    actor = ModuleActor(
        TenantRef(id=tenant.id, slug=tenant.slug, modules=frozenset({"help_at_home"})),
        worker.user_id,
    )
    async with in_tenant(tenant.id):
        saved = await services.save_document(
            actor,
            owner_type="help_at_home.care_plan",
            owner_id=UUID(int=42),
            doc_type="help_at_home.assessment",
            content=PNG,
            filename="katz.png",
        )
        assert await services.document_exists(saved["id"])
        listed = await services.list_documents("help_at_home.care_plan", UUID(int=42))
        assert [d["id"] for d in listed] == [saved["id"]]
        with pytest.raises(NotFound):
            await services.save_document(
                actor,
                owner_type="help_at_home.care_plan",
                owner_id=UUID(int=43),
                doc_type="other",
                content=PDF,
                filename="x.pdf",
            )
        by_person = await services.save_document(
            actor,
            owner_type="person",
            owner_id=person,
            doc_type="id_card",
            content=PDF,
            filename="id.pdf",
            issue_date="2020-01-01",
        )
        assert by_person["issue_date"].isoformat() == "2020-01-01"
    via_api = await client.get(
        f"{tenant.api}/documents?owner_type=help_at_home.care_plan&owner_id={UUID(int=42)}",
        headers=worker.headers,
    )
    assert [d["id"] for d in via_api.json()["items"]] == [str(saved["id"])]
    # a tenant without the module cannot attach to (or see) its records
    plain = await tenant_factory()
    plain_worker = await staff_factory(plain, ["social_worker"])
    plain_person = await make_person(client, plain, plain_worker)
    assert plain_person
    refused = await upload(
        client, plain, plain_worker, str(UUID(int=42)), owner_type="help_at_home.care_plan"
    )
    assert codes(refused) == [("owner_type", "unknown_owner_type")]


async def test_orphan_files_are_swept(client: Any, tenant: Any, social_worker: Any) -> None:
    from core.documents.services import sweep_orphans

    person = await make_person(client, tenant, social_worker)
    kept = await upload(client, tenant, social_worker, person)
    assert kept.status_code == 201
    stray = folder(tenant) / ("ab" * 32)
    stray.write_bytes(b"left over by a failed commit")
    partial = folder(tenant) / ("cd" * 32 + ".part")
    partial.write_bytes(b"half")
    async with in_tenant(tenant.id):
        removed = await sweep_orphans(older_than_seconds=0)
    assert removed == 2
    assert len(files_of(tenant)) == 1
    content = await client.get(
        f"{tenant.api}/documents/{kept.json()['id']}/content", headers=social_worker.headers
    )
    assert content.content == PDF
