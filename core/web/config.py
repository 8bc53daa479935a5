"""What `core.app.create_app` needs from the staff UI, in one object.

Templates come from `core/web/templates` first, then from the `templates/` folder beside the
hooks module of every registered plugin (core areas and installed modules, found like their
`locales/`), so a module's page can extend `base.html`. Module templates go in a sub-folder
named after the module (`templates/food_bank/pickups.html`) so names never collide.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from core.i18n import t
from core.plugin_host import PluginHost
from core.settings import Settings
from core.web import vendor
from core.web.csrf import csrf_config
from core.web.middleware import WebMiddleware, not_routed
from core.web.pages import localized
from core.web.security import security_headers

log = logging.getLogger("merimna.web")

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class WebSetup:
    template_config: TemplateConfig[JinjaTemplateEngine]
    csrf_config: CSRFConfig
    middleware: list[Any]
    before_send: list[Any]
    route_handlers: list[Any]
    exception_handlers: dict[Any, Any]
    swagger: SwaggerRenderPlugin


def _plugin_folder(plugin: Any) -> Path | None:
    path = getattr(plugin, "__file__", None)
    if path is None:  # a plugin object rather than a module: its class's module
        module = inspect.getmodule(type(plugin))
        path = getattr(module, "__file__", None)
    return Path(path).resolve().parent if path else None


def template_dirs(host: PluginHost) -> list[Path]:
    dirs: list[Path] = [HERE / "templates"]
    plugins = [*host.core_plugins, *(info.plugin for info in host.modules.values())]
    for plugin in plugins:
        folder = _plugin_folder(plugin)
        candidate = folder / "templates" if folder else None
        if candidate and candidate.is_dir() and candidate not in dirs:
            dirs.append(candidate)
    return dirs


def _globals(engine: JinjaTemplateEngine) -> None:
    engine.engine.globals.update(t=t, localized=localized)


def swagger_plugin() -> SwaggerRenderPlugin:
    """Swagger UI from `/static/vendor` (installed by `merimna web vendor`), never a CDN."""
    if vendor.missing():
        log.warning("Swagger UI assets are missing: run `merimna web vendor`")
    return SwaggerRenderPlugin(
        js_url=vendor.url(vendor.SWAGGER_JS),
        css_url=vendor.url(vendor.SWAGGER_CSS),
        standalone_preset_js_url=vendor.url(vendor.SWAGGER_PRESET),
        favicon='<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">',
        style="",
    )


def web_setup(settings: Settings, host: PluginHost) -> WebSetup:
    directories: list[Any] = list(template_dirs(host))
    return WebSetup(
        template_config=TemplateConfig(
            directory=directories,
            engine=JinjaTemplateEngine,
            engine_callback=_globals,
        ),
        csrf_config=csrf_config(settings),
        middleware=[DefineMiddleware(WebMiddleware)],
        before_send=[security_headers(settings)],
        route_handlers=[
            create_static_files_router(
                path="/static",
                directories=[HERE / "static"],
                include_in_schema=False,
                name="static",
            )
        ],
        exception_handlers={
            NotFoundException: not_routed,
            MethodNotAllowedException: not_routed,
        },
        swagger=swagger_plugin(),
    )
