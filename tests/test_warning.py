"""Tests for crmkit.warning: the early warning, its backtest, the chart and the retention plan."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats

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
    checks = bt.checks
    assert summary["weekly_hit_rate"] == checks["hits"].sum() / checks["churning_soon"].sum() > 0
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


# --------------------------------------------------------------------------- the overdue signal

def regular_then_silent(every_days=3, silent_days=30, as_of="2024-08-19"):
    """Customer R ships every ``every_days`` days until ``silent_days`` before ``as_of``; S every other day."""
    as_of = pd.Timestamp(as_of)
    days = pd.date_range("2023-12-01", as_of - pd.Timedelta(days=silent_days), freq=f"{every_days}D")
    steady = pd.date_range("2023-12-01", as_of - pd.Timedelta(days=1), freq="2D")
    return pd.concat([pd.DataFrame({"customer_id": "R", "ship_date": days, "revenue": 10.0}),
                      pd.DataFrame({"customer_id": "S", "ship_date": steady, "revenue": 10.0})],
                     ignore_index=True), as_of


def test_overdue_p_value_is_the_distribution_of_the_last_of_n_uniform_times():
    # Under a steady rate the n shipment times in the window are uniform, so the last one is
    # Beta(n, 1) distributed (order statistics; e.g. David & Nagaraja, Order Statistics, 2.1):
    # P(no shipment in the last s of T days) = P(max < 1 - s/T) = (1 - s/T)^n.
    s, as_of = regular_then_silent(every_days=3, silent_days=30)
    w = early_warning(s, as_of=as_of, amount=None, adjust=False)
    row = w.loc["R"]
    window_days = 7 * (4 + 26)
    mine = s[s["customer_id"] == "R"]
    n = int(((mine["ship_date"] >= as_of - pd.Timedelta(days=window_days)) & (mine["ship_date"] < as_of)).sum())
    silent = (as_of - mine["ship_date"].max()).days
    assert row["days_since_last"] == silent >= 30
    assert row["usual_gap_days"] == pytest.approx((window_days - silent) / n)     # the gap before the silence
    expected = stats.beta(n, 1).cdf(1 - silent / window_days)     # regular shipments: dispersion 1
    assert row["p_overdue"] == pytest.approx(expected, rel=1e-9)
    assert row["p_overdue"] == pytest.approx((1 - silent / window_days) ** n, rel=1e-9)
    assert bool(row["flagged"]) and row["signal"] in ("overdue", "both")


def test_overdue_signal_sees_a_small_customer_the_count_test_cannot():
    # about one parcel a week for half a year, then six silent weeks: four empty weeks against
    # a baseline of one a week is not significant at 0.005, but 42 silent days are
    s, as_of = regular_then_silent(every_days=7, silent_days=42)
    volume_only = early_warning(s, as_of=as_of, amount=None, adjust=False, overdue_alpha=None)
    both = early_warning(s, as_of=as_of, amount=None, adjust=False)
    assert volume_only.loc["R", "p_value"] > 0.005 and not volume_only.loc["R", "flagged"]
    assert both.loc["R", "flagged"] and both.loc["R", "signal"] == "overdue"
    assert both.loc["R", "change"] == -1.0 and both.loc["R", "decline_weeks"] >= 4   # size and duration
    silent = int(both.loc["R", "days_since_last"])
    plan = retention_plan(both)
    assert plan.loc["R", "signal"] == "overdue"
    assert f"silent {silent} days, usually ships every 7" in plan.loc["R", "reasons"]
    ax = plot_warning(s, "R", as_of, amount=None, adjust=False)
    assert "FLAGGED by overdue" in ax.get_title()
    assert any(f"last shipment {silent} days ago" in t.get_text() for t in ax.get_legend().get_texts())
    # two silent weeks are not yet overdue, whatever the p-value (min_silent_days)
    short, as_of2 = regular_then_silent(every_days=1, silent_days=14)
    assert not early_warning(short, as_of=as_of2, amount=None, adjust=False, alpha=1e-9).loc["R", "flagged"]
    with pytest.raises(DataError, match="overdue_alpha"):
        early_warning(s, as_of=as_of, overdue_alpha=1.5)


def test_overdue_test_rarely_flags_steady_customers():
    # 400 customers shipping at steady Poisson rates (0.3 to 5 a week): a check flags about
    # overdue_alpha of them (the test is exact for Poisson; dividing by the dispersion makes it
    # conservative), and fewer once the silence must last min_silent_days
    rng = np.random.default_rng(11)
    rows = []
    for i, rate in enumerate(rng.uniform(0.3, 5.0, 400)):
        n = rng.poisson(rate * 40)
        days = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.uniform(0, 280, n)), unit="D")
        rows.append(pd.DataFrame({"customer_id": f"C{i:03d}", "ship_date": days.floor("D")}))
    s = pd.concat(rows, ignore_index=True)
    w = early_warning(s, as_of="2024-10-07", amount=None, alpha=1e-12, overdue_alpha=0.1, silent_days=None,
                      min_silent_days=0)
    assert 0.04 <= (w["signal"] == "overdue").mean() <= 0.15       # about 10%, as a p-value should
    w = early_warning(s, as_of="2024-10-07", amount=None, alpha=1e-12, overdue_alpha=0.02, silent_days=None)
    assert (w["signal"] == "overdue").mean() <= 0.03


def test_backtest_uses_the_same_silence_as_the_warning_list():
    s = weekly_panel()
    quiet = s[~((s["customer_id"] == "C05") & (s["ship_date"] >= "2024-11-10"))]      # C05 stops in November
    w = early_warning(quiet, as_of="2024-12-30")
    churn = pd.Series({c: pd.NaT for c in quiet["customer_id"].unique()})
    bt = backtest_early_warning(quiet, churn, "2024-12-30", "2024-12-31")
    assert bool(w.loc["C05", "flagged"]) and w.loc["C05", "signal"] in ("overdue", "both")
    flagged_then = set(w.index[w["flagged"]])
    assert set(bt.per_customer.index[bt.per_customer["ever_flagged"]]) == flagged_then


# --------------------------------------------------------------------------- against the simulator's truth

@pytest.fixture(scope="module")
def company():
    from crmkit.synth import BUNDLED_SEED, simulate
    return simulate(seed=BUNDLED_SEED)


def test_early_warning_against_true_churn_dates(company):
    truth = company.truth.customers
    bt = backtest_early_warning(company.shipments, truth["churn_date"], "2024-09-02", "2025-09-29")
    s = bt.summary()["value"]
    assert s["churners"] > 150 and s["stayers"] > 800
    assert 0.3 < s["churned_revenue_flagged_share"] < 0.9          # the big accounts are caught
    assert 0.02 < s["churners_flagged_share"] < 0.4                # most churners ship too little to test
    assert s["false_alarm_rate"] < 0.2 and s["weekly_false_alarm_rate"] < 0.01
    assert s["median_lead_weeks"] >= 0.5
    # a warning is worth a call: flagged customers churn far more often than the base rate
    base = bt.checks["hits"].sum() / bt.checks["active"].sum()
    assert s["weekly_precision"] > 5 * base
    # the overdue test finds churners the volume test alone misses at the same alpha
    alone = backtest_early_warning(company.shipments, truth["churn_date"], "2024-09-02", "2025-09-29",
                                   overdue_alpha=None).summary()["value"]
    assert s["churners_flagged_share"] > 2 * alone["churners_flagged_share"]
    caught = bt.per_customer.query("flagged_before_churn")
    assert (caught["churn_date"] > caught["first_warning"]).all()
