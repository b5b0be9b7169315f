"""Case facts: every figure carries a source file that exists in the course material, and the
known inconsistencies carry notes (the FedEx 360,000 vs 180,000 slip first of all)."""

import math

import pandas as pd
import pytest

from crmkit import DataError
from crmkit.cases import (CASES, FACTS, IMPLEMENTATION_STEPS, SF_KEY_ACCOUNT_TYPES, SF_VALUE_ADDED_SERVICES,
                          SOURCES, case_facts, cite, fact, fedex_lifetime_value)
from crmkit.clv import clv_simple


def test_every_fact_has_a_known_source_and_a_case():
    for f in FACTS:
        for s in f.source.split(","):
            assert s.strip() in SOURCES.index, f.key
        assert f.case in CASES.index, f.key
        assert f.description and f.unit


def test_keys_are_unique_and_ranges_are_ordered():
    keys = [f.key for f in FACTS]
    assert len(keys) == len(set(keys))
    for f in FACTS:
        if f.value is None:
            assert f.low is not None and f.high is not None and f.low < f.high, f.key


def test_case_facts_table_is_tidy_and_complete():
    table = case_facts()
    assert table.index.name == "key" and table.index.is_unique
    assert len(table) == len(FACTS)
    assert list(table.columns) == ["case", "value", "low", "high", "unit", "description", "source", "file", "note"]
    assert table["file"].str.endswith(".txt").all()
    for case in CASES.index:
        assert (case_facts(case)["case"] == case).all()
        assert len(case_facts(case)) >= 3


def test_figures_the_course_digest_cites():
    assert fact("fedex.monthly_revenue") == 1500
    assert fact("fedex.lifetime_years") == 10
    assert fact("fedex.self_service_share") == pytest.approx(2 / 3)
    assert (fact("fedex.taiwan_call_centre_staff"), fact("fedex.taiwan_employees")) == (80, 700)
    assert fact("sf_express.economic_key_account_revenue") == 5_000_000
    assert fact("hope_optical.opportunities_per_month") == (20, 30)
    assert fact("hope_optical.funnel_stages") == 4
    assert fact("hope_optical.average_deal") == 500_000
    assert fact("hope_optical.signing_rate_uplift") == pytest.approx(0.10)
    assert fact("retention.win_vs_keep_cost") == (5, 8)
    assert fact("retention.sell_existing_success") == 0.5 and fact("retention.sell_new_success") == 0.15
    assert fact("ups.existing_customers_satisfied") == 100


def test_inconsistencies_have_notes():
    notes = case_facts()["note"]
    assert "180,000" in notes["fedex.printed_lifetime_value"]
    for key in ["retention.keep_vs_win_cost", "hope_optical.signing_rate_uplift",
                "hope_optical.crm_investment", "sf_express.key_account_types", "retention.top_customer_share"]:
        assert notes[key], key


def test_fedex_printed_value_is_twice_the_arithmetic():
    table = fedex_lifetime_value()
    assert table.loc["computed", "value"] == 1500 * 12 * 10 == clv_simple(1500, 120)
    assert table.loc["printed in source (002)", "value"] == 360_000
    assert table.loc["printed / computed", "value"] == 2.0


def test_fedex_value_with_churn_and_discounting_is_lower():
    # 1% monthly churn and 8% a year discounting: a geometric sum, checked by hand.
    table = fedex_lifetime_value(retention=0.99, annual_discount_rate=0.08)
    r = 1.08 ** (1 / 12) - 1
    by_hand = sum(1500 * 0.99 ** (t - 1) / (1 + r) ** t for t in range(1, 121))
    assert table.loc["computed", "value"] == pytest.approx(by_hand)
    assert table.loc["computed", "value"] < 180_000
    with pytest.raises(DataError, match="annual_discount_rate"):
        fedex_lifetime_value(annual_discount_rate=-0.1)


def test_cite_names_the_source():
    assert cite("fedex.monthly_revenue") == "1,500 USD a month (course material 002)"
    assert cite("fedex.self_service_share").startswith("0.67 share")
    assert "100,000 to 900,000" in cite("hope_optical.crm_investment")


def test_unknown_keys_and_cases_fail_with_a_hint():
    with pytest.raises(DataError, match="Did you mean 'fedex.monthly_revenue'"):
        fact("fedex.monthly_revenu")
    with pytest.raises(DataError, match="case='dhl'"):
        case_facts("dhl")


def test_lists_for_the_notebooks():
    assert len(IMPLEMENTATION_STEPS) == 7 and IMPLEMENTATION_STEPS.index.tolist() == list(range(1, 8))
    assert len(SF_VALUE_ADDED_SERVICES) == fact("sf_express.value_added_services")
    assert set(SF_KEY_ACCOUNT_TYPES["tier"]) <= {"strategic", "economic", "potential", "regular"}
    assert not math.isnan(case_facts().loc["hope_optical.crm_investment", "low"])
    assert isinstance(case_facts().loc["ups.new_business_line", "value"], str)
