"""The reports pages: list, parameters through the form renderer, table, chart, downloads."""

from __future__ import annotations

from datetime import date

import httpx

from core.i18n import t
from core.testing import make_staff, make_tenant
from tests.core.web.conftest import sign_in, unlabelled


async def test_reports_list_and_a_report_with_table_chart_and_downloads(
    browser: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    api = f"/api/v1/t/{tenant.slug}"
    person = {"first_name": "Μαρία", "last_name": "Παπαδοπούλου", "birth_date": "1980-05-01"}
    created = await browser.post(
        f"{api}/beneficiaries",
        json=person,
        headers={"x-csrftoken": browser.cookies["merimna_csrf"]},
    )
    assert created.status_code == 201, created.text

    listing = await browser.get(f"/t/{tenant.slug}/reports")
    assert listing.status_code == 200
    assert "Εγγραφές ανά μήνα" in listing.text
    assert f'href="/t/{tenant.slug}/reports/core.registrations_per_month"' in listing.text

    year = date.today().year
    page = await browser.get(f"/t/{tenant.slug}/reports/core.registrations_per_month")
    assert page.status_code == 200
    assert 'name="year"' in page.text and f'value="{year}"' in page.text
    assert '<table class="report">' in page.text
    assert "<svg" in page.text and 'role="img"' in page.text
    assert f"{year}-{date.today().month:02d}" in page.text
    assert not unlabelled(page.text)
    csv_link = f"{api}/reports/core.registrations_per_month?format=csv"
    assert csv_link in page.text
    assert f"{api}/reports/core.registrations_per_month?format=xlsx" in page.text

    download = await browser.get(csv_link)  # the session cookie works for the API's GET
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "Εγγραφές" in download.content.decode("utf-8-sig")

    chosen = await browser.get(f"/t/{tenant.slug}/reports/core.registrations_per_month?year=2001")
    assert chosen.status_code == 200
    assert "2001-01" in chosen.text
    assert f"{api}/reports/core.registrations_per_month?year=2001&amp;format=csv" in chosen.text


async def test_invalid_parameters_are_shown_inline_with_422(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(browser, staff.username, staff.password)
    page = await browser.get(f"/t/{tenant.slug}/reports/core.registrations_per_month?year=1800")
    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.text
    assert 'value="1800"' in page.text
    assert '<table class="report">' not in page.text
    assert t("web.reports.fill_in", "el") in page.text


async def test_reports_follow_permissions_and_tenants(browser: httpx.AsyncClient) -> None:
    tenant, other = await make_tenant(), await make_tenant(prefix="other")
    volunteer = await make_staff(tenant, ["volunteer"])  # holds no reports.read
    await sign_in(browser, volunteer.username, volunteer.password)
    listing = await browser.get(f"/t/{tenant.slug}/reports")
    assert listing.status_code == 200
    assert t("web.reports.empty", "el") in listing.text
    home = await browser.get(f"/t/{tenant.slug}/")
    assert f'href="/t/{tenant.slug}/reports"' not in home.text  # no menu entry either
    refused = await browser.get(f"/t/{tenant.slug}/reports/core.registrations_per_month")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    unknown = await browser.get(f"/t/{tenant.slug}/reports/core.nothing")
    assert unknown.status_code == 404
    elsewhere = await browser.get(f"/t/{other.slug}/reports/core.registrations_per_month")
    assert elsewhere.status_code == 404
