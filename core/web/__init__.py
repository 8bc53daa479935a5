"""The staff web UI: server-rendered pages (Jinja2), forms rendered from pydantic models.

Pages work without JavaScript; htmx, installed from the npm registry by `merimna web vendor`
and never committed, only makes some of them quicker. Module pages plug in through the hooks
of the "Staff web UI" section of `core/hookspecs.py` and through `merimna_ui_routes`.
"""
