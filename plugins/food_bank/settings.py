"""Per-tenant settings of the Food, clothing and toy bank module."""

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
