"""Tests for crmkit.clv: simple CLV, the BTYD summary, BG/NBD, Gamma-Gamma and clv().

Published results reproduced here:
- BG/NBD on CDNOW (2,357 customers, 39-week calibration, weeks): r = 0.243, alpha = 4.414,
  a = 0.793, b = 2.426, log-likelihood = -9582.4. Fader, P. S., Hardie, B. G. S. & Lee, K. L.
  (2005), "Counting your customers" the easy way: an alternative to the Pareto/NBD model,
  Marketing Science 24(2), 275-284, section 5.
- Gamma-Gamma on the 946 CDNOW customers with repeat purchases: p = 6.25, q = 3.74,
  gamma = 15.44. Fader, P. S. & Hardie, B. G. S. (2013), "The Gamma-Gamma Model of Monetary
  Value", http://www.brucehardie.com/notes/025/.
Reference implementation: lifetimes 0.11.3 (test-only dependency), which ships the CDNOW
1/10th sample (CDNOW_sample.txt: raw transactions) and its published summary.
"""

import numpy as np
import pandas as pd
import pytest

from crmkit import DataError
from crmkit.clv import (BetaGeo, GammaGamma, calibration_holdout_summary, clv, clv_simple,
                        clv_summary, holdout_comparison)

lifetimes = pytest.importorskip("lifetimes")
from lifetimes import BetaGeoFitter, GammaGammaFitter  # noqa: E402
from lifetimes.datasets import (load_cdnow_summary,  # noqa: E402
                                load_cdnow_summary_data_with_monetary_value, load_dataset)
from lifetimes.utils import (calibration_and_holdout_data,  # noqa: E402
                             summary_data_from_transaction_data)


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def cdnow_raw():
    """CDNOW 1/10th sample: 6,919 purchases of 2,357 customers, 1997-01-01 to 1998-06-30."""
    raw = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+",
                       names=["master_id", "customer_id", "date", "cds", "amount"],
                       dtype={"date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw[["customer_id", "date", "amount"]]


@pytest.fixture(scope="module")
def cdnow_cal(cdnow_raw):
    """Calibration (39 weeks to 1997-09-30) and holdout (to 1998-06-30) summary, in weeks."""
    table = calibration_holdout_summary(cdnow_raw, "1997-09-30", "1998-06-30",
                                        customer="customer_id", date="date", amount="amount")
    return table


@pytest.fixture(scope="module")
def cdnow_weeks(cdnow_cal):
    s = cdnow_cal[["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]].copy()
    s.columns = ["frequency", "recency", "T", "monetary_value"]
    s["recency"] /= 7
    s["T"] /= 7
    return s


def _messy_transactions(seed=0, n=3000, customers=150):
    """Transactions with times of day, same-day repeats and string ids, seeded."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"K{i:04d}" for i in range(customers)])
    start = pd.Timestamp("2023-01-01")
    seconds = rng.integers(0, 400 * 86_400, n)
    return pd.DataFrame({
        "cust": ids[rng.integers(0, customers, n)],
        "when": start + pd.to_timedelta(np.sort(seconds)[rng.permutation(n)], unit="s"),
        "spend": np.round(rng.gamma(2.0, 40.0, n), 2),
    })


# --------------------------------------------------------------------------- level 1
def test_clv_simple_fedex_example():
    # COURSE.md / source 000: 1,500 USD a month for ten years is 180,000 USD (the textbook's
    # printed 360,000 is an arithmetic slip).
    assert clv_simple(1500, 12 * 10) == 180_000.0


def test_clv_simple_closed_forms():
    m, r, d = 100.0, 0.8, 0.1
    # Gupta & Lehmann (2003): margins at the start of each period, infinite horizon m(1+d)/(1+d-r)
    assert clv_simple(m, None, r, d, timing="start") == pytest.approx(m * (1 + d) / (1 + d - r))
    assert clv_simple(m, None, r, d, timing="end") == pytest.approx(m / (1 + d - r))
    assert clv_simple(m, 2000, r, d) == pytest.approx(clv_simple(m, None, r, d))
    # geometric sum by hand for three periods
    expected = sum(m * r ** (t - 1) / (1 + d) ** t for t in (1, 2, 3))
    assert clv_simple(m, 3, r, d) == pytest.approx(expected)
    assert clv_simple(m, 0) == 0.0


@pytest.mark.parametrize("kwargs", [dict(margin_per_period=-1, periods=3),
                                    dict(margin_per_period=1, periods=3, retention=1.2),
                                    dict(margin_per_period=1, periods=None),
                                    dict(margin_per_period=1, periods=2.5),
                                    dict(margin_per_period=float("nan"), periods=3)])
def test_clv_simple_bad_input(kwargs):
    with pytest.raises(DataError):
        clv_simple(**kwargs)


# --------------------------------------------------------------------------- summary
def test_summary_reproduces_published_cdnow_summary(cdnow_weeks):
    """From raw transactions to the 2,357-customer summary that ships with lifetimes."""
    published = load_cdnow_summary_data_with_monetary_value()
    assert len(cdnow_weeks) == 2357
    np.testing.assert_array_equal(cdnow_weeks.index.to_numpy(), published.index.to_numpy())
    np.testing.assert_array_equal(cdnow_weeks["frequency"], published["frequency"])
    np.testing.assert_allclose(cdnow_weeks["recency"], published["recency"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(cdnow_weeks["T"], published["T"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(cdnow_weeks["monetary_value"], published["monetary_value"],
                               atol=0.005 + 1e-9)


def _assert_same_as_lifetimes(ours, theirs):
    theirs = theirs.copy()
    theirs.index = theirs.index.astype(ours.index.dtype)
    assert list(ours.columns) == list(theirs.columns)
    assert ours.index.equals(theirs.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("freq", ["D", "W", "h"])
@pytest.mark.parametrize("with_amount", [True, False])
def test_summary_equals_lifetimes(freq, with_amount):
    tx = _messy_transactions()
    amount = "spend" if with_amount else None
    ours = clv_summary(tx, customer="cust", date="when", amount=amount, freq=freq)
    theirs = summary_data_from_transaction_data(tx, "cust", "when", monetary_value_col=amount,
                                                freq=freq)
    _assert_same_as_lifetimes(ours, theirs)


def test_summary_equals_lifetimes_on_cdnow_with_observation_end(cdnow_raw):
    ours = clv_summary(cdnow_raw, customer="customer_id", date="date", amount="amount",
                       observation_end="1998-12-31")
    theirs = summary_data_from_transaction_data(cdnow_raw, "customer_id", "date",
                                                monetary_value_col="amount",
                                                observation_period_end="1998-12-31")
    _assert_same_as_lifetimes(ours, theirs)


def test_calibration_holdout_equals_lifetimes(cdnow_raw, cdnow_cal):
    theirs = calibration_and_holdout_data(cdnow_raw, "customer_id", "date", "1997-09-30",
                                          "1998-06-30", monetary_value_col="amount")
    _assert_same_as_lifetimes(cdnow_cal[theirs.columns], theirs)


def test_summary_accepts_categorical_ids_string_dates_and_time_zones():
    tx = _messy_transactions(seed=3, n=500, customers=30)
    base = clv_summary(tx, customer="cust", date="when", amount="spend")
    cat = tx.assign(cust=tx["cust"].astype("category"))
    np.testing.assert_allclose(clv_summary(cat, customer="cust", date="when", amount="spend"), base)
    text = tx.assign(when=tx["when"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    np.testing.assert_allclose(clv_summary(text, customer="cust", date="when", amount="spend"), base)
    aware = tx.assign(when=tx["when"].dt.tz_localize("Asia/Shanghai"))
    np.testing.assert_allclose(clv_summary(aware, customer="cust", date="when", amount="spend"), base)


def test_summary_does_not_change_input():
    tx = _messy_transactions(seed=1, n=300, customers=20)
    before = tx.copy(deep=True)
    clv_summary(tx, customer="cust", date="when", amount="spend")
    calibration_holdout_summary(tx, "2023-06-01", customer="cust", date="when", amount="spend")
    pd.testing.assert_frame_equal(tx, before)


def test_summary_bad_input():
    tx = _messy_transactions(seed=2, n=200, customers=10)
    kw = dict(customer="cust", date="when", amount="spend")
    with pytest.raises(DataError, match="negative"):
        clv_summary(tx.assign(spend=tx["spend"].where(tx.index != 5, -1.0)), **kw)
    with pytest.raises(DataError, match="missing"):
        clv_summary(tx.assign(spend=tx["spend"].where(tx.index != 5)), **kw)
    with pytest.raises(DataError, match="missing"):
        clv_summary(tx.assign(when=tx["when"].where(tx.index != 7)), **kw)
    with pytest.raises(DataError, match="missing"):
        clv_summary(tx.assign(cust=tx["cust"].where(tx.index != 9)), **kw)
    with pytest.raises(DataError, match="after observation_end"):
        clv_summary(tx, observation_end="2023-06-01", **kw)
    with pytest.raises(DataError, match="no transactions"):
        clv_summary(tx, customers=[*tx["cust"].unique(), "NEVER"], **kw)
    with pytest.raises(DataError, match="freq"):
        clv_summary(tx, freq="M", **kw)
    with pytest.raises(DataError, match="missing column"):
        clv_summary(tx, customer="customer", date="when")
    with pytest.raises(DataError, match="empty"):
        clv_summary(tx.iloc[:0], **kw)
    with pytest.raises(DataError, match="unparseable"):
        clv_summary(tx.assign(when=tx["when"].astype(str).where(tx.index != 3, "soon")), **kw)


# --------------------------------------------------------------------------- BG/NBD
def test_bgnbd_reproduces_fader_hardie_lee_2005():
    summary = load_cdnow_summary(index_col=[0])
    model = BetaGeo().fit(summary)
    assert model.converged_
    assert model.params_.round(3).to_dict() == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(model.log_likelihood_, 1) == -9582.4
    table = model.summary()
    assert list(table.columns) == ["estimate", "se", "low", "high"]
    assert (table["se"] > 0).all()


def test_bgnbd_from_raw_transactions_matches_published(cdnow_weeks):
    model = BetaGeo().fit(cdnow_weeks)
    assert model.params_.round(3).to_dict() == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(model.log_likelihood_, 1) == -9582.4


def test_bgnbd_estimates_match_lifetimes_and_time_unit_invariance():
    summary = load_cdnow_summary(index_col=[0])
    ours = BetaGeo().fit(summary)
    theirs = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    np.testing.assert_allclose(ours.params_.to_numpy(), theirs.params_.to_numpy(), rtol=1e-4)
    days = summary.assign(recency=summary["recency"] * 7, T=summary["T"] * 7)
    in_days = BetaGeo().fit(days)
    np.testing.assert_allclose(in_days.params_["alpha"], ours.params_["alpha"] * 7, rtol=1e-5)
    np.testing.assert_allclose(in_days.params_[["r", "a", "b"]], ours.params_[["r", "a", "b"]], rtol=1e-5)


@pytest.fixture(scope="module")
def fitted_pair():
    """Our models and lifetimes' fitters with the same parameters, on the CDNOW summary."""
    summary = load_cdnow_summary_data_with_monetary_value()
    ours = BetaGeo().fit(summary)
    spend = GammaGamma().fit(summary)
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series(ours.params_.to_numpy(), index=["r", "alpha", "a", "b"])
    ggf = GammaGammaFitter()
    ggf.params_ = pd.Series(spend.params_.to_numpy(), index=["p", "q", "v"])
    return summary, ours, spend, bgf, ggf


def test_bgnbd_predictions_equal_lifetimes(fitted_pair):
    summary, ours, _, bgf, _ = fitted_pair
    x, t_x, big_t = (summary[c].to_numpy() for c in ["frequency", "recency", "T"])
    for t in (1.0, 39.0, 52.0):
        np.testing.assert_allclose(
            ours.expected_purchases(t, summary).to_numpy(),
            bgf.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, big_t), rtol=1e-9)
    np.testing.assert_allclose(ours.probability_alive(summary).to_numpy(),
                               bgf.conditional_probability_alive(x, t_x, big_t), rtol=1e-9)
    ts = np.array([10.0, 39.0, 78.0])
    np.testing.assert_allclose(ours.expected_purchases_population(ts),
                               bgf.expected_number_of_purchases_up_to_time(ts), rtol=1e-9)
    for n in range(5):
        np.testing.assert_allclose(ours.probability_of_purchases(n, 39.0),
                                   bgf.probability_of_n_purchases_up_to_time(39.0, n), rtol=1e-9)


def test_repeat_table_accounts_for_every_customer():
    summary = load_cdnow_summary(index_col=[0])
    table = BetaGeo().fit(summary).repeat_table(7)
    assert table["actual"].sum() == len(summary)
    assert table["expected"].sum() == pytest.approx(len(summary), rel=1e-9)


def test_bgnbd_bad_input():
    with pytest.raises(DataError, match="not fitted"):
        BetaGeo().probability_alive(load_cdnow_summary(index_col=[0]))
    with pytest.raises(DataError, match="repeat"):
        BetaGeo().fit(pd.DataFrame({"frequency": [0, 0], "recency": [0, 0], "T": [5, 6]}))
    with pytest.raises(DataError, match="cannot exceed"):
        BetaGeo().fit(pd.DataFrame({"frequency": [1, 2], "recency": [9, 3], "T": [5, 6]}))
    with pytest.raises(DataError, match="missing"):
        BetaGeo().fit(pd.DataFrame({"frequency": [1, np.nan], "recency": [2, 3], "T": [5, 6]}))


# --------------------------------------------------------------------------- Gamma-Gamma
def test_gamma_gamma_reproduces_fader_hardie_2013(cdnow_weeks):
    # Fit on mean repeat spend computed from the raw transactions (the note's data).
    model = GammaGamma().fit(cdnow_weeks)
    assert model.n_customers_ == 946
    assert model.params_.round(2).to_dict() == {"p": 6.25, "q": 3.74, "gamma": 15.44}
    assert model.converged_


def test_gamma_gamma_matches_lifetimes_on_rounded_summary():
    # The shipped summary rounds mean spend to cents, which moves gamma to 15.4477 (lifetimes
    # prints 15.45); same optimum as the reference implementation.
    summary = load_cdnow_summary_data_with_monetary_value()
    ours = GammaGamma().fit(summary)
    repeat = summary[summary["frequency"] > 0]
    theirs = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    np.testing.assert_allclose(ours.params_.to_numpy(), theirs.params_.to_numpy(), rtol=1e-4)


def test_gamma_gamma_expected_spend_equals_lifetimes(fitted_pair):
    summary, _, spend, _, ggf = fitted_pair
    repeat = summary[summary["frequency"] > 0]
    np.testing.assert_allclose(
        spend.expected_spend(repeat).to_numpy(),
        ggf.conditional_expected_average_profit(repeat["frequency"].to_numpy(),
                                                repeat["monetary_value"].to_numpy()), rtol=1e-12)
    p, q, g = spend.params_
    one_timer = spend.expected_spend(pd.DataFrame({"frequency": [0], "monetary_value": [0.0]}))
    assert one_timer.iloc[0] == pytest.approx(p * g / (q - 1))


def test_gamma_gamma_bad_input():
    with pytest.raises(DataError, match="positive spend"):
        GammaGamma().fit(pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [0.0, 5.0, 6.0]}))
    with pytest.raises(DataError, match="only 1"):
        GammaGamma().fit(pd.DataFrame({"frequency": [1, 0], "monetary_value": [4.0, 0.0]}))
    with pytest.raises(DataError, match="negative"):
        GammaGamma().fit(pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [-1.0, 5.0, 6.0]}))


# --------------------------------------------------------------------------- clv
def test_clv_equals_lifetimes_formula(fitted_pair):
    """lifetimes' customer_lifetime_value sum, evaluated with its own predictions.

    (lifetimes 0.11.3's wrapper itself fails under pandas 3, so the loop of
    lifetimes.utils._customer_lifetime_value is replayed here.)
    """
    summary, ours, spend, bgf, ggf = fitted_pair
    x, t_x, big_t, m = (summary[c].to_numpy() for c in ["frequency", "recency", "T", "monetary_value"])
    money = ggf.conditional_expected_average_profit(x, m)
    factor, rate, expected = 4.345, 0.01, np.zeros(len(summary))
    for i in np.arange(1, 13) * factor:
        predict = bgf.conditional_expected_number_of_purchases_up_to_time
        n = predict(i, x, t_x, big_t) - predict(i - factor, x, t_x, big_t)
        expected += money * n / (1 + rate) ** (i / factor)
    result = clv(ours, spend, summary, horizon=12, period_length=factor, discount_rate=rate)
    np.testing.assert_allclose(result["clv"].to_numpy(), expected, rtol=1e-9)
    assert list(result.columns) == ["probability_alive", "expected_purchases", "expected_spend", "clv"]
    doubled = clv(ours, spend, summary, horizon=12, period_length=factor, discount_rate=rate, margin=2)
    np.testing.assert_allclose(doubled["clv"], 2 * result["clv"])


def test_clv_bad_input(fitted_pair):
    summary, ours, spend, _, _ = fitted_pair
    with pytest.raises(DataError):
        clv(spend, ours, summary)
    with pytest.raises(DataError):
        clv(ours, spend, summary, horizon=0)


def test_holdout_comparison_cdnow(cdnow_cal):
    model = BetaGeo().fit(cdnow_cal, frequency="frequency_cal", recency="recency_cal", T="T_cal")
    table = holdout_comparison(model, cdnow_cal)
    assert table["customers"].sum() == 2357
    assert list(table.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    # per-customer predictions are lifetimes' conditional expectations over the holdout
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series(model.params_.to_numpy(), index=["r", "alpha", "a", "b"])
    expected = bgf.conditional_expected_number_of_purchases_up_to_time(
        273.0, *(cdnow_cal[c].to_numpy() for c in ["frequency_cal", "recency_cal", "T_cal"]))
    group = cdnow_cal["frequency_cal"].clip(upper=7)
    np.testing.assert_allclose(table["predicted"].to_numpy(),
                               pd.Series(expected).groupby(group.to_numpy()).mean().to_numpy())
    # FHL 2005 (Figure 4): holdout purchases rise with calibration purchases, and so do the
    # conditional expectations.
    assert table["actual"].is_monotonic_increasing
    assert table["predicted"].is_monotonic_increasing
    # On this sample the model forecasts 1,653 holdout repeat purchases against 1,882 actual
    # (12% short); guard that the total stays in that neighbourhood.
    total_pred = (table["predicted"] * table["customers"]).sum()
    total_act = (table["actual"] * table["customers"]).sum()
    assert total_act == 1882
    assert total_pred == pytest.approx(1653.4, abs=1.0)


def test_bgnbd_fit_recovers_simulated_parameters():
    """Simulate the BG/NBD story with known parameters; the fit recovers them."""
    rng = np.random.default_rng(7)
    n, big_t = 20_000, 52.0
    r, alpha, a, b = 0.5, 5.0, 0.8, 3.0
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1 / lam[idx])
        bought = idx[now[idx] <= big_t]
        alive[:] = False
        x[bought] += 1
        t_x[bought] = now[bought]
        alive[bought[rng.random(len(bought)) >= p[bought]]] = True
    summary = pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t})
    # with first purchase at time 0, every purchase is a repeat purchase; dropout follows it
    fit = BetaGeo().fit(summary)
    truth = np.array([r, alpha, a, b])
    assert np.all(np.abs(fit.params_.to_numpy() - truth) < 3 * fit.standard_errors_.to_numpy() + 1e-3)


def test_holdout_comparison_bins_and_plot(cdnow_cal):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmkit.clv import plot_holdout

    model = BetaGeo().fit(cdnow_cal, frequency="frequency_cal", recency="recency_cal", T="T_cal")
    default = holdout_comparison(model, cdnow_cal)
    binned = holdout_comparison(model, cdnow_cal, bins=[0, 1, 3, 7])
    assert binned.index.tolist() == ["0", "1-2", "3-6", "7+"]
    assert binned["customers"].tolist() == [1411, 439 + 214, 100 + 62 + 38 + 29, 64]
    # pooled means are customer-weighted means of the finer rows
    fine = default.iloc[1:3]
    pooled = (fine["actual"] * fine["customers"]).sum() / fine["customers"].sum()
    assert binned.loc["1-2", "actual"] == pytest.approx(pooled)
    with pytest.raises(DataError, match="first edge"):
        holdout_comparison(model, cdnow_cal, bins=[1, 5])
    ax = plot_holdout(binned)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    plt.close("all")
