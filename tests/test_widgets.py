"""Explorers: each plain function gives the right numbers (by hand or from the crmkit function it
wraps), and each widget redraws when a control changes, as it does when a student moves a slider."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmkit import DataError  # noqa: E402
from crmkit.churn import evaluate  # noqa: E402
from crmkit.clv import clv_simple  # noqa: E402
from crmkit.satisfaction import DIMENSIONS, ipa  # noqa: E402
from crmkit.widgets import (Explorer, churn_threshold_curve, churn_threshold_explorer,  # noqa: E402
                            churn_threshold_table, clv_explorer, clv_table, ipa_explorer, ipa_table,
                            rfm_explorer, rfm_segment_summary, threshold_rules)


def changed(explorer, name, value):
    """Set one control as a user would and return what was shown before and after."""
    before = (explorer.table.value, explorer.chart.value, explorer.headline.value, explorer.n_updates)
    explorer.controls[name].value = value
    after = (explorer.table.value, explorer.chart.value, explorer.headline.value, explorer.n_updates)
    return before, after


# --------------------------------------------------------------------------- CLV
def test_clv_table_adds_up_to_clv_simple():
    t = clv_table(1500, retention=0.97, discount_rate=0.005, horizon=120)
    assert t.index.name == "period" and len(t) == 120
    assert t["cumulative_clv"].iloc[-1] == pytest.approx(clv_simple(1500, 120, retention=0.97, discount_rate=0.005))
    assert t["expected_margin"].sum() == pytest.approx(t["cumulative_clv"].iloc[-1])
    assert t["expected_margin"].iloc[1] == pytest.approx(1500 * 0.97 / 1.005 ** 2)
    assert clv_table(1500, 1.0, 0.0, 120)["cumulative_clv"].iloc[-1] == 180_000   # FedEx, computed
    with pytest.raises(DataError, match="horizon"):
        clv_table(100, 0.9, 0.0, 0)


def test_clv_explorer_redraws_on_every_control():
    e = clv_explorer(margin=1500, retention=1.0, discount_rate=0.0, horizon=120)
    assert isinstance(e, Explorer) and e.n_updates == 1
    assert e.result["cumulative_clv"].iloc[-1] == 180_000
    assert "180,000" in e.headline.value and e.chart.value[:4] == b"\x89PNG"
    before, after = changed(e, "retention", 0.95)
    assert after[3] == before[3] + 1
    assert after[0] != before[0] and after[1] != before[1] and after[2] != before[2]
    assert e.result["cumulative_clv"].iloc[-1] == pytest.approx(clv_simple(1500, 120, retention=0.95))
    assert e.table.value.count("<tr>") == 1 + 10   # header and one row a year, not 120 rows
    changed(e, "horizon", 12)
    assert len(e.result) == 12 and e.table.value.count("<tr>") == 1 + 12
    changed(e, "margin", 100.0)
    assert e.result["expected_margin"].iloc[0] == pytest.approx(100.0)


def test_clv_explorer_shows_errors_instead_of_raising():
    e = clv_explorer()
    shown = e.result
    e.controls["margin"].value = -5.0
    assert "margin_per_period" in e.error.value and e.result is shown
    e.controls["margin"].value = 10.0
    assert e.error.value == "" and e.result["expected_margin"].iloc[0] > 0


# --------------------------------------------------------------------------- RFM
@pytest.fixture
def transactions():
    rng = np.random.default_rng(3)
    n = 60
    customers = [f"C{i:03d}" for i in range(n)]
    rows = []
    for i, c in enumerate(customers):
        k = 1 + i % 7
        last = pd.Timestamp("2024-12-31") - pd.Timedelta(days=int(rng.integers(0, 300)))
        for j in range(k):
            rows.append((c, last - pd.Timedelta(days=20 * j), float(rng.gamma(2.0, 100.0) * (1 + i // 20))))
    return pd.DataFrame(rows, columns=["customer_id", "ship_date", "revenue"])


def test_rfm_summary_by_hand():
    rfm = pd.DataFrame({"recency": [1, 5, 200, 300, 250], "frequency": [20, 2, 30, 1, 1],
                        "monetary": [900.0, 50.0, 700.0, 10.0, 40.0]}, index=list("abcde"))
    before = rfm.copy()
    t = rfm_segment_summary(rfm, r_threshold=4, f_threshold=4, bins=5)
    # R scores: a 5, b 4, c 3, e 2, d 1; F scores: c 5, a 4, b 3, d/e 1.5 -> tied score 2
    assert t.loc["Champions", "customers"] == 1 and t.loc["Champions", "revenue"] == 900.0
    assert t.loc["At Risk", "revenue"] == 700.0
    assert t.loc["New or Occasional", "revenue"] == 50.0
    assert t.loc["Hibernating", "customers"] == 2 and t.loc["Hibernating", "mean_recency"] == 275
    assert t["customer_share"].sum() == pytest.approx(1) and t["revenue_share"].sum() == pytest.approx(1)
    assert t.loc["Champions", "revenue_share"] == pytest.approx(900 / 1700)
    pd.testing.assert_frame_equal(rfm, before)


def test_rfm_rules_and_errors():
    rules = threshold_rules(3, 2, bins=4)
    assert rules["segment"].tolist() == ["Champions", "At Risk", "New or Occasional", "Hibernating"]
    with pytest.raises(DataError, match="thresholds"):
        threshold_rules(6, 4, bins=5)
    rfm = pd.DataFrame({"recency": [1, 2], "frequency": [1, 2], "monetary": [1.0, 2.0]})
    with pytest.raises(DataError, match="scheme"):
        rfm_segment_summary(rfm, scheme="kmeans")
    with pytest.raises(DataError, match="bins=5"):
        rfm_segment_summary(rfm, scheme="named", bins=4)


def test_rfm_explorer_redraws(transactions):
    before = transactions.copy()
    e = rfm_explorer(transactions)
    pd.testing.assert_frame_equal(transactions, before)
    assert e.result["customers"].sum() == 60
    before, after = changed(e, "r_threshold", 2)
    assert after[0] != before[0] and after[3] == before[3] + 1
    assert e.result.loc["Hibernating", "customers"] < 60 * 0.5
    changed(e, "bins", 3)
    assert e.controls["r_threshold"].max == 3 and e.controls["r_threshold"].value <= 3
    shown = e.result
    changed(e, "scheme", "named")   # the named segments need 1-5 scores: said, not raised
    assert "bins=5" in e.error.value and e.result is shown
    changed(e, "bins", 5)
    assert e.error.value == "" and "Can't Lose Them" in e.result.index


# --------------------------------------------------------------------------- IPA
@pytest.fixture
def surveys():
    rng = np.random.default_rng(11)
    n = 400
    latent = {d: rng.normal(0, 1, n) for d in DIMENSIONS}
    data = {}
    for d in DIMENSIONS:
        for k in (1, 2, 3):
            base = 2.8 if d == "timeliness" else 3.6
            data[f"{d}_{k}"] = np.clip(np.round(base + latent[d] + rng.normal(0, 0.6, n)), 1, 5).astype(int)
    overall = 4 + 0.9 * latent["timeliness"] + 0.5 * latent["handling"] + 0.1 * latent["price"] + rng.normal(0, 0.7, n)
    data["overall_satisfaction"] = np.clip(np.round(overall), 1, 7).astype(int)
    data["customer_id"] = [f"C{i % 200:03d}" for i in range(n)]
    data["wave"] = np.repeat([1, 2], n // 2)
    return pd.DataFrame(data)


def test_ipa_table_is_crmkit_ipa(surveys):
    before = surveys.copy()
    result = ipa_table(surveys, importance="correlation", cut="median")
    pd.testing.assert_frame_equal(surveys, before)
    pd.testing.assert_frame_equal(result.summary(),
                                  ipa(surveys, importance="correlation", cut="median").summary())
    one_wave = ipa_table(surveys, by="wave", group=2)
    pd.testing.assert_frame_equal(one_wave.summary(), ipa(surveys[surveys["wave"] == 2]).summary())
    assert one_wave.summary().index[0] == "timeliness"
    with pytest.raises(DataError, match="no answers"):
        ipa_table(surveys, by="wave", group=9)
    with pytest.raises(DataError, match="at least 2 dimensions"):
        ipa_table(surveys, dimensions=["timeliness"])


def test_ipa_explorer_redraws(surveys):
    e = ipa_explorer(surveys)
    assert set(e.controls) == {"importance", "cut", "dimensions", "group"}
    assert "timeliness" in e.headline.value   # most important and worst performing
    before, after = changed(e, "importance", "correlation")
    assert after[0] != before[0] and after[3] == before[3] + 1
    changed(e, "dimensions", ("timeliness", "price", "staff"))
    assert set(e.result.summary().index) == {"timeliness", "price", "staff"}
    assert e.controls["group"].label == "all"
    changed(e, "group", 1)
    assert e.n_updates == 4 and len(e.result.summary()) == 3


# --------------------------------------------------------------------------- churn threshold
@pytest.fixture
def churn_scores():
    rng = np.random.default_rng(5)
    y = rng.random(500) < 0.15
    scores = 1 / (1 + np.exp(-(-2 + 1.5 * y + rng.normal(0, 1, 500))))
    return y.astype(int), scores


def test_churn_threshold_table_by_hand(churn_scores):
    y, s = churn_scores
    y_before, s_before = y.copy(), s.copy()
    t = churn_threshold_table(y, s, 0.3, contact_cost=40, churner_value=1000, save_rate=0.25)
    churn_threshold_curve(y, s)
    assert (y == y_before).all() and (s == s_before).all()
    flagged = s >= 0.3
    caught = int((flagged & (y == 1)).sum())
    row = t.iloc[0]
    assert row["flagged"] == flagged.sum() and row["caught_churners"] == caught
    assert row["missed_churners"] == y.sum() - caught
    assert row["recall"] == pytest.approx(evaluate(y, s, threshold=0.3).recall)
    assert row["net_value"] == pytest.approx(caught * 0.25 * 1000 - flagged.sum() * 40)
    with pytest.raises(DataError, match="save_rate"):
        churn_threshold_table(y, s, 0.3, save_rate=2)


def test_churn_threshold_curve_agrees_with_the_table(churn_scores):
    y, s = churn_scores
    curve = churn_threshold_curve(y, s, contact_cost=40, churner_value=1000, save_rate=0.25)
    assert curve.index.is_monotonic_decreasing
    for threshold in curve.index[[5, 50, 200]]:
        point = churn_threshold_table(y, s, threshold, contact_cost=40, churner_value=1000, save_rate=0.25)
        assert curve.loc[threshold, "flagged"] == point.iloc[0]["flagged"]
        assert curve.loc[threshold, "net_value"] == pytest.approx(point.iloc[0]["net_value"])
    assert curve["recall"].iloc[-1] == 1.0


def test_churn_threshold_explorer_redraws(churn_scores):
    y, s = churn_scores
    e = churn_threshold_explorer(y, s, threshold=0.2)
    first = e.result.iloc[0]["flagged"]
    before, after = changed(e, "threshold", 0.5)
    assert after[0] != before[0] and after[1] != before[1]
    assert e.result.iloc[0]["flagged"] < first
    before, after = changed(e, "contact_cost", 500.0)
    assert e.result.iloc[0]["contact_cost"] == e.result.iloc[0]["flagged"] * 500
    assert "Best threshold" in e.headline.value


def test_static_view_for_pages_without_widget_state():
    e = clv_explorer(margin=1500, retention=1.0, discount_rate=0.0, horizon=120)
    bundle = e._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    html = bundle["text/html"]
    assert "180,000" in html and "data:image/png;base64," in html and "retention = 1" in html
    e.controls["horizon"].value = 12
    assert "18,000" in e.static_html()
