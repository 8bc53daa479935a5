"""Configuration from the environment (and an optional `.env` file).

One typed object, read once per process, so a misconfigured production deployment fails at
start-up with a clear sentence instead of half-working.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "merimna-development-secret-key-do-not-use-in-production"
DEV_MASTER_KEY = "merimna-development-master-key-do-not-use-in-production"


class ConfigurationError(RuntimeError):
    """The configuration cannot run in the requested environment."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MERIMNA_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "production"] = "development"
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'merimna.sqlite'}")
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    master_key: str = DEV_MASTER_KEY
    data_dir: Path = Path("./data")
    demo_password: str = "demo"
    # Bearer tokens and UI sessions; short enough that a lost laptop stops working soon.
    token_ttl_seconds: int = 8 * 3600
    # Login throttling: the benchmark raises these from one loopback address.
    login_rate_per_account: int = 10
    login_rate_per_address: int = 50
    login_rate_window_seconds: int = 300
    db_pool_min: int = 2
    db_pool_max: int = 10
    trace_plugins: bool = False
    log_level: str = "INFO"
    # Notifications (core/scheduling): e-mail over SMTP and SMS through an HTTP provider.
    # Empty host / URL: the log-only channel (development), nothing leaves the machine.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "noreply@merimna.invalid"
    sms_provider_url: str = ""

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def check_production(self) -> None:
        """Refuse the development shortcuts in production, naming each one."""
        if not self.is_production:
            return
        problems = []
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
            problems.append("MERIMNA_SECRET_KEY must be set to a random value of 32+ characters")
        if self.master_key == DEV_MASTER_KEY or len(self.master_key) < 32:
            problems.append("MERIMNA_MASTER_KEY must be set to a random value of 32+ characters")
        if self.is_sqlite:
            problems.append("MERIMNA_DATABASE_URL must point to PostgreSQL, not SQLite")
        if not self.redis_url:
            problems.append("MERIMNA_REDIS_URL must be set (several workers share one store)")
        if problems:
            raise ConfigurationError("production configuration refused: " + "; ".join(problems))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
