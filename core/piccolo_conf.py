"""Piccolo's configuration module: the engine from settings, the apps from the plugin host."""

from piccolo.conf.apps import AppRegistry

from core.db import engine
from core.plugin_host import get_host

DB = engine()
APP_REGISTRY = AppRegistry(apps=get_host().piccolo_apps())
