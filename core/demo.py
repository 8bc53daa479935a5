"""The demo consortium: five municipalities from the source pages, with logins and data.

Each tenant's data comes from the `merimna_demo_data` hook (core areas first, then the
tenant's modules), loaded in one transaction per tenant with a fixed seed, so the demo is the
same every time and a failure leaves no half-loaded tenant.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from core import db
from core.auth.accounts import create_user
from core.auth.tables import User
from core.plugin_host import get_host
from core.settings import get_settings
from tenants.resolution import invalidate_tenant, load_tenant
from tenants.schemas import TenantCreate
from tenants.scoping import tenant_context
from tenants.services import add_membership, create_tenant
from tenants.tables import Tenant

ALL_MODULES = ["help_at_home", "family_center", "roma_branch", "food_bank"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    name_en: str
    modules: tuple[str, ...]
    hours: tuple[str, str] = ("08:00", "15:00")


DEMO_TENANTS: tuple[DemoTenant, ...] = (
    DemoTenant("chalandri", "Δήμος Χαλανδρίου", "Municipality of Chalandri", ("family_center",)),
    DemoTenant(
        "kordelio-evosmos",
        "Δήμος Κορδελιού-Ευόσμου",
        "Municipality of Kordelio-Evosmos",
        ("family_center",),
    ),
    DemoTenant("athens", "Δήμος Αθηναίων", "City of Athens", ("family_center", "food_bank")),
    DemoTenant(
        "chios", "Δήμος Χίου", "Municipality of Chios", ("roma_branch",), ("07:00", "15:00")
    ),
    DemoTenant("demo-welfare", "Δήμος Επίδειξης", "Demo Municipality", tuple(ALL_MODULES)),
)


def demo_seed(slug: str) -> int:
    return zlib.crc32(slug.encode())


async def _ensure_user(
    username: str, password: str, *, display_name: str = "", consortium_admin: bool = False
) -> object:
    row = await User.select(User.id).where(User.username == username).first()
    if row:
        return row["id"]
    return await create_user(
        username, password, display_name=display_name, consortium_admin=consortium_admin
    )


async def load_demo(reset: bool = False) -> list[tuple[str, str, str]]:
    """Create what is missing of the demo consortium; returns (login, role, tenant) rows."""
    password = get_settings().demo_password
    host = get_host()
    logins: list[tuple[str, str, str]] = []
    if reset:
        from tenants.lifecycle import delete_tenant

        if get_settings().is_production:
            # The demo slugs are real municipalities' names: never wipe a live one.
            raise RuntimeError("demo --reset is refused when MERIMNA_ENV=production")

        # Synthetic data only, so no export and no suspension first (the CLI's
        # `tenants delete` asks for both); each deletion is one transaction.
        for demo in DEMO_TENANTS:
            if await Tenant.exists().where(Tenant.slug == demo.slug):
                await delete_tenant(demo.slug)
    await _ensure_user(
        "consortium", password, display_name="Διαχείριση κοινοπραξίας", consortium_admin=True
    )
    logins.append(("consortium", "consortium_admin", "-"))
    for demo in DEMO_TENANTS:
        fresh = not await Tenant.exists().where(Tenant.slug == demo.slug)
        async with db.transaction():
            if fresh:
                await create_tenant(
                    TenantCreate(
                        slug=demo.slug,
                        name=demo.name,
                        name_en=demo.name_en,
                        modules=list(demo.modules),
                        operating_hours={d: [list(demo.hours)] for d in WEEKDAYS},
                    )
                )
            for login, role, display in (
                (f"admin@{demo.slug}", "tenant_admin", "Διαχειριστής φορέα"),
                (f"social@{demo.slug}", "social_worker", "Κοινωνική λειτουργός"),
            ):
                user_id = await _ensure_user(login, password, display_name=display)
                await add_membership(demo.slug, user_id, [role])  # type: ignore[arg-type]
                logins.append((login, role, demo.slug))
            if fresh:
                # Inside the transaction: read it uncached, so a failed load caches nothing.
                tenant = await load_tenant(demo.slug)
                assert tenant is not None
                with tenant_context(tenant.id):
                    await db.set_rls_tenant(tenant.id)
                    await host.for_tenant(tenant.modules).demo_data(
                        tenant=tenant.ref, seed=demo_seed(demo.slug)
                    )
        # `--reset` gave the slug a new tenant id: forget what a server may hold of the old.
        await invalidate_tenant(demo.slug)
    return logins
