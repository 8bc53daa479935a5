"""Per-tenant settings of the Community Centre Roma branch module."""

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
