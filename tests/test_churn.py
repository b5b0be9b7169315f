"""Tests for crmkit.churn: labels, leak-free features and the logit (evaluation and warning have their own files)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import crmkit.churn
import crmkit.evaluation
import crmkit.warning
from crmkit import DataError
from crmkit.churn import (churn_features, churn_target, early_warning, evaluate, fit_churn_model,
                          label_churn, label_rule_tradeoff)


# --------------------------------------------------------------------------- small fixtures

def make_shipments():
    """Three customers over 2024: A ships weekly then stops in June, B weekly all year, C starts in May."""
    a = pd.date_range("2024-01-01", "2024-06-03", freq="7D")
    b = pd.date_range("2024-01-03", "2024-12-25", freq="7D")
    c = pd.date_range("2024-05-06", "2024-12-23", freq="14D")
    frames = []
    for cid, days, price in (("A", a, 20.0), ("B", b, 30.0), ("C", c, 10.0)):
        f = pd.DataFrame({"customer_id": cid, "ship_date": days, "revenue": price})
        frames.append(f)
    s = pd.concat(frames, ignore_index=True)
    s["shipment_id"] = [f"S{i:04d}" for i in range(len(s))]
    s["promised_date"] = s["ship_date"] + pd.Timedelta(days=2)
    s["delivered_date"] = s["ship_date"] + pd.Timedelta(days=2)
    s["on_time"] = True
    s["damaged"] = False
    s["lost"] = False
    s["service"] = "standard"
    s["weight_kg"] = 5.0
    return s


def make_customers():
    return pd.DataFrame({"customer_id": ["A", "B", "C"], "industry": ["apparel", "pharma", "apparel"],
                         "contract": ["monthly_settlement", "pay_per_shipment", "monthly_settlement"],
                         "signup_date": pd.to_datetime(["2023-06-01", "2022-01-01", "2024-05-01"])})


def make_complaints():
    return pd.DataFrame({
        "complaint_id": ["K1", "K2", "K3", "K4"], "customer_id": ["A", "A", "B", "B"],
        "date": pd.to_datetime(["2024-03-01", "2024-05-30", "2024-06-20", "2024-07-10"]),
        "resolved": [True, True, True, False], "resolution_hours": [24.0, 72.0, 10.0, np.nan]})


def make_surveys():
    return pd.DataFrame({"response_id": ["R1", "R2", "R3"], "customer_id": ["A", "B", "B"],
                         "date": pd.to_datetime(["2024-02-01", "2024-03-01", "2024-08-01"]),
                         "overall_satisfaction": [3, 6, 2]})


# --------------------------------------------------------------------------- labels

def test_label_churn_rule_and_survival_columns():
    s = make_shipments()
    before = s.copy()
    lab = label_churn(s, as_of="2024-07-01", inactivity_days=21)
    pd.testing.assert_frame_equal(s, before)
    assert lab.index.name == "customer_id"
    assert lab.loc["A", "last_date"] == pd.Timestamp("2024-06-03")
    assert lab.loc["A", "days_inactive"] == 28 and bool(lab.loc["A", "churned"])
    assert lab.loc["A", "churn_date"] == pd.Timestamp("2024-06-04")
    assert lab.loc["A", "duration_days"] == (pd.Timestamp("2024-06-04") - pd.Timestamp("2024-01-01")).days
    assert not lab.loc["B", "churned"] and pd.isna(lab.loc["B", "churn_date"])
    assert lab.loc["B", "duration_days"] == (pd.Timestamp("2024-07-01") - pd.Timestamp("2024-01-03")).days
    # a longer window does not (yet) call A churned: the rule's trade-off
    assert not label_churn(s, as_of="2024-07-01", inactivity_days=60).loc["A", "churned"]


def test_label_churn_ignores_rows_after_as_of():
    s = make_shipments()
    lab = label_churn(s, as_of="2024-07-01")
    later = s[s["ship_date"] >= "2024-07-01"].index
    changed = s.drop(index=later[::2]).copy()
    changed.loc[changed["ship_date"] >= "2024-07-01", "customer_id"] = "Z"
    pd.testing.assert_frame_equal(label_churn(changed, as_of="2024-07-01"), lab)


def test_churn_target_uses_the_same_rule_after_the_horizon():
    s = make_shipments()
    t = churn_target(s, "2024-05-01", horizon_days=120, inactivity_days=30)
    assert t["churn"].to_dict() == {"A": 1, "B": 0}          # C had not started by 1 May
    assert t.loc["A", "churn_date"] == pd.Timestamp("2024-06-04")
    with pytest.raises(DataError, match="horizon"):
        churn_target(s, "2024-11-01", horizon_days=180)


@pytest.mark.parametrize("cutoff", ["2023-06-01", "2025-06-01"])
def test_cutoff_outside_the_data_raises(cutoff):
    s = make_shipments()
    with pytest.raises(DataError, match="outside the data"):
        label_churn(s, as_of=cutoff)
    with pytest.raises(DataError, match="outside the data"):
        churn_features(s, cutoff)
    with pytest.raises(DataError, match="outside the data"):
        early_warning(s, as_of=cutoff)


def test_label_rule_tradeoff_counts_customers_who_came_back():
    s = make_shipments()
    t = label_rule_tradeoff(s, "2024-07-01", windows=(14, 21, 60), follow_days=90)
    # on 1 July: A silent 28 days (never returns); C, shipping fortnightly, silent 14 days
    # (it ships again that very day): the 14-day rule calls both, and is wrong about C
    assert t["labelled_churned"].to_dict() == {14: 2, 21: 1, 60: 0}
    assert t.loc[14, "came_back"] == 1 and t.loc[14, "false_churn_share"] == 0.5
    assert t.loc[21, "came_back"] == 0
    gap = s[~((s["customer_id"] == "B") & s["ship_date"].between("2024-06-01", "2024-06-30"))]
    t2 = label_rule_tradeoff(gap, "2024-07-01", windows=(21,), follow_days=90)
    assert t2.loc[21, "labelled_churned"] == 2 and t2.loc[21, "came_back"] == 1   # B returns in July


# --------------------------------------------------------------------------- features

def test_churn_features_hand_computed():
    s = make_shipments()
    f = churn_features(s, "2024-07-01", customers=make_customers(), complaints=make_complaints(),
                       surveys=make_surveys(), window_days=91, recent_weeks=4, baseline_weeks=8)
    assert f.loc["A", "recency_days"] == 28
    # window 2024-04-01 .. 2024-06-30: A ships Apr 1 .. Jun 3 weekly = 10 shipments
    assert f.loc["A", "frequency"] == 10 and f.loc["A", "revenue"] == 200.0
    assert f.loc["B", "frequency"] == 13
    # A: recent 4 weeks (Jun 3 .. Jun 30) hold 1 shipment (Jun 3), the 8 weeks before hold 8
    assert f.loc["A", "volume_trend"] == pytest.approx(np.log(1.5 / 4) - np.log(8.5 / 8))
    assert f.loc["B", "volume_trend"] == pytest.approx(np.log(4.5 / 4) - np.log(8.5 / 8))
    assert f.loc["C", "tenure_days"] == (pd.Timestamp("2024-07-01") - pd.Timestamp("2024-05-01")).days
    # complaints in the window: A's K2 (Apr-Jun), B's K3; K4 is after the cut-off
    assert f.loc["A", "complaints"] == 1 and f.loc["B", "complaints"] == 1
    assert f.loc["A", "unresolved_complaints"] == 0 and f.loc["A", "mean_resolution_hours"] == 72
    assert f.loc["A", "latest_satisfaction"] == 3 and f.loc["B", "latest_satisfaction"] == 6
    assert np.isnan(f.loc["C", "latest_satisfaction"])
    assert f.loc["B", "industry"] == "pharma"
    assert (f["failure_rate"] == 0).all() and (f["relative_price"].abs() < 1).all()


def test_features_have_no_leakage_from_after_the_cutoff():
    cutoff = pd.Timestamp("2024-07-01")
    s, k, v, c = make_shipments(), make_complaints(), make_surveys(), make_customers()
    # some service outcomes that are only known after the cut-off
    s.loc[s["ship_date"] == "2024-06-28", ["delivered_date"]] = pd.Timestamp("2024-07-03")
    kwargs = dict(customers=c, window_days=120, recent_weeks=4, baseline_weeks=8)
    base = churn_features(s, cutoff, complaints=k, surveys=v, **kwargs)

    s2 = s.copy()
    after = s2["ship_date"] >= cutoff
    s2.loc[after, "revenue"] = 1e6                       # alter everything after the cut-off
    s2.loc[after, ["on_time", "damaged", "lost"]] = [False, True, True]
    s2 = s2.drop(index=s2.index[after][::3])              # delete some of it
    extra = s2[after.reindex(s2.index, fill_value=False)].head(5).assign(customer_id="A")
    s2 = pd.concat([s2, extra])                           # and invent new shipments
    # an outcome known only after the cut-off: delivered damaged on 3 July
    s2.loc[s2["ship_date"] == "2024-06-28", "damaged"] = True
    k2 = k.copy()
    k2.loc[k2["date"] >= cutoff, "customer_id"] = "A"
    k2 = pd.concat([k2, pd.DataFrame({"complaint_id": ["K9"], "customer_id": ["C"],
                                      "date": [cutoff + pd.Timedelta(hours=1)], "resolved": [False],
                                      "resolution_hours": [np.nan]})])
    v2 = pd.concat([v, pd.DataFrame({"response_id": ["R9"], "customer_id": ["A"],
                                     "date": [cutoff], "overall_satisfaction": [7]})])
    changed = churn_features(s2, cutoff, complaints=k2, surveys=v2, **kwargs)
    pd.testing.assert_frame_equal(changed, base)


def test_any_index_works_including_duplicates():
    s, k, v = make_shipments(), make_complaints(), make_surveys()
    plain = churn_features(s, "2024-07-01", customers=make_customers(), complaints=k, surveys=v)
    s.index, k.index, v.index = [7] * len(s), [7] * len(k), ["x"] * len(v)
    odd = churn_features(s, "2024-07-01", customers=make_customers(), complaints=k, surveys=v)
    pd.testing.assert_frame_equal(odd, plain)
    assert early_warning(s, adjust=False).shape[0] == 2
    d = simulated_customers(300)
    d.index = [0] * 300
    assert fit_churn_model(d, target="churned").predict_proba(d).notna().all()


def test_complaint_resolved_after_cutoff_counts_as_unresolved():
    s = make_shipments()
    k = make_complaints()
    k.loc[k["complaint_id"] == "K2", "resolution_hours"] = 24 * 40   # resolved on 9 July
    f = churn_features(s, "2024-07-01", complaints=k, window_days=91)
    assert f.loc["A", "unresolved_complaints"] == 1 and np.isnan(f.loc["A", "mean_resolution_hours"])


def test_late_parcel_counts_only_once_its_promise_has_passed():
    s = make_shipments()
    s.loc[s["ship_date"] == "2024-06-26", "on_time"] = False      # B, promised 28 June: known
    s.loc[(s["customer_id"] == "A") & (s["ship_date"] == "2024-06-03"), "on_time"] = False   # promised 5 June
    c_late = (s["customer_id"] == "C") & (s["ship_date"] == "2024-06-17")
    s.loc[c_late, "promised_date"] = pd.Timestamp("2024-07-02")
    s.loc[c_late, "on_time"] = False                                # not yet known on 1 July
    f = churn_features(s, "2024-07-01", window_days=91)
    assert f.loc["A", "late"] == 1 and f.loc["B", "late"] == 1 and f.loc["C", "late"] == 0
    assert f.loc["A", "failure_rate"] == pytest.approx(1 / 10)


# --------------------------------------------------------------------------- the model

def simulated_customers(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"recency": rng.exponential(30, n), "sat": rng.normal(5, 1, n),
                      "plan": rng.choice(["basic", "gold", "silver"], n, p=[0.5, 0.2, 0.3])})
    eta = -2.0 + 0.03 * d["recency"] - 0.5 * (d["sat"] - 5) + np.where(d["plan"] == "gold", -0.8, 0.0)
    d["churned"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return d


def test_fit_churn_model_matches_statsmodels_and_recovers_effects():
    d = simulated_customers()
    before = d.copy()
    m = fit_churn_model(d, target="churned")
    pd.testing.assert_frame_equal(d, before)
    s = m.summary()
    # reference: the same design fitted directly with statsmodels
    X = pd.DataFrame({"recency": d["recency"], "sat": d["sat"],
                      "plan[gold]": (d["plan"] == "gold").astype(float),
                      "plan[silver]": (d["plan"] == "silver").astype(float)})
    ref = sm.Logit(d["churned"], sm.add_constant(X)).fit(disp=False)
    np.testing.assert_allclose(s["coef"].to_numpy(), ref.params.to_numpy(), rtol=1e-6)
    ci = ref.conf_int()
    np.testing.assert_allclose(s["or_low"].to_numpy(), np.exp(ci[0]).to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(m.predict_proba(d).to_numpy(), np.asarray(ref.predict()), rtol=1e-6)
    # the truth is inside the 95% intervals
    assert s.loc["recency", "or_low"] < np.exp(0.03) < s.loc["recency", "or_high"]
    assert s.loc["plan[gold]", "or_low"] < np.exp(-0.8) < s.loc["plan[gold]", "or_high"]
    assert any("reference level 'basic'" in n for n in m.notes)
    assert m.drivers().index[0] in ("recency", "sat")
    assert m.plot().get_xlabel().startswith("odds ratio")


def test_fit_churn_model_works_on_any_table_with_its_own_names():
    d = simulated_customers(800).rename(columns={"churned": "left", "plan": "Tarif", "sat": "CSAT score"})
    d["flag"] = d["recency"] > 40
    m = fit_churn_model(d, target="left", features=["recency", "CSAT score", "Tarif", "flag"])
    assert {"CSAT score", "flag", "Tarif[gold]"} <= set(m.summary().index)
    new = d.head(3).assign(Tarif=["gold", "platinum", "basic"])
    with pytest.warns(UserWarning, match="not seen"):
        p = m.predict_proba(new)
    assert p.between(0, 1).all()


def test_nullable_boolean_and_integer_features():
    d = simulated_customers(800)
    d["flag"] = pd.array(d["recency"] > 40, dtype="boolean")
    d["visits"] = pd.array((d["recency"] // 10).astype(int), dtype="Int64")
    d.loc[3, "flag"], d.loc[5, "visits"] = pd.NA, pd.NA
    m = fit_churn_model(d.assign(churned=d["churned"].astype(bool)), target="churned")
    assert {"flag", "visits"} <= set(m.summary().index) and m.n == 798
    assert m.predict_proba(d).isna().sum() == 2


def test_constant_and_collinear_columns_are_reported_and_dropped():
    d = simulated_customers(800)
    d["region"] = "east"
    d["recency_weeks"] = d["recency"] / 7
    d["score_sum"] = d["recency"] + d["sat"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = fit_churn_model(d, target="churned")
    text = " ".join(m.notes)
    assert "recency_weeks: collinear with recency" in text
    assert "score_sum: collinear with" in text
    assert "region" not in m.summary().index and len(caught) >= 2
    # 'region' is a one-level categorical: it has no indicator column at all
    assert "recency_weeks" not in m.summary().index


def test_rare_levels_are_pooled_and_one_class_levels_dropped():
    d = simulated_customers(1000)
    d.loc[:3, "plan"] = "platinum"                      # 4 customers: pooled into "other"
    d["vip"] = 0
    d.loc[d.index[(d["churned"] == 0)][:30], "vip"] = 1    # all 30 VIPs stayed
    with pytest.warns(UserWarning, match="quasi-complete separation"):
        m = fit_churn_model(d, target="churned")
    assert any("pooled into 'other'" in n for n in m.notes)
    assert "vip" not in m.summary().index and any("0 of 30 churned" in n for n in m.notes)


def test_model_bad_input_raises_data_error():
    d = simulated_customers(500)
    with pytest.raises(DataError, match="only one class"):
        fit_churn_model(d.assign(churned=0), target="churned")
    with pytest.raises(DataError, match="'sat' is missing"):
        fit_churn_model(d.assign(sat=np.nan), target="churned")
    with pytest.raises(DataError, match="too few customers"):
        fit_churn_model(d.head(12), target="churned")
    with pytest.raises(DataError, match="perfect separation: recency"):
        fit_churn_model(d.assign(churned=(d["recency"] > 30).astype(int)), target="churned",
                        features=["recency", "sat"])
    with pytest.raises(DataError, match="other than True/False or 1/0"):
        fit_churn_model(d.assign(churned=d["churned"] * 2), target="churned")
    with pytest.raises(DataError, match="missing column"):
        fit_churn_model(d, target="churn")
    with pytest.raises(DataError, match="looks like an identifier"):
        fit_churn_model(d.assign(customer_id=[f"C{i:04d}" for i in range(len(d))]), target="churned")
    with pytest.raises(DataError, match="holds dates"):
        fit_churn_model(d.assign(signup=pd.Timestamp("2024-01-01")), target="churned")


def test_missing_features_drop_rows_with_a_note():
    d = simulated_customers(600)
    d.loc[:49, "sat"] = np.nan
    m = fit_churn_model(d, target="churned")
    assert m.n == 550 and any("50 of 600 rows dropped" in n for n in m.notes)
    assert m.predict_proba(d).iloc[:50].isna().all()
    with pytest.raises(DataError, match="missing feature"):
        fit_churn_model(d, target="churned", missing="raise")


def test_cluster_robust_standard_errors_for_repeated_customers():
    d = simulated_customers(600)
    panel = pd.concat([d.assign(cid=np.arange(600)), d.assign(cid=np.arange(600))], ignore_index=True)
    naive = fit_churn_model(panel, target="churned", features=["recency", "sat", "plan"])
    robust = fit_churn_model(panel, target="churned", features=["recency", "sat", "plan"], cluster="cid")
    single = fit_churn_model(d, target="churned", features=["recency", "sat", "plan"])
    np.testing.assert_allclose(robust.summary()["coef"], naive.summary()["coef"])
    # duplicating every row halves the naive variance; clustering undoes that (up to small-sample factors)
    ratio = robust.summary()["std_err"] / single.summary()["std_err"]
    assert ratio.between(0.95, 1.05).all()
    assert (naive.summary()["std_err"] < 0.75 * robust.summary()["std_err"]).all()
    assert any("cluster-robust by 'cid'" in n for n in robust.notes)


def test_churn_still_exposes_evaluation_and_warning_names():
    """Notebooks and exercises call churn.evaluate, churn.early_warning, ...: the split keeps them."""
    for module in (crmkit.evaluation, crmkit.warning):
        for name in module.__all__:
            assert name in crmkit.churn.__all__ and getattr(crmkit.churn, name) is getattr(module, name)


# --------------------------------------------------------------------------- against the simulator's truth

@pytest.fixture(scope="module")
def company():
    from crmkit.synth import BUNDLED_SEED, simulate
    return simulate(seed=BUNDLED_SEED)


FEATURE_TABLES = dict(attributes=("industry", "contract", "segment", "tier"))


def _prepare(d):
    d = d.copy()
    d["surveyed"] = d["latest_satisfaction"].notna().astype(int)
    d["latest_satisfaction"] = d["latest_satisfaction"].fillna(d["latest_satisfaction"].median())
    d["key_account"] = d["tier"].astype("object").isin(["strategic", "economic"]).astype(int)
    return d


def test_label_rule_agrees_with_true_churn(company):
    lab = label_churn(company.shipments, inactivity_days=90)
    j = lab.join(company.truth.customers[["churned"]].rename(columns={"churned": "churned_true"}))
    precision = j.loc[j["churned"], "churned_true"].mean()
    recall = j.loc[j["churned_true"], "churned"].mean()
    assert precision > 0.85 and recall > 0.85


def test_model_predicts_out_of_time_and_ranks_the_true_drivers_first(company):
    s, kw = company.shipments, dict(customers=company.customers, complaints=company.complaints,
                                    surveys=company.surveys, **FEATURE_TABLES)
    train = _prepare(churn_features(s, "2024-10-01", **kw).join(churn_target(s, "2024-10-01"), how="inner"))
    test = _prepare(churn_features(s, "2025-04-01", **kw).join(churn_target(s, "2025-04-01"), how="inner"))
    features = ["recency_days", "frequency", "log_revenue", "volume_trend", "relative_price", "failure_rate",
                "complaints", "latest_satisfaction", "surveyed", "contract", "segment", "industry"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = fit_churn_model(train, features=features)
    ev = evaluate(test["churn"], model.predict_proba(test))
    assert 0.65 < ev.auc < 0.92 and ev.gains["lift"].iloc[0] > 2

    # drivers: causes only, pooled over quarterly cut-offs, standard errors clustered by customer
    from crmkit.churn import churn_panel
    panel = _prepare(churn_panel(s, pd.date_range("2024-07-01", "2025-07-01", freq="3MS"), **kw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        drivers = fit_churn_model(panel, features=["latest_satisfaction", "surveyed", "relative_price",
                                                   "contract", "segment", "key_account", "industry"],
                                  cluster="customer_id").drivers()
    true_drivers = {"latest_satisfaction", "relative_price", "segment[B2C]", "contract[pay_per_shipment]",
                    "key_account"}       # truth.churn_effects: satisfaction, price, contract, key account, B2C
    assert set(drivers.index[:3]) <= true_drivers
    assert drivers.loc["latest_satisfaction", "std_coef"] < 0 < drivers.loc["relative_price", "std_coef"]
    assert drivers.loc["segment[B2C]", "std_coef"] > 0
    effects = company.truth.churn_effects["coefficient"]
    assert effects["latent_satisfaction"] < 0 < effects["price_index_10pct"] and effects["segment_b2c"] > 0




def test_model_reports_a_fit_that_did_not_converge(monkeypatch):
    import statsmodels.api as sm

    real_fit = sm.Logit.fit

    def fit_that_stops_early(self, *args, **kwargs):
        result = real_fit(self, *args, **kwargs)
        result.mle_retvals["converged"] = False
        return result

    monkeypatch.setattr(sm.Logit, "fit", fit_that_stops_early)
    with pytest.warns(UserWarning, match="did not converge"):
        model = fit_churn_model(simulated_customers(300), target="churned")
    assert "did not converge" in model.notes[-1]


def test_features_warn_when_delivery_timing_is_unknown():
    shipments = pd.DataFrame({"customer_id": ["A", "A", "B"], "revenue": [5.0, 6.0, 7.0],
                              "ship_date": pd.to_datetime(["2024-01-02", "2024-02-25", "2024-02-20"]),
                              "on_time": [True, False, True]})
    with pytest.warns(UserWarning, match="no 'promised_date' or 'delivered_date'.*leak"):
        features = churn_features(shipments, "2024-03-01")
    assert features.loc["A", "late"] == 1
