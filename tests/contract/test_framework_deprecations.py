"""No route of the core or of an installed module uses a style Litestar has deprecated.

Litestar 3 drops inferred dependencies, untyped `data` bodies and `Parameter(query=...)`; a
handler written that way would stop working on the upgrade. Building the app and its OpenAPI
document registers every handler, so the warnings surface here, naming the route.
"""

from __future__ import annotations

import warnings

from litestar.utils.deprecation import LitestarDeprecationWarning

from core.app import create_app


def test_no_route_uses_a_deprecated_litestar_style() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = create_app()
        assert app.openapi_schema.paths
    deprecated = sorted(
        {
            str(w.message)
            for w in caught
            if issubclass(w.category, LitestarDeprecationWarning | DeprecationWarning)
            and "litestar" in (w.filename + str(w.message)).lower()
        }
    )
    assert deprecated == []
