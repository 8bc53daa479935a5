"""Tables of the food bank: catalogue, donors and donations, lots and their ledger,
eligibility decisions, distribution days, pickups, snack-pack deliveries.

Quantities are integers in thousandths of the item's unit (`*_milli`). A lot's `on_hand_milli`
is the running balance of its ledger (`food_bank_movement`), written in the same transaction
as each movement, by a guarded update that never lets it go below zero. Free text that may
reveal personal circumstances (notes, a proxy's identity, an override reason) is encrypted
with the tenant's key.
"""

from piccolo.columns import JSON, UUID, Boolean, Date, Integer, Timestamptz, Varchar
from piccolo.table import Table

from core.api import EncryptedText, TenantScoped


class FoodItem(TenantScoped, Table, tablename="food_bank_item"):
    id = UUID(primary_key=True)
    code = Varchar(length=40)
    name_el = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    category = Varchar(length=16)  # food | hygiene | clothing | toy | baby | other
    unit = Varchar(length=8)  # piece | pack | kg | l
    weight_grams = Integer(null=True, default=None)  # per unit
    size = Varchar(length=20, default="")  # clothing
    gender = Varchar(length=8, default="")  # clothing: female | male | unisex
    age_min = Integer(null=True, default=None)  # toys / children's clothing, years
    age_max = Integer(null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()


class Donor(TenantScoped, Table, tablename="food_bank_donor"):
    id = UUID(primary_key=True)
    kind = Varchar(length=16)  # business | individual | parish | supermarket | ngo | other
    name = Varchar(length=200)
    afm = Varchar(length=9, null=True, default=None)
    phone = Varchar(length=16, null=True, default=None)
    email = Varchar(length=254, null=True, default=None)
    address = Varchar(length=300, default="")
    contact_person = Varchar(length=200, default="")
    created_at = Timestamptz()


class Donation(TenantScoped, Table, tablename="food_bank_donation"):
    id = UUID(primary_key=True)
    donor_id = UUID()
    receipt_number = Varchar(length=40)
    received_on = Date()
    warehouse = Varchar(length=40)
    notes = EncryptedText(default="")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class Lot(TenantScoped, Table, tablename="food_bank_lot"):
    id = UUID(primary_key=True)
    item_id = UUID()
    lot_code = Varchar(length=60, default="")
    received_milli = Integer()
    on_hand_milli = Integer()
    date_kind = Varchar(length=12)  # use_by | best_before | none
    expiry = Date(null=True, default=None)
    funding_source = Varchar(length=40)
    donor_id = UUID(null=True, default=None)
    donation_id = UUID(null=True, default=None)
    warehouse = Varchar(length=40)
    storage = Varchar(length=10, default="ambient")  # ambient | chilled | frozen
    condition = Varchar(length=10, default="")  # clothing/toys: new | good | fair
    quarantined = Boolean(default=False)
    received_on = Date()
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class Movement(TenantScoped, Table, tablename="food_bank_movement"):
    """One line of the stock ledger; a lot's on-hand is the sum of its movements."""

    id = UUID(primary_key=True)
    lot_id = UUID()
    item_id = UUID()
    kind = Varchar(length=16)  # receipt | distribution | snack_pack | transfer | waste | adjustment
    quantity_milli = Integer()  # signed
    reason = Varchar(length=40, default="")
    note = EncryptedText(default="")
    reference_type = Varchar(length=20, default="")
    reference_id = UUID(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class Eligibility(TenantScoped, Table, tablename="food_bank_eligibility"):
    id = UUID(primary_key=True)
    person_id = UUID()
    household_key = UUID()  # the household's id, or the person's when they have none
    mode = Varchar(length=16)
    eligible = Boolean()
    reasons = JSON(default=[])
    household_size = Integer()
    equivalence_weight = Varchar(length=10, default="")
    annual_income_cents = Integer(null=True, default=None)
    ceiling_cents = Integer(null=True, default=None)
    disabled_members = Integer(default=0)
    valid_from = Date()
    valid_until = Date(null=True, default=None)
    notes = EncryptedText(default="")
    checked_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class DistributionDay(TenantScoped, Table, tablename="food_bank_distribution_day"):
    id = UUID(primary_key=True)
    day = Date()
    starts = Varchar(length=5)  # HH:MM local
    ends = Varchar(length=5)
    slot_minutes = Integer(default=15)
    warehouse = Varchar(length=40)
    channel = Varchar(length=16, default="distribution")
    staff_id = UUID(null=True, default=None)
    title = Varchar(length=200, default="")
    # planned -> open (the distribution is under way; the pickup screen attaches to it)
    # -> closed (no more bookings or pickups); a closed day may be opened again.
    status = Varchar(length=8, default="planned")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class Pickup(TenantScoped, Table, tablename="food_bank_pickup"):
    id = UUID(primary_key=True)
    person_id = UUID()
    household_key = UUID()
    eligibility_id = UUID(null=True, default=None)
    distribution_day_id = UUID(null=True, default=None)
    appointment_id = UUID(null=True, default=None)
    channel = Varchar(length=16)
    day = Date()
    household_size = Integer()
    total_grams = Integer(default=0)
    by_proxy = Boolean(default=False)
    proxy_name = EncryptedText(default="")
    proxy_document = EncryptedText(default="")
    proxy_authorisation = Boolean(default=False)
    override = Boolean(default=False)
    override_reason = EncryptedText(default="")
    confirmed = Boolean(default=True)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class SnackDelivery(TenantScoped, Table, tablename="food_bank_snack_delivery"):
    id = UUID(primary_key=True)
    person_id = UUID()
    household_key = UUID()
    week_start = Date()
    delivered_via = Varchar(length=10)  # school | household
    school_name = Varchar(length=200, default="")
    children = JSON(default={})  # {school_level: children}
    packs = JSON(default={})  # {school_level: packs}
    total_packs = Integer()
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class IssueLine(TenantScoped, Table, tablename="food_bank_issue_line"):
    """What left the stock for a pickup or a snack-pack delivery, lot by lot."""

    id = UUID(primary_key=True)
    issue_type = Varchar(length=10)  # pickup | snack
    issue_id = UUID()
    item_id = UUID()
    lot_id = UUID()
    quantity_milli = Integer()
    funding_source = Varchar(length=40)
    grams = Integer(default=0)
    created_at = Timestamptz()


TENANT_TABLES = (
    FoodItem,
    Donor,
    Donation,
    Lot,
    Movement,
    Eligibility,
    DistributionDay,
    Pickup,
    SnackDelivery,
    IssueLine,
)
