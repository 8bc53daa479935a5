"""Production refuses the development shortcuts, each with a clear sentence."""

from __future__ import annotations

import pytest

from core.settings import DEV_MASTER_KEY, DEV_SECRET_KEY, ConfigurationError, Settings

GOOD = {
    "env": "production",
    "secret_key": "s" * 40,
    "master_key": "m" * 40,
    "database_url": "postgresql://u:p@db:5432/merimna",
    "redis_url": "redis://cache:6379/0",
}


def test_a_complete_production_configuration_starts() -> None:
    Settings(**GOOD).check_production()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"secret_key": DEV_SECRET_KEY}, "MERIMNA_SECRET_KEY"),
        ({"master_key": DEV_MASTER_KEY}, "MERIMNA_MASTER_KEY"),
        ({"database_url": "sqlite:///x.sqlite"}, "PostgreSQL, not SQLite"),
        ({"redis_url": None}, "MERIMNA_REDIS_URL"),
    ],
)
def test_production_refuses(override: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings(**{**GOOD, **override}).check_production()


def test_development_defaults_are_allowed() -> None:
    Settings(env="development").check_production()


def test_serve_refuses_a_bad_production_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from core.cli import cli
    from core.settings import get_settings

    monkeypatch.setenv("MERIMNA_ENV", "production")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "production configuration refused" in result.output
