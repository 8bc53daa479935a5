"""The three scales of issue 11 (10 k, 100 k, 1 M people): each gets a plan of the same
uneven shape, and a small scale says in its output that it seeds fewer tenants."""

from __future__ import annotations

import pytest

from bench.cli import tenants_note
from bench.generate import MIN_PEOPLE, fit_tenants, plan_consortium


@pytest.mark.parametrize("people", [10_000, 100_000, 1_000_000])
def test_every_scale_has_a_plan_whose_smallest_tenant_keeps_its_share(people: int) -> None:
    tenants = fit_tenants(330, people)
    plans = plan_consortium(tenants, people, people * 5)
    assert len(plans) == tenants
    assert sum(p.beneficiaries for p in plans) == people
    assert min(p.beneficiaries for p in plans) >= MIN_PEOPLE
    # The Zipf shape, not the floor, sized the smallest tenant (its share before flooring).
    harmonic = sum(1.0 / (rank + 1) for rank in range(tenants))
    assert people / (tenants * harmonic) >= MIN_PEOPLE


def test_the_consortium_scales_keep_330_tenants_and_10k_gets_fewer() -> None:
    assert fit_tenants(330, 100_000) == 330
    assert fit_tenants(330, 1_000_000) == 330
    fitted = fit_tenants(330, 10_000)
    assert 1 < fitted < 330
    # The largest count that keeps the shape: one tenant more would not.
    harmonic = sum(1.0 / (rank + 1) for rank in range(fitted + 1))
    assert 10_000 / ((fitted + 1) * harmonic) < MIN_PEOPLE


def test_330_tenants_at_10k_is_refused_without_fitting() -> None:
    with pytest.raises(ValueError):
        plan_consortium(330, 10_000, 50_000)


def test_the_note_names_both_counts() -> None:
    note = tenants_note(330, 96, 10_000)
    assert "330" in note and "96" in note and "10000" in note
