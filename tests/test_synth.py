"""The simulated company: schema, determinism, bad parameters and the causal story.

Each property of the causal story in DESIGN.md ("The simulated company") is checked on
the bundled-size run (2,000 customers, 24 months, the bundled seed): the numbers a
correct analysis of the bundled data must find.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from scipy import stats

from crmkit import DataError
from crmkit.datasets import DICTIONARY
from crmkit.synth import (BUNDLED_SEED, COMPANY_NAME, COMPANY_NAME_ZH, DIMENSIONS, INDUSTRIES, Company,
                          Truth, failure_exposure, main, simulate)


@pytest.fixture(scope="module")
def company() -> Company:
    return simulate(n_customers=2000, months=24, start="2024-01-01", seed=BUNDLED_SEED)


@pytest.fixture(scope="module")
def small() -> Company:
    return simulate(n_customers=300, months=6, seed=11)


def _digest(table: pd.DataFrame) -> str:
    text = table.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return hashlib.sha256(text.encode()).hexdigest()


# ---- shape and schema ---------------------------------------------------------------------

def test_company_is_frozen_with_truth(company):
    assert isinstance(company.truth, Truth)
    assert company.name == COMPANY_NAME and company.name_zh == COMPANY_NAME_ZH
    with pytest.raises(AttributeError):
        company.customers = None


def test_tables_follow_the_data_dictionary(company):
    for name, table in company.tables().items():
        assert table.columns.tolist() == [row[0] for row in DICTIONARY[name]], name
        for column, kind, *_ in DICTIONARY[name]:
            dtype = table[column].dtype
            expected = {"str": pd.api.types.is_string_dtype, "category": lambda d: d == "category",
                        "date": pd.api.types.is_datetime64_any_dtype, "bool": lambda d: d == bool,
                        "boolean": lambda d: d == "boolean", "int": lambda d: d == np.int64,
                        "float": lambda d: d == np.float64}[kind]
            assert expected(dtype), (name, column, dtype)


def test_sizes_and_keys(company):
    customers, shipments = company.customers, company.shipments
    assert len(customers) == 2000 and customers["customer_id"].is_unique
    assert 100_000 <= len(shipments) <= 250_000
    assert shipments["shipment_id"].is_unique
    assert shipments["customer_id"].isin(customers["customer_id"]).all()
    assert company.complaints["customer_id"].isin(customers["customer_id"]).all()
    linked = company.complaints["shipment_id"].dropna()
    assert linked.isin(shipments["shipment_id"]).all()
    assert company.surveys["customer_id"].isin(customers["customer_id"]).all()
    assert shipments["ship_date"].between(pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31")).all()
    assert (shipments["promised_date"] - shipments["ship_date"]).dt.days.eq(shipments["promised_days"]).all()
    assert shipments["delivered_date"].isna().eq(shipments["lost"]).all()
    late_delivered = shipments["delivered_date"] > shipments["promised_date"]
    assert late_delivered.eq(~shipments["on_time"] & ~shipments["lost"]).all()
    assert shipments["receipt_on_time"].isna().eq(~shipments["signed_receipt_return"]).all()
    assert (shipments["revenue"] > 0).all() and (shipments["cost"] >= 0).all()
    assert (shipments["weight_kg"] > 0).all() and (shipments["pieces"] >= 1).all()


# ---- determinism ------------------------------------------------------------------------------

def test_same_seed_gives_same_bytes(small):
    again = simulate(n_customers=300, months=6, seed=11)
    for name, table in small.tables().items():
        assert _digest(table) == _digest(again.tables()[name]), name
    pd.testing.assert_frame_equal(small.truth.customers, again.truth.customers)
    pd.testing.assert_frame_equal(small.truth.driver_effects, again.truth.driver_effects)


def test_different_seed_gives_different_data(small):
    other = simulate(n_customers=300, months=6, seed=12)
    for name, table in small.tables().items():
        assert _digest(table) != _digest(other.tables()[name]), name


def test_numpy_integer_seed_is_accepted(small):
    again = simulate(n_customers=300, months=6, seed=np.int64(11))
    assert _digest(again.shipments) == _digest(small.shipments)


# ---- bad parameters -----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, words", [
    ({"n_customers": 0}, "n_customers must be positive"),
    ({"n_customers": -5}, "n_customers must be positive"),
    ({"n_customers": 2.5}, "n_customers must be a whole number"),
    ({"n_customers": "100"}, "n_customers must be a whole number"),
    ({"months": 0}, "months must be positive"),
    ({"months": -1}, "months must be positive"),
    ({"months": 12.0}, "months must be a whole number"),
    ({"months": 1000}, "months must be at most"),
    ({"seed": "abc"}, "seed must be a whole number"),
    ({"seed": 1.5}, "seed must be a whole number"),
    ({"seed": None}, "seed must be a whole number"),
    ({"seed": True}, "seed must be a whole number"),
    ({"seed": -1}, "seed must be 0 or more"),
    ({"start": "2024-02-30"}, "is not a date"),
    ({"start": "next monday"}, "is not a date"),
    ({"industry_mix": {"toys": 1.0}}, "unknown industry, e.g. 'toys'"),
    ({"industry_mix": {"pharma": -1.0}}, "share of 0 or more"),
    ({"industry_mix": {"pharma": 0.0}}, "add up to 0"),
    ({"industry_mix": ["pharma"]}, "must be a non-empty dict"),
    ({"industry_mix": {"pharma": "lots"}}, "must be a number"),
])
def test_bad_parameters_raise_data_error(kwargs, words):
    arguments = {"n_customers": 20, "months": 2, "seed": 1, **kwargs}
    with pytest.raises(DataError, match=words.replace("(", r"\(")) as info:
        simulate(**arguments)
    assert "Fix:" in str(info.value)


def test_industry_mix_is_used():
    company = simulate(n_customers=200, months=2, seed=5, industry_mix={"pharma": 3, "apparel": 1})
    shares = company.customers["industry"].value_counts(normalize=True)
    assert set(shares[shares > 0].index) == {"pharma", "apparel"}
    assert shares["pharma"] > 0.6


def test_command_line_writes_four_csv_files(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--customers", "60", "--months", "2", "--seed", "3"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["complaints.csv", "customers.csv",
                                                          "shipments.csv", "surveys.csv"]
    assert "shipments.csv" in capsys.readouterr().out


# ---- revenue is heavy-tailed --------------------------------------------------------------------

def test_top_fifth_of_customers_bring_70_to_85_percent_of_revenue(company):
    revenue = company.shipments.groupby("customer_id")["revenue"].sum().sort_values(ascending=False)
    top = revenue.iloc[: int(np.ceil(0.2 * len(revenue)))].sum() / revenue.sum()
    assert 0.70 <= top <= 0.85


def test_some_customers_pass_the_economic_key_account_rule(company):
    # SF Express: an economic big customer brings at least 5,000,000 RMB a year (COURSE.md, source 003)
    shipments = company.shipments
    yearly = shipments.groupby(["customer_id", shipments["ship_date"].dt.year])["revenue"].sum()
    big = yearly[yearly >= 5_000_000].index.get_level_values(0).unique()
    assert 0.005 * 2000 <= len(big) <= 0.02 * 2000


def test_revenue_per_waybill_is_heavy_tailed(company):
    revenue = company.shipments["revenue"]
    assert revenue.mean() > 1.5 * revenue.median()
    assert stats.skew(np.log(revenue)) > -0.5 and stats.skew(revenue) > 5


# ---- service levels ---------------------------------------------------------------------------

def test_service_levels_are_realistic(company):
    shipments = company.shipments
    assert 0.90 <= shipments["on_time"].mean() <= 0.95
    assert 0.005 <= shipments["damaged"].mean() <= 0.015
    assert 0.001 <= shipments["lost"].mean() <= 0.003
    by_month = shipments.groupby(shipments["ship_date"].dt.month)["on_time"].mean()
    assert by_month[11] < by_month[[3, 4, 5, 8, 9]].mean() - 0.01      # Double 11 peak strains the network


# ---- failures lower satisfaction; complaints follow failures; recovery ------------------------

def _first_differences(company, exposure):
    truth = company.truth
    panel = truth.satisfaction.assign(month=np.tile(np.arange(truth.params["months"]),
                                                    truth.params["n_customers"]))
    data = panel.merge(exposure, on=["customer_id", "month"], how="left").fillna(0.0)
    data = data.sort_values(["customer_id", "month"], kind="stable")
    groups = data.groupby("customer_id", sort=False)
    both_active = data["active"] & groups["active"].shift(1, fill_value=False).astype(bool)
    return data.drop(columns=["customer_id", "active"]).groupby(data["customer_id"]).diff()[both_active]


def test_failures_lower_latent_satisfaction_by_the_true_amounts(company):
    exposure = failure_exposure(company.shipments, company.complaints, months=24)
    diff = _first_differences(company, exposure)
    columns = ["late", "damaged", "lost", "bad_handling"]
    fit = sm.OLS(diff["latent_satisfaction"], sm.add_constant(diff[columns])).fit()
    truth = {**company.truth.failure_effects["effect_per_share"].to_dict(),
             "bad_handling": company.truth.params["handling_effect"]}
    for column in columns:
        assert truth[column] < 0
        assert abs(fit.params[column] - truth[column]) < max(4 * fit.bse[column], 0.1 * abs(truth[column])), column
    # and per event: lost hurts more than damaged, damaged more than late
    assert truth["lost"] < truth["damaged"] < truth["late"]


def test_quick_resolution_recovers_part_of_the_loss(company):
    weighted = failure_exposure(company.shipments, company.complaints, months=24)
    raw = failure_exposure(company.shipments, company.complaints.iloc[:0], months=24)
    recovered = raw[["late", "damaged", "lost"]] - weighted[["late", "damaged", "lost"]]
    assert (recovered.to_numpy() >= -1e-12).all()
    exposure = raw.copy()
    exposure[["late_recovered", "damaged_recovered", "lost_recovered"]] = recovered.to_numpy()
    exposure["bad_handling"] = weighted["bad_handling"]
    diff = _first_differences(company, exposure)
    columns = ["late", "damaged", "lost", "late_recovered", "damaged_recovered", "lost_recovered", "bad_handling"]
    fit = sm.OLS(diff["latent_satisfaction"], sm.add_constant(diff[columns])).fit()
    for failure in ("late", "damaged", "lost"):
        # the recovered part of a failure gives back what the failure took (opposite sign, similar size)
        assert fit.tvalues[f"{failure}_recovered"] > 3
        ratio = -fit.params[f"{failure}_recovered"] / fit.params[failure]
        assert 0.5 < ratio < 1.6, (failure, ratio)


def test_survey_answers_reflect_failures(company):
    shipments, surveys = company.shipments, company.surveys
    late = (~shipments["on_time"]).groupby(shipments["customer_id"]).mean()
    timeliness = surveys[["timeliness_1", "timeliness_2", "timeliness_3"]].mean(axis=1)
    per_customer = timeliness.groupby(surveys["customer_id"]).mean()
    counts = shipments.groupby("customer_id").size()
    busy = counts[counts >= 30].index.intersection(per_customer.index)
    rho = stats.spearmanr(late[busy], per_customer[busy]).statistic
    assert rho < -0.15


def test_complaints_follow_failures(company):
    shipments, complaints = company.shipments, company.complaints
    about = shipments.set_index("shipment_id").loc[complaints["shipment_id"].dropna()]
    category = complaints.dropna(subset=["shipment_id"])["category"].to_numpy()
    assert (~about["on_time"].to_numpy()[category == "delay"]).all()
    assert about["damaged"].to_numpy()[category == "damage"].all()
    assert about["lost"].to_numpy()[category == "loss"].all()
    complained = shipments["shipment_id"].isin(complaints["shipment_id"])
    late = ~shipments["on_time"] & ~shipments["lost"] & ~shipments["damaged"]
    clean = shipments["on_time"] & ~shipments["damaged"]
    assert complained[late].mean() > 10 * complained[clean].mean()
    assert complained[shipments["lost"]].mean() > complained[shipments["damaged"]].mean() > complained[late].mean()
    assert (complaints.loc[complaints["category"] == "delay", "date"].to_numpy()
            >= about.loc[category == "delay", "delivered_date"].to_numpy()).all()
    rate = 1000 * len(complaints) / len(shipments)
    assert 5 <= rate <= 40
    assert complaints["resolution_hours"].isna().eq(~complaints["resolved"]).all()


# ---- churn --------------------------------------------------------------------------------------

def _yearly_churn(company):
    customers = company.customers.set_index("customer_id")
    churn_date = company.truth.customers["churn_date"]
    rates = []
    for year in (2024, 2025):
        begin, end = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year + 1}-01-01")
        at_risk = (customers["signup_date"] < begin) & ~(churn_date < begin)
        rates.append(float((at_risk & (churn_date < end)).sum() / at_risk.sum()))
    return rates


def test_yearly_churn_is_between_10_and_25_percent(company):
    for rate in _yearly_churn(company):
        assert 0.10 <= rate <= 0.25


def test_churn_hazard_recovers_the_true_coefficients(company):
    truth, customers = company.truth, company.customers.set_index("customer_id")
    panel = truth.satisfaction.copy()
    panel["previous"] = panel.groupby("customer_id")["latent_satisfaction"].shift(1)
    month_end = panel["month"] + pd.offsets.MonthBegin(1)
    decided = truth.customers["decline_start"].reindex(panel["customer_id"]).to_numpy()
    signup = customers["signup_date"].reindex(panel["customer_id"]).to_numpy()
    exposure = (month_end.to_numpy() - np.maximum(signup, panel["month"].to_numpy())) / np.timedelta64(1, "D") / 365.25
    at_risk = (panel["active"].to_numpy() & ~(decided < panel["month"].to_numpy())
               & panel["previous"].notna().to_numpy() & (exposure > 0))
    event = (decided >= panel["month"].to_numpy()) & (decided < month_end.to_numpy())
    ids = panel.loc[at_risk, "customer_id"]
    covariates = pd.DataFrame({
        "latent_satisfaction": panel.loc[at_risk, "previous"].to_numpy(),
        "price_index_10pct": ((truth.customers["price_index"].reindex(ids) - 1) / 0.1).to_numpy(),
        "monthly_settlement": (customers["contract"].reindex(ids) == "monthly_settlement").to_numpy(float),
        "key_account": customers["tier"].reindex(ids).isin(["strategic", "economic"]).to_numpy(float),
        "segment_b2c": (customers["segment"].reindex(ids) == "B2C").to_numpy(float),
    })
    model = sm.GLM(event[at_risk].astype(float), sm.add_constant(covariates),
                   family=sm.families.Binomial(link=sm.families.links.CLogLog()),
                   offset=np.log(exposure[at_risk].astype(float))).fit()
    true = truth.churn_effects["coefficient"].rename({"intercept": "const"})
    for name in ("const", "latent_satisfaction", "price_index_10pct", "monthly_settlement", "segment_b2c"):
        assert abs(model.params[name] - true[name]) < 3 * model.bse[name], name
    assert model.params["latent_satisfaction"] < -0.4 and model.tvalues["price_index_10pct"] > 2
    assert set(truth.churn_effects.index) == set(truth.churn_effects["definition"].index)


def test_volume_falls_for_weeks_before_a_customer_leaves(company):
    truth, shipments = company.truth.customers, company.shipments
    churned = truth[truth["churned"]]
    assert len(churned) > 100
    weeks = (churned["churn_date"] - churned["decline_start"]).dt.days / 7
    assert weeks.between(4, 12).all() and churned["decline_weeks"].between(4, 12).all()
    ships = shipments[shipments["customer_id"].isin(churned.index)]
    start = churned["decline_start"].reindex(ships["customer_id"]).to_numpy()
    leave = churned["churn_date"].reindex(ships["customer_id"]).to_numpy()
    date = ships["ship_date"].to_numpy()
    assert (date <= leave).all()                                 # nothing after the customer left
    before = ((date < start) & (date >= start - np.timedelta64(84, "D"))).sum() / (len(churned) * 12)
    during = ((date >= start) & (date <= leave)).sum() / weeks.sum()
    assert during < 0.7 * before
    # and customers who stay do not show that fall
    active = company.customers["customer_id"][~company.customers["customer_id"].isin(churned.index)]
    assert truth.loc[active, "decline_start"].isna().mean() > 0.9


def test_low_satisfaction_customers_churn_more(company):
    truth = company.truth.customers
    low = truth["mean_satisfaction"] < truth["mean_satisfaction"].quantile(0.25)
    high = truth["mean_satisfaction"] > truth["mean_satisfaction"].quantile(0.75)
    assert truth.loc[low, "churned"].mean() > 1.5 * truth.loc[high, "churned"].mean()


# ---- industries and tiers -------------------------------------------------------------------------

def test_industries_differ_in_services_and_value_added_services(company):
    shipments = company.shipments.merge(company.customers[["customer_id", "industry", "tier"]], on="customer_id")
    mix = pd.crosstab(shipments["industry"], shipments["service"], normalize="index")
    assert set(mix["cold_chain"].nlargest(2).index) == {"cold_chain_food", "pharma"}
    assert set(mix["freight"].nlargest(2).index) == {"electromechanical", "trade_forwarding"}
    assert stats.chi2_contingency(pd.crosstab(shipments["industry"], shipments["service"]))[1] < 1e-12
    services = shipments.groupby("industry", observed=True)[["cod", "insured", "signed_receipt_return",
                                                             "cold_chain"]].mean()
    assert services.loc["ecommerce", "cod"] > 3 * services.loc["pharma", "cod"]
    assert services.loc["it_electronics", "insured"] > 2 * services.loc["ecommerce", "insured"]
    assert services.loc["pharma", "signed_receipt_return"] > 3 * services.loc["ecommerce", "signed_receipt_return"]
    assert services["cold_chain"].idxmax() in ("cold_chain_food", "pharma")
    assert set(company.customers["industry"].unique()) == set(INDUSTRIES)


def test_key_account_tiers_differ_in_volume_and_services(company):
    customers = company.customers.set_index("customer_id")
    shipments = company.shipments
    per_customer = shipments.groupby("customer_id").agg(waybills=("revenue", "size"), revenue=("revenue", "sum"),
                                                        insured=("insured", "mean"),
                                                        receipt=("signed_receipt_return", "mean"))
    per_customer["tier"] = customers["tier"]
    median = per_customer.groupby("tier", observed=True)["revenue"].median()
    assert median["economic"] > 20 * median["regular"] and median["strategic"] > 10 * median["regular"]
    assert median["potential"] > median["regular"]
    # within an industry, key accounts buy more value-added services than regular customers
    per_customer["key"] = per_customer["tier"].isin(["strategic", "economic"])
    per_customer["industry"] = customers["industry"]
    by_group = per_customer.groupby(["industry", "key"], observed=True)[["insured", "receipt"]].mean().unstack("key")
    for service in ("insured", "receipt"):
        gap = (by_group[(service, True)] - by_group[(service, False)]).dropna()
        assert len(gap) >= 3 and gap.mean() > 0.05, service
    counts = customers["tier"].value_counts()
    assert counts["regular"] > counts["potential"] > 0 and counts["strategic"] > 0 and counts["economic"] > 0
    assert (customers.loc[customers["tier"] != "regular", "contract"] == "monthly_settlement").all()


# ---- surveys ----------------------------------------------------------------------------------------

def test_survey_waves_sample_active_customers(company):
    surveys = company.surveys
    assert surveys["wave"].nunique() == 8
    assert 2000 <= len(surveys) <= 5000
    assert surveys.groupby("wave")["customer_id"].apply(lambda s: s.is_unique).all()
    churn = company.truth.customers["churn_date"].reindex(surveys["customer_id"]).to_numpy()
    assert not (surveys["date"].to_numpy() > churn).any()


def test_survey_scales_are_reliable(company):
    surveys = company.surveys
    for dim in DIMENSIONS:
        items = surveys[[f"{dim}_{k}" for k in (1, 2, 3)]]
        alpha = pg.cronbach_alpha(items)[0]     # pingouin's implementation of Cronbach (1951)
        assert 0.75 <= alpha <= 0.90, (dim, alpha)
        assert items.isin([1, 2, 3, 4, 5]).all().all()


def test_items_load_on_their_own_dimension_in_the_true_order(company):
    surveys, loadings = company.surveys, company.truth.loadings
    items = loadings["item"].tolist()
    corr = surveys[items].corr()
    for dim in DIMENSIONS:
        own = [f"{dim}_{k}" for k in (1, 2, 3)]
        others = [i for i in items if i not in own]
        within = corr.loc[own, own].to_numpy()[np.triu_indices(3, 1)].min()
        assert within > corr.loc[own, others].to_numpy().max() + 0.2
        true = loadings.set_index("item").loc[own, "loading"]
        rest = [corr.loc[item, [o for o in own if o != item]].sum() for item in own]
        assert np.argmax(rest) == np.argmax(true.to_numpy()) and np.argmin(rest) == np.argmin(true.to_numpy())


def test_outcomes_follow_satisfaction(company):
    surveys = company.surveys
    assert surveys["overall_satisfaction"].between(1, 7).all() and surveys["recommend"].between(0, 10).all()
    assert surveys["intention_to_stay"].between(1, 5).all()
    corr = surveys[["overall_satisfaction", "recommend", "intention_to_stay"]].corr()
    assert corr.loc["overall_satisfaction", "recommend"] > 0.5
    assert corr.loc["overall_satisfaction", "intention_to_stay"] > 0.4
    nps = (surveys["recommend"] >= 9).mean() - (surveys["recommend"] <= 6).mean()
    assert -0.4 < nps < 0.4


def test_driver_analysis_recovers_the_true_effects(company):
    surveys, truth = company.surveys, company.truth.driver_effects
    scores = pd.DataFrame({d: surveys[[f"{d}_{k}" for k in (1, 2, 3)]].mean(axis=1) for d in DIMENSIONS})
    z = (scores - scores.mean()) / scores.std()
    fit = sm.OLS(surveys["overall_satisfaction"].astype(float), sm.add_constant(z)).fit()
    interval = fit.conf_int().loc[list(DIMENSIONS)]
    effect = truth["effect"].reindex(list(DIMENSIONS))
    assert ((interval[0] <= effect) & (effect <= interval[1])).all()
    estimated_order = fit.params[list(DIMENSIONS)].sort_values(ascending=False).index.tolist()
    assert estimated_order == truth.sort_values("rank").index.tolist()
    assert truth.index[0] == "timeliness"
    gaps = -np.diff(truth.sort_values("rank")["effect"].to_numpy())
    assert gaps.min() > 2.5 * fit.bse[list(DIMENSIONS)].max()


# ---- value classes ----------------------------------------------------------------------------------

def test_value_classes_separate_history_from_potential(company):
    truth = company.truth.customers
    assert set(truth["value_class"].unique()) == {"low_low", "low_high", "high_high", "high_low"}
    by_class = truth.groupby("value_class", observed=True)[["historical_value", "future_value"]].median()
    assert by_class.loc["high_high", "historical_value"] > by_class.loc["low_high", "historical_value"]
    assert by_class.loc["low_high", "future_value"] > by_class.loc["high_low", "future_value"]
    assert (truth.loc[truth["decline_start"].notna(), "future_value"] == 0).all()
    revenue = company.shipments.groupby("customer_id")["revenue"].sum().reindex(truth.index, fill_value=0)
    assert np.allclose(revenue, truth["historical_value"], atol=0.01)
