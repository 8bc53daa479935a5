"""Per-tenant settings: validated by the core when a tenant enables or changes the module."""

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monthly_limit: int = Field(
        default=4,
        ge=1,
        le=31,
        title="Entries per person per month",
        description="At most this many entries for one person in a calendar month.",
        json_schema_extra={
            "label_el": "Καταχωρίσεις ανά άτομο τον μήνα",
            "label_en": "Entries per person per month",
        },
    )
