"""Tests for crmkit.satisfaction: reliability, scores, index, NPS, drivers, IPA, SERVQUAL gaps."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from crmkit import DataError
from crmkit.satisfaction import (
    DIMENSIONS,
    alpha_interval,
    cronbach_alpha,
    dimension_scores,
    drivers,
    ipa,
    item_analysis,
    item_columns,
    nps,
    reliability,
    satisfaction_index,
    servqual_gaps,
)

TRUE_EFFECTS = {"timeliness": 0.55, "condition": 0.35, "information": 0.12,
                "staff": 0.22, "handling": 0.30, "price": 0.05}


def simulate_survey(n=1500, seed=7):
    """A small survey with known structure: items load on their dimension; overall depends on them."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, len(DIMENSIONS)))
    frame = {"response_id": [f"R{i:05d}" for i in range(n)]}
    for j, d in enumerate(DIMENSIONS):
        for k in (1, 2, 3):
            raw = 3.2 + 0.1 * j + 0.9 * latent[:, j] + rng.normal(scale=0.6, size=n)
            frame[f"{d}_{k}"] = np.clip(np.round(raw), 1, 5).astype(int)
        frame[f"expect_{d}"] = np.clip(np.round(4.2 + rng.normal(scale=0.7, size=n)), 1, 5).astype(int)
    s = pd.DataFrame(frame)
    y = 4 + sum(TRUE_EFFECTS[d] * latent[:, j] for j, d in enumerate(DIMENSIONS)) + rng.normal(scale=0.7, size=n)
    s["overall_satisfaction"] = np.clip(np.round(y), 1, 7).astype(int)
    s["recommend"] = np.clip(np.round(2 * y - 1 + rng.normal(size=n)), 0, 10).astype(int)
    s["intention_to_stay"] = np.clip(np.round(y - 1), 1, 5).astype(int)
    s["region"] = rng.choice(["east", "north"], size=n)
    return s


@pytest.fixture(scope="module")
def survey():
    return simulate_survey()


# ---------------------------------------------------------------- reliability
def test_alpha_equals_pingouin(survey):
    for d in DIMENSIONS:
        cols = item_columns(survey, d)
        expected, ci = pg.cronbach_alpha(data=survey[cols])
        assert cronbach_alpha(survey, cols) == pytest.approx(expected, abs=1e-6)
    items = survey[[c for d in DIMENSIONS for c in item_columns(survey, d)]]
    assert cronbach_alpha(items) == pytest.approx(pg.cronbach_alpha(data=items)[0], abs=1e-6)


def test_alpha_on_pingouin_bundled_example():
    # pingouin's documented example "cronbach_wide_missing" after listwise deletion
    # (R psych::alpha(use="complete.obs")): alpha = 0.8016949152542373, CI [0.581, 0.933]
    data = pg.read_dataset("cronbach_wide_missing")
    assert cronbach_alpha(data, missing="listwise") == pytest.approx(0.8016949152542373, abs=1e-9)
    # pingouin's Feldt interval keeps n = 12 rows from before the deletion; with the same n
    # ours agrees. crmkit's reliability() uses the 9 complete rows, the honest (wider) interval.
    low, high = alpha_interval(0.8016949152542373, len(data), data.shape[1])
    assert (round(low, 3), round(high, 3)) == (0.581, 0.933)
    complete = data.dropna()
    low9, high9 = alpha_interval(0.8016949152542373, len(complete), data.shape[1])
    assert low9 < low and high9 > high


def test_feldt_interval_matches_pingouin(survey):
    cols = item_columns(survey, "staff")
    a, ci = pg.cronbach_alpha(data=survey[cols], ci=0.95)
    low, high = alpha_interval(a, len(survey), 3)
    assert [round(low, 3), round(high, 3)] == pytest.approx(list(ci))


def test_item_analysis_flags_a_reversed_item(survey):
    items = survey[item_columns(survey, "timeliness")].copy()
    items["bad"] = 6 - items["timeliness_1"]
    table = item_analysis(items, scale=(1, 5))
    assert table["item_total_r"].idxmin() == "bad"
    assert table.loc["bad", "alpha_if_deleted"] > cronbach_alpha(items)
    # alpha if deleted equals alpha computed on the remaining items
    rest = items.drop(columns="timeliness_2")
    assert table.loc["timeliness_2", "alpha_if_deleted"] == pytest.approx(cronbach_alpha(rest))
    # corrected item-total correlation: the item against the sum of the others
    r = np.corrcoef(items["bad"], items.drop(columns="bad").sum(axis=1))[0, 1]
    assert table.loc["bad", "item_total_r"] == pytest.approx(r)


def test_reliability_table(survey):
    before = survey.copy()
    table = reliability(survey)
    pd.testing.assert_frame_equal(survey, before)
    assert list(table.index) == list(DIMENSIONS)
    assert (table["n_items"] == 3).all() and (table["n"] == len(survey)).all()
    assert ((table["low"] < table["alpha"]) & (table["alpha"] < table["high"])).all()
    assert (table["alpha"] > 0.7).all()


@pytest.mark.parametrize("change, match", [
    (lambda s: s[["staff_1"]], "at least 2"),
    (lambda s: s[["staff_1", "staff_2"]].assign(staff_2=3), "constant"),
    (lambda s: s[["staff_1", "staff_2"]].assign(staff_2=lambda f: f.staff_2.where(f.index != 3, 9)), "outside 1 to 5"),
    (lambda s: s[["staff_1", "staff_2"]].assign(staff_2=lambda f: f.staff_2.astype(float).where(f.index != 3)), "missing"),
    (lambda s: s[["staff_1", "staff_2"]].assign(staff_2="good"), "non-numeric"),
    (lambda s: s[["staff_1", "staff_2"]].iloc[:1], "at least 2"),
])
def test_alpha_rejects_bad_input(survey, change, match):
    with pytest.raises(DataError, match=match):
        cronbach_alpha(change(survey), scale=(1, 5))


def test_missing_dimension_items(survey):
    with pytest.raises(DataError, match="no item columns for dimension 'speed'"):
        reliability(survey, ["speed"])
    with pytest.raises(DataError, match="missing column"):
        reliability(survey, items={"speed": ["speed_1", "speed_2"]})


# ---------------------------------------------------------------- scores and index
def test_dimension_scores_are_item_means(survey):
    scores = dimension_scores(survey)
    assert scores.index.name == "response_id"
    assert scores.loc["R00000", "staff"] == pytest.approx(survey.loc[0, ["staff_1", "staff_2", "staff_3"]].mean())
    with pytest.raises(DataError, match="outside 1 to 5"):
        dimension_scores(survey.assign(price_2=survey.price_2 + 1))


def test_satisfaction_index_rescaling_and_weights(survey):
    out = satisfaction_index(survey)
    w = out.attrs["weights"]
    assert w["overall_satisfaction"] == pytest.approx(0.5)
    assert w["staff"] == pytest.approx(0.5 / 6)
    assert out["index"].between(0, 100).all()
    row = survey.iloc[0]
    expected = 0.5 * 100 * (row.overall_satisfaction - 1) / 6 + sum(
        (0.5 / 6) * 100 * (row[[f"{d}_1", f"{d}_2", f"{d}_3"]].mean() - 1) / 4 for d in DIMENSIONS)
    assert out["index"].iloc[0] == pytest.approx(expected)
    only = satisfaction_index(survey, {"overall_satisfaction": 2, "recommend": 2})
    assert only["index"].iloc[0] == pytest.approx(
        50 * (row.overall_satisfaction - 1) / 6 + 50 * row.recommend / 10)
    with pytest.raises(DataError, match="outside 1 to 7"):
        satisfaction_index(survey.assign(overall_satisfaction=survey.overall_satisfaction + 3))
    with pytest.raises(DataError, match="no scale"):
        satisfaction_index(survey.assign(other=1), {"other": 1})
    with pytest.raises(DataError, match="non-negative"):
        satisfaction_index(survey, {"overall_satisfaction": -1})


# ---------------------------------------------------------------- NPS
def test_nps_shares_and_interval():
    scores = pd.Series([10] * 50 + [8] * 30 + [3] * 20)
    out = nps(scores).iloc[0]
    assert (out.promoters, out.passives, out.detractors, out.nps) == (0.5, 0.3, 0.2, pytest.approx(30.0))
    # multinomial variance of (promoter - detractor) indicator: E[X^2] - E[X]^2
    x = np.r_[np.ones(50), np.zeros(30), -np.ones(20)]
    se = np.sqrt(x.var() / len(x))
    assert out.high - out.nps == pytest.approx(100 * 1.959964 * se, rel=1e-5)


def test_nps_interval_covers_by_simulation():
    # coverage of the normal interval at n = 400 should be close to 95%
    rng = np.random.default_rng(3)
    probs = np.r_[np.full(7, 0.25 / 7), [0.2, 0.15], [0.2, 0.2]]
    true = 100 * (0.4 - 0.25)
    hits = 0
    for _ in range(400):
        s = pd.Series(rng.choice(11, size=400, p=probs / probs.sum()))
        r = nps(s).iloc[0]
        hits += r.low <= true <= r.high
    assert 0.92 <= hits / 400 <= 0.98


def test_nps_by_group_and_bad_input(survey):
    out = nps(survey, by="region")
    assert list(out.index) == ["east", "north"] and out["n"].sum() == len(survey)
    with pytest.raises(DataError, match="outside 0 to 10"):
        nps(pd.Series([11, 5]))
    with pytest.raises(DataError, match="non-integer"):
        nps(pd.Series([9.5, 5]))
    with pytest.raises(DataError, match="missing"):
        nps(pd.Series([9, None]))


# ---------------------------------------------------------------- drivers and IPA
def test_drivers_rank_and_cover_known_effects(survey):
    before = survey.copy()
    result = drivers(survey)
    pd.testing.assert_frame_equal(survey, before)
    table = result.summary()
    truth = pd.Series(TRUE_EFFECTS).sort_values(ascending=False)
    assert list(table.index[:2]) == list(truth.index[:2])
    assert table.loc["timeliness", "rank"] == 1 and table.loc["price", "rank"] == 6
    assert table["importance"].sum() == pytest.approx(1.0)
    assert (table["low"] < table["coef"]).all() and (table["coef"] < table["high"]).all()
    ax = result.plot()
    assert ax.get_title() and "per SD" in ax.get_xlabel() and ax.get_ylabel()


def test_ordinal_drivers_agree_on_order(survey):
    ols = drivers(survey).summary()
    ordinal = drivers(survey, method="ordinal").summary()
    assert list(ordinal.index[:3]) == list(ols.index[:3])
    assert ordinal.loc["timeliness", "coef"] > ols.loc["timeliness", "coef"]  # logit scale is wider
    with pytest.raises(DataError, match="distinct"):
        drivers(survey.assign(overall_satisfaction=np.where(survey.index % 2, 2, 6)), method="ordinal")


def test_drivers_bad_input(survey):
    with pytest.raises(DataError, match="constant"):
        drivers(survey.assign(overall_satisfaction=4))
    with pytest.raises(DataError, match="missing column"):
        drivers(survey.drop(columns="overall_satisfaction"))
    with pytest.raises(DataError, match="method"):
        drivers(survey, method="forest")
    with pytest.raises(DataError, match="too few"):
        drivers(survey.head(5))
    flat = survey.copy()
    flat[["price_1", "price_2", "price_3"]] = 3
    with pytest.raises(DataError, match="constant"):
        drivers(flat)


def test_ipa_quadrants(survey):
    result = ipa(survey)
    t = result.summary()
    assert set(t["quadrant"]) <= {"concentrate here", "keep up the good work", "low priority", "possible overkill"}
    for dim, row in t.iterrows():
        hi_imp = row.importance >= result.importance_cut
        hi_perf = row.performance >= result.performance_cut
        expected = {(True, False): "concentrate here", (True, True): "keep up the good work",
                    (False, False): "low priority", (False, True): "possible overkill"}[(hi_imp, hi_perf)]
        assert row.quadrant == expected
    # timeliness is the strongest driver and (by construction) the lowest-scoring dimension
    assert t.loc["timeliness", "quadrant"] == "concentrate here"
    assert t.loc["price", "quadrant"] in ("possible overkill", "low priority")
    ax = result.plot()
    assert ax.get_title() and "scale" in ax.get_xlabel() and "importance" in ax.get_ylabel()
    corr = ipa(survey, importance="correlation").summary()
    assert corr["importance"].between(-1, 1).all()


# ---------------------------------------------------------------- SERVQUAL
def test_servqual_gaps(survey):
    gaps = servqual_gaps(survey)
    scores = dimension_scores(survey)
    g = scores["staff"].to_numpy() - survey["expect_staff"].to_numpy()
    assert gaps.loc["staff", "gap"] == pytest.approx(g.mean())
    assert gaps["gap"].is_monotonic_increasing
    assert (gaps["low"] < gaps["gap"]).all()
    with pytest.raises(DataError, match="expect_staff"):
        servqual_gaps(survey.drop(columns="expect_staff"))
    with pytest.raises(DataError, match="outside"):
        servqual_gaps(survey.assign(expect_price=0))


# ---------------------------------------------------------------- against the simulator's truth
@pytest.fixture(scope="module")
def company():
    from crmkit.synth import simulate

    return simulate()  # the bundled company (default seed)


def test_drivers_recover_the_simulators_truth(company):
    truth = company.truth.driver_effects  # population OLS slopes on z-scored dimension means
    result = drivers(company.surveys)
    table = result.summary()
    assert result.se_type.startswith("cluster-robust by customer_id")
    assert list(table.index) == list(truth.sort_values("rank").index)
    covered = (table["low"] <= truth["effect"].reindex(table.index)) & (truth["effect"].reindex(table.index) <= table["high"])
    assert covered.all(), table.assign(truth=truth["effect"])
    ordinal = drivers(company.surveys, method="ordinal").summary()
    assert list(ordinal.index[:4]) == list(truth.sort_values("rank").index[:4])


def test_driver_intervals_cover_truth_across_seeds():
    from crmkit.synth import simulate

    hits, total = 0, 0
    for seed in (11, 12, 13, 14):
        company = simulate(n_customers=1500, seed=seed)
        truth = company.truth.driver_effects
        table = drivers(company.surveys).summary().reindex(truth.index)
        hits += int(((table["low"] <= truth["effect"]) & (truth["effect"] <= table["high"])).sum())
        total += len(truth)
        # the four clearly separated drivers come out in the true order
        assert list(table.sort_values("coef", ascending=False).index[:4]) == list(truth.index[:4])
    assert hits / total >= 0.8  # nominal 95%; 0.8 allows for chance in 24 intervals


def test_alpha_on_the_simulated_survey_matches_pingouin(company):
    table = reliability(company.surveys)
    for d in DIMENSIONS:
        cols = item_columns(company.surveys, d)
        assert table.loc[d, "alpha"] == pytest.approx(pg.cronbach_alpha(data=company.surveys[cols])[0], abs=1e-6)


def test_cluster_robust_errors_when_customers_answer_repeatedly(survey):
    classical = drivers(survey).summary()  # no customer_id column: classical errors
    repeated = survey.assign(customer_id=[f"C{i % 300}" for i in range(len(survey))])
    clustered = drivers(repeated)
    assert clustered.se_type == "cluster-robust by customer_id (300 clusters)"
    assert drivers(repeated, cluster=None).se_type == "classical"
    pd.testing.assert_series_equal(clustered.summary()["coef"], classical["coef"])
    with pytest.raises(DataError, match="missing"):
        drivers(repeated.assign(customer_id=repeated.customer_id.where(repeated.index != 5)))


def test_experience_before_counts_the_window():
    from crmkit.satisfaction import experience_before

    sv = pd.DataFrame({"response_id": ["R1", "R2", "R3"], "customer_id": ["A", "B", "C"],
                       "date": pd.to_datetime(["2024-04-01", "2024-04-01", "2024-04-01"])})
    sh = pd.DataFrame({
        "customer_id": ["A", "A", "A", "A", "B", "B"],
        "ship_date": pd.to_datetime(["2023-12-01", "2024-01-02", "2024-03-31", "2024-04-01", "2024-02-01", "2024-03-01"]),
        "on_time": [False, False, True, False, True, True],
        "damaged": [False, True, False, False, False, True],
        "lost": [False, False, False, False, False, False],
    })
    before = (sv.copy(), sh.copy())
    out = experience_before(sv, sh, window_days=90)
    pd.testing.assert_frame_equal(sv, before[0])
    # A: 2024-01-02 (90 days before 04-01 is 2024-01-02, included) and 03-31; 04-01 itself excluded
    assert out.loc["R1", "shipments"] == 2 and out.loc["R1", "late_share"] == 0.5
    assert out.loc["R1", "damaged_share"] == 0.5
    assert out.loc["R2", "shipments"] == 2 and out.loc["R2", "damaged_share"] == 0.5
    assert out.loc["R3", "shipments"] == 0 and np.isnan(out.loc["R3", "late_share"])
    with pytest.raises(DataError, match="window_days"):
        experience_before(sv, sh, window_days=0)
    with pytest.raises(DataError, match="missing column 'lost'"):
        experience_before(sv, sh.drop(columns="lost"))


def test_experience_before_on_simulated_company_lowers_satisfaction(company):
    from crmkit.satisfaction import experience_before

    exp = experience_before(company.surveys, company.shipments)
    s = company.surveys.set_index("response_id")
    late = exp["late_share"]
    high, low = s.loc[late > late.quantile(0.8), "overall_satisfaction"], s.loc[late == 0, "overall_satisfaction"]
    assert high.mean() < low.mean()  # truth: late deliveries lower satisfaction


def test_ipa_performance_interval(survey):
    t = ipa(survey).summary()
    scores = dimension_scores(survey)
    se = scores["staff"].std(ddof=1) / np.sqrt(len(scores))
    assert t.loc["staff", "performance_high"] - t.loc["staff", "performance"] == pytest.approx(1.9615 * se, rel=1e-3)
