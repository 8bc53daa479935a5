"""The OpenAPI document lists every route, and the form renderer's keys survive it."""

from __future__ import annotations

from typing import Any

from core.plugin_host import get_host


async def test_every_route_is_documented_and_form_labels_stay_on_the_models(client: Any) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text[:500]
    paths = response.json()["paths"]
    for slug, handlers in get_host().tenant_routes():
        prefix = "/api/v1/t/{tenant}/" + (f"modules/{slug}" if slug else "")
        for handler in handlers:
            for path in getattr(handler, "paths", set()):
                documented = [p for p in paths if p.startswith(prefix.rstrip("/"))]
                assert documented, (slug, path)
    # The module models keep their Greek labels for the web forms after generation.
    from merimna_social_grocery.schemas import CardIn

    assert CardIn.model_fields["annual_income"].json_schema_extra["label_el"]  # type: ignore[index]
    assert "label_el" in CardIn.model_json_schema()["properties"]["annual_income"]
