"""Merimna core: the platform that program modules plug into.

Piccolo finds its engine through a configuration module; ours builds the engine from
`MERIMNA_DATABASE_URL`, so every entry point (CLI, server, tests) shares one way to connect.
"""

import os

os.environ.setdefault("PICCOLO_CONF", "core.piccolo_conf")

__version__ = "0.1.0"
