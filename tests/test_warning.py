"""Tests for crmkit.warning: the early warning, its backtest, the chart and the retention plan."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from crmkit import DataError
from crmkit.warning import (RETENTION_ACTIONS, backtest_early_warning, early_warning, plot_warning,
                            retention_plan)


# --------------------------------------------------------------------------- small fixtures

def three_customers():
    """A ships weekly then stops in June, B weekly all year, C fortnightly from May (2024)."""
    a = pd.date_range("2024-01-01", "2024-06-03", freq="7D")
    b = pd.date_range("2024-01-03", "2024-12-25", freq="7D")
    c = pd.date_range("2024-05-06", "2024-12-23", freq="14D")
    return pd.concat([pd.DataFrame({"customer_id": cid, "ship_date": days, "revenue": price})
                      for cid, days, price in (("A", a, 20.0), ("B", b, 30.0), ("C", c, 10.0))],
                     ignore_index=True)


def weekly_panel(n_steady=30, seed=5):
    """Steady customers shipping about 8 a week, plus one whose volume falls 75% from week 46 (18 Nov)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    rows = []
    for i in range(n_steady + 1):
        for w in range(52):
            lam = 8.0 if (i < n_steady or w < 46) else 2.0
            for _ in range(rng.poisson(lam)):
                rows.append((f"C{i:02d}", start + pd.Timedelta(days=7 * w + int(rng.integers(0, 7))), 10.0))
    return pd.DataFrame(rows, columns=["customer_id", "ship_date", "revenue"])


def test_early_warning_flags_the_falling_customer_with_size_and_duration():
    s = weekly_panel()
    before = s.copy()
    w = early_warning(s, as_of="2024-12-30", recent_weeks=4, baseline_weeks=26)
    pd.testing.assert_frame_equal(s, before)
    falling = "C30"
    assert bool(w.loc[falling, "flagged"]) and w.index[:2].str.contains(falling).any()
    assert w.loc[falling, "change"] == pytest.approx(-0.73, abs=0.12)
    assert 4 <= w.loc[falling, "decline_weeks"] <= 8                # fell 6 weeks before 30 Dec
    assert abs((w.loc[falling, "decline_start"] - pd.Timestamp("2024-11-18")).days) <= 14
    assert w.loc[falling, "revenue_at_risk_per_week"] == pytest.approx(55, abs=12)
    assert w["flagged"].sum() <= 2                                  # steady ones rarely flagged


def test_plot_warning_draws_the_customer_series():
    s = weekly_panel()
    ax = plot_warning(s, "C30", "2024-12-30")
    assert "FLAGGED" in ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.patches) == 30 and any("fall began" in t.get_text() for t in ax.get_legend().get_texts())
    with pytest.raises(DataError, match="no shipment"):
        plot_warning(s, "nobody", "2024-12-30")


def test_market_adjustment_does_not_read_a_company_wide_dip_as_churn():
    s = weekly_panel(n_steady=30)
    s = s[s["customer_id"] != "C30"]
    dip = (s["ship_date"] >= "2024-12-01") & (np.arange(len(s)) % 2 == 0)    # everyone halves in December
    s = s[~dip]
    raw = early_warning(s, as_of="2024-12-30", adjust=False)
    adjusted = early_warning(s, as_of="2024-12-30")
    assert raw["flagged"].sum() >= 10 and adjusted["flagged"].sum() <= 1


def test_silent_customers_leave_the_warning_list():
    s = three_customers()
    w = early_warning(s, as_of="2024-07-01", recent_weeks=4, baseline_weeks=12, adjust=False)
    assert "A" not in early_warning(s, as_of="2024-10-01", adjust=False).index
    assert "A" in w.index and w.loc["A", "days_since_last"] == 28


def test_backtest_counts_hits_lead_time_and_false_alarms():
    s = weekly_panel()
    churn = pd.Series({f"C{i:02d}": pd.NaT for i in range(30)} | {"C30": pd.Timestamp("2024-12-28")})
    bt = backtest_early_warning(s, churn, "2024-09-02", "2024-12-30", recent_weeks=4)
    pc = bt.per_customer
    assert bool(pc.loc["C30", "churner"]) and bool(pc.loc["C30", "flagged_before_churn"])
    assert 2 <= pc.loc["C30", "lead_weeks"] <= 6          # fall from 18 Nov, churn 28 Dec
    summary = bt.summary()["value"]
    assert summary["churners"] == 1 and summary["churners_flagged_share"] == 1.0
    assert summary["false_alarm_rate"] <= 0.2 and summary["churned_revenue_flagged_share"] == 1.0
    assert bt.plot().get_xlabel().startswith("lead time")
    with pytest.raises(DataError, match="Series"):
        backtest_early_warning(s, churn.to_dict(), "2024-09-02", "2024-12-30")


def test_retention_plan_assigns_bonds_with_reasons():
    w = pd.DataFrame({"flagged": [True, True, True, False], "change": [-0.6, -0.5, -0.7, 0.0],
                      "decline_weeks": [5, 3, 4, 0],
                      "baseline_revenue_per_week": [9000.0, 60.0, 50.0, 80.0]},
                     index=pd.Index(["C1", "C2", "C3", "C4"], name="customer_id"))
    f = pd.DataFrame({"relative_price": [0.0, 0.15, 0.0, 0.0], "failure_rate": [0.02, 0.02, 0.03, 0.02],
                      "unresolved_complaints": [0, 0, 2, 0], "latest_satisfaction": [5, 6, 2, 5],
                      "tier": ["regular"] * 4}, index=w.index)
    plan = retention_plan(w, f)
    assert plan["bond"].to_dict() == {"C1": "structural", "C2": "financial", "C3": "social"}
    assert "unresolved complaint" in plan.loc["C3", "reasons"] and "+15%" in plan.loc["C2", "reasons"]
    assert plan.loc["C1", "action"] == RETENTION_ACTIONS.loc["structural", "action"]


def test_retention_actions_cover_the_three_bonds():
    assert list(RETENTION_ACTIONS.index) == ["financial", "social", "structural"]
    assert RETENTION_ACTIONS["action"].str.len().min() > 20


# --------------------------------------------------------------------------- against the simulator's truth

@pytest.fixture(scope="module")
def company():
    from crmkit.synth import BUNDLED_SEED, simulate
    return simulate(seed=BUNDLED_SEED)


def test_early_warning_against_true_churn_dates(company):
    truth = company.truth.customers
    bt = backtest_early_warning(company.shipments, truth["churn_date"], "2024-09-02", "2025-09-29", alpha=0.02)
    s = bt.summary()["value"]
    assert s["churners"] > 150 and s["stayers"] > 800
    assert 0.3 < s["churned_revenue_flagged_share"] < 0.9          # the big accounts are caught
    assert 0.02 < s["churners_flagged_share"] < 0.4                # most churners ship too little to test
    assert s["false_alarm_rate"] < 0.2 and s["weekly_false_alarm_rate"] < 0.01
    assert s["median_lead_weeks"] >= 0.5
    # a warning is worth a call: flagged customers churn far more often than the base rate
    base = bt.checks["hits"].sum() / bt.checks["active"].sum()
    assert s["weekly_precision"] > 5 * base
