"""ASGI entry point for `merimna serve` (uvicorn imports `core.asgi:app` in each worker)."""

from core.app import create_app

app = create_app()
