"""Per-tenant settings of the Family Support Centre module (thresholds live here, not in code)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SessionType = Literal["individual", "couple", "parent_child", "family", "divorce", "grief"]
SESSION_TYPES: tuple[SessionType, ...] = (
    "individual",
    "couple",
    "parent_child",
    "family",
    "divorce",
    "grief",
)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_types: list[SessionType] = Field(
        default_factory=lambda: list(SESSION_TYPES),
        min_length=1,
        description="Session types the centre offers (individual, couple, parent-child, "
        "family, divorce management, grief).",
        json_schema_extra={
            "label_el": "Είδη συνεδριών που προσφέρονται",
            "label_en": "Session types offered",
            "options_el": {
                "individual": "Ατομική",
                "couple": "Ζεύγους",
                "parent_child": "Γονέα - παιδιού",
                "family": "Οικογενειακή",
                "divorce": "Διαχείριση διαζυγίου",
                "grief": "Διαχείριση πένθους",
            },
            "options_en": {
                "individual": "Individual",
                "couple": "Couple",
                "parent_child": "Parent-child",
                "family": "Family",
                "divorce": "Divorce management",
                "grief": "Grief",
            },
        },
    )
    review_threshold: int = Field(
        default=10,
        ge=1,
        le=200,
        description="Sessions in a case after which a supervision review is due (and again "
        "every as many sessions after the last review).",
        json_schema_extra={
            "label_el": "Συνεδρίες ανά περιστατικό πριν την εποπτεία",
            "label_en": "Sessions per case before a supervision review",
        },
    )
    remote_link_template: str = Field(
        default="https://meet.jit.si/{tenant}-ksoi-{session}",
        max_length=300,
        pattern=r"^https://[^\s]+$",
        description="Link of a video session; {tenant} and {session} are filled in.",
        json_schema_extra={
            "label_el": "Πρότυπο συνδέσμου τηλεσυνεδρίας",
            "label_en": "Remote-session link template",
        },
    )
    default_order_deadline_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days from receipt given to a prosecutor order that sets no deadline.",
        json_schema_extra={
            "label_el": "Προθεσμία εισαγγελικής εντολής χωρίς ορισμένη προθεσμία (ημέρες)",
            "label_en": "Default deadline of prosecutor orders without one (days)",
        },
    )
    deadline_warning_days: int = Field(
        default=5,
        ge=0,
        le=60,
        description="Days before an order's deadline when it is flagged as approaching.",
        json_schema_extra={
            "label_el": "Προειδοποίηση πριν τη λήξη προθεσμίας (ημέρες)",
            "label_en": "Warn this many days before a deadline",
        },
    )
    age_of_majority: int = Field(
        default=18,
        ge=14,
        le=21,
        description="Below this age a counselled person is a minor and needs a guardian's "
        "consent or a recorded exception.",
        json_schema_extra={"label_el": "Ηλικία ενηλικίωσης", "label_en": "Age of majority"},
    )
