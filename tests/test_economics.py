"""CRM economics: the funnel and ROI arithmetic by hand, retention profit against the closed-form
geometric sum (Gupta & Lehmann 2003, margin at period end), and the satisfaction-value table on a
small frame whose answer is counted by hand."""

import numpy as np
import pandas as pd
import pytest

from crmkit import DataError
from crmkit.economics import (crm_roi, retention_profit, sales_funnel, satisfaction_value,
                              signing_rate_after)


def test_funnel_multiplies_the_stage_rates():
    t = sales_funnel(30, [0.5, 0.4, 0.25], deal_value=500_000)
    assert t.index.tolist()[0].startswith("intent") and t.index.tolist()[-1].startswith("signed")
    assert t["reached"].tolist() == pytest.approx([30, 15, 6, 1.5])
    assert t["share_of_opportunities"].iloc[-1] == pytest.approx(0.05)
    assert t["value"].iloc[-1] == pytest.approx(750_000) and t["value"].iloc[:-1].isna().all()


def test_funnel_rejects_wrong_rates():
    with pytest.raises(DataError, match="4 stages need 3 stage_rates"):
        sales_funnel(25, [0.5, 0.5])
    with pytest.raises(DataError, match=r"must lie in \[0, 1\]"):
        sales_funnel(25, [0.5, 1.5, 0.5])


def test_signing_rate_uplift_both_readings():
    assert signing_rate_after(0.2, 0.1) == pytest.approx(0.22)
    assert signing_rate_after(0.2, 0.1, kind="points") == pytest.approx(0.30)
    with pytest.raises(DataError, match="outside"):
        signing_rate_after(0.95, 0.1, kind="points")
    with pytest.raises(DataError, match="kind="):
        signing_rate_after(0.2, 0.1, kind="percent")


def test_crm_roi_by_hand():
    # 25 opportunities x 4 salespeople x 12 months = 1,200; 20% -> 240 deals; +10% -> 264 deals.
    t = crm_roi(25, 0.2, uplift=0.1, deal_value=500_000, margin_rate=0.25, salespeople=4, months=12,
                investment=600_000, running_cost_per_month=10_000)
    base, crm = t.loc["without CRM"], t.loc["with CRM"]
    assert base["deals"] == pytest.approx(240) and crm["deals"] == pytest.approx(264)
    extra = 24 * 500_000 * 0.25
    assert crm["extra_margin"] == pytest.approx(extra)
    cost = 600_000 + 12 * 10_000
    assert crm["cost"] == pytest.approx(cost)
    assert crm["roi"] == pytest.approx((extra - cost) / cost)
    assert crm["payback_months"] == pytest.approx(600_000 / (extra / 12 - 10_000))
    assert np.isnan(base["roi"])


def test_crm_roi_grid_over_uplift_and_investment():
    t = crm_roi(20, 0.2, uplift=[0.1, 0.1], kind="points", investment=[100_000, 900_000])
    assert (t.index == "with CRM").sum() == 4
    with_crm = t.loc["with CRM"]
    assert with_crm["signing_rate"].tolist() == pytest.approx([0.3] * 4)
    assert with_crm["roi"].iloc[0] > with_crm["roi"].iloc[1]


def test_retention_profit_matches_the_geometric_sum():
    m, r, d = 100.0, 0.8, 0.1
    closed = m / (1 + d) / (1 - r / (1 + d))
    closed_after = m / (1 + d) / (1 - (r + 0.05) / (1 + d))
    t = retention_profit(m, r, discount_rate=d, acquisition_cost=50)
    assert t.loc[0.8, "clv"] == pytest.approx(closed)
    assert t.loc[0.8, "clv_after"] == pytest.approx(closed_after)
    assert t.loc[0.8, "profit_change"] == pytest.approx((closed_after - closed) / (closed - 50))


def test_the_80_percent_claim_needs_high_retention_or_costly_acquisition():
    cheap = retention_profit(100, [0.5, 0.7, 0.9], discount_rate=0.1)
    assert cheap["profit_change"].is_monotonic_increasing
    assert (cheap["profit_change"] < 0.8).all()
    costly = retention_profit(100, 0.9, discount_rate=0.1, acquisition_cost=400)
    assert costly["profit_change"].iloc[0] > 0.8
    lossy = retention_profit(100, 0.5, discount_rate=0.1, acquisition_cost=1_000)
    assert np.isnan(lossy["profit_change"].iloc[0])
    with pytest.raises(DataError, match="infinite"):
        retention_profit(100, 0.97)


@pytest.fixture
def survey_and_shipments():
    surveys = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "d"],
        "date": pd.to_datetime(["2024-01-01", "2024-11-01", "2024-01-01", "2024-01-01", "2024-01-01"]),
        "overall_satisfaction": [7, 2, 6, 3, 4],
    })
    shipments = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c", "d"],
        "ship_date": pd.to_datetime(["2023-12-01", "2024-02-01", "2024-06-20", "2024-01-02", "2024-03-01",
                                     "2024-01-15", "2024-12-31"]),
        "revenue": [500.0, 60.0, 40.0, 30.0, 30.0, 120.0, 5.0],
        "cost": [1.0, 30.0, 20.0, 10.0, 10.0, 20.0, 5.0],
    })
    return surveys, shipments


def test_satisfaction_value_counts_the_window(survey_and_shipments):
    surveys, shipments = survey_and_shipments
    before = (surveys.copy(), shipments.copy())
    result = satisfaction_value(surveys, shipments, window_days=180, churn_days=60)
    c = result.customers
    months = 180 / 30.4375
    # a's November answer has no 180 days after it (data end 2025-01-01): its January answer counts
    assert c.loc["a", "overall_satisfaction"] == 7
    assert c.loc["a", "revenue_per_month"] == pytest.approx(100 / months)   # the 2023 shipment is before
    assert c.loc["a", "margin_per_month"] == pytest.approx(50 / months)
    assert c.loc["a", "churned"] == False  # shipped 2024-06-20, inside the last 60 days  # noqa: E712
    assert c.loc["b", "churned"] == True  # noqa: E712
    assert c.loc["d", "shipments_per_month"] == 0 and c.loc["d", "churned"] == True  # noqa: E712
    # before the answer: a shipped 500 on 2023-12-01, inside the 180 days but the data start there
    covered = (pd.Timestamp("2024-01-01") - pd.Timestamp("2023-12-01")).days / 30.4375
    assert c.loc["a", "revenue_before_per_month"] == pytest.approx(500 / covered)
    assert c.loc["a", "revenue_change"] == pytest.approx((100 / months) / (500 / covered) - 1)
    assert np.isnan(c.loc["b", "revenue_change"])   # nothing before: no baseline
    assert c["band"].astype(str).to_dict() == {"a": "very satisfied (7)", "b": "satisfied (5-6)",
                                               "c": "dissatisfied (1-3)", "d": "neutral (4)"}
    summary = result.summary()
    assert summary["customers"].sum() == 4
    assert result.ratio() == pytest.approx(100 / 60)
    effect = result.profit_effect(0.05)
    assert effect.loc["profit_change_low", "value"] <= effect.loc["profit_change", "value"] <= \
        effect.loc["profit_change_high", "value"]
    pd.testing.assert_frame_equal(surveys, before[0])
    pd.testing.assert_frame_equal(shipments, before[1])


def test_satisfaction_value_checks_its_input(survey_and_shipments):
    surveys, shipments = survey_and_shipments
    with pytest.raises(DataError, match="revenue"):
        satisfaction_value(surveys, shipments.drop(columns="revenue"))
    with pytest.raises(DataError, match="no answer leaves"):
        satisfaction_value(surveys, shipments, window_days=400)
    with pytest.raises(DataError, match="outside every band"):
        satisfaction_value(surveys, shipments, bands=(("high", 5, 7),))


def test_satisfaction_value_plot(survey_and_shipments):
    import matplotlib
    matplotlib.use("Agg")
    ax = satisfaction_value(*survey_and_shipments).plot()
    assert ax.get_title() and ax.get_xlabel() and "RMB" in ax.get_ylabel()
