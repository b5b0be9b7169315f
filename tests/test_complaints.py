"""Tests for crmkit.complaints: Pareto, resolution times, failure-to-complaint rates, service recovery."""

import numpy as np
import pandas as pd
import pytest

from crmkit import DataError
from crmkit.complaints import complaint_pareto, failure_complaint_rates, resolution_times, service_recovery
from crmkit.kpi import wilson_interval


def make_complaints():
    return pd.DataFrame({
        "complaint_id": [f"K{i}" for i in range(8)],
        "customer_id": ["C1", "C1", "C2", "C3", "C4", "C5", "C6", "C7"],
        "shipment_id": pd.array(["S1", "S2", "S3", pd.NA, "S5", "S6", "S7", "S8"], dtype="string"),
        "date": pd.to_datetime(["2024-01-10", "2024-03-01", "2024-01-15", "2024-02-01",
                                "2024-02-10", "2024-02-20", "2024-03-01", "2024-06-20"]),
        "channel": ["phone", "app", "phone", "online", "phone", "app", "phone", "app"],
        "category": ["delay", "delay", "damage", "billing", "delay", "loss", "delay", "damage"],
        "resolved": [True, True, True, False, True, False, True, True],
        "resolution_hours": [3.0, 50.0, 10.0, np.nan, 80.0, np.nan, 20.0, 5.0],
    })


def make_shipments():
    ids = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"]
    rows = []
    for cid in ids:
        rows.append((cid, "2024-01-05"))
    # after their complaint: C1, C2, C4 and C6 ship again within 90 days; C3, C5 do not
    rows += [("C1", "2024-02-01"), ("C2", "2024-03-01"), ("C4", "2024-04-01"), ("C6", "2024-05-15"),
             ("C5", "2024-08-01"), ("C8", "2024-07-01")]
    s = pd.DataFrame(rows, columns=["customer_id", "ship_date"])
    s["ship_date"] = pd.to_datetime(s["ship_date"])
    return s


def make_surveys():
    return pd.DataFrame({
        "response_id": ["R1", "R2", "R3", "R4", "R5", "R6", "R7"],
        "customer_id": ["C1", "C1", "C2", "C4", "C5", "C8", "C3"],
        "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01", "2024-03-01",
                                "2024-03-01", "2024-03-01", "2024-12-30"]),
        "overall_satisfaction": [2, 6, 5, 3, 1, 6, 4],
    })


def test_pareto_counts_shares_and_vital_few():
    c = make_complaints()
    before = c.copy()
    result = complaint_pareto(c)
    pd.testing.assert_frame_equal(c, before)
    t = result.summary()
    assert t["count"].tolist() == [4, 2, 1, 1]
    assert t.index[0] == "delay"
    assert t["share"].sum() == pytest.approx(1.0)
    assert t["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert t["cumulative_share"].is_monotonic_increasing
    # delay 50%, damage 75%, then billing crosses 80%: the first three are the vital few
    assert t["vital_few"].tolist() == [True, True, True, False]
    ax = result.plot()
    assert ax.get_title() and ax.get_xlabel() and "count" in ax.get_ylabel()


def test_pareto_bad_input():
    with pytest.raises(DataError, match="missing column 'category'"):
        complaint_pareto(pd.DataFrame({"categroy": ["a"]}))
    with pytest.raises(DataError, match="missing value"):
        complaint_pareto(pd.DataFrame({"category": ["a", None]}))
    with pytest.raises(DataError, match="empty"):
        complaint_pareto(pd.DataFrame({"category": []}))


def test_resolution_times_overall_and_by_group():
    c = make_complaints()
    overall = resolution_times(c).summary().iloc[0]
    assert (overall.n, overall.resolved) == (8, 6)
    hours = [3.0, 50.0, 10.0, 80.0, 20.0, 5.0]
    assert overall.median_hours == pytest.approx(np.median(hours))
    assert overall.within_target == pytest.approx(4 / 8)
    low, high = wilson_interval(6, 8)
    assert (overall.low, overall.high) == (pytest.approx(low), pytest.approx(high))
    by = resolution_times(c, by="category").summary()
    assert by.loc["delay", "n"] == 4 and by.loc["loss", "resolved_share"] == 0
    assert np.isnan(by.loc["loss", "median_hours"])
    ax = resolution_times(c, by="channel").plot()
    assert ax.get_title() and "hours" in ax.get_xlabel() and "%" in ax.get_ylabel()


def test_resolution_bad_input():
    c = make_complaints()
    with pytest.raises(DataError, match="missing for 1 complaints marked resolved"):
        resolution_times(c.assign(resolution_hours=c.resolution_hours.where(c.index != 0)))
    with pytest.raises(DataError, match="negative"):
        resolution_times(c.assign(resolution_hours=c.resolution_hours.where(c.index != 0, -2)))
    with pytest.raises(DataError, match="True/False"):
        resolution_times(c.assign(resolved="maybe"))


def test_failure_complaint_rates():
    s = pd.DataFrame({
        "shipment_id": [f"S{i}" for i in range(1, 11)],
        "on_time": [False, True, True, True, True, False, False, True, True, True],
        "damaged": [False, False, True, False, False, False, False, True, False, False],
        "lost": [False, False, False, False, False, True, False, False, False, False],
    })
    c = make_complaints()
    t = failure_complaint_rates(s, c)
    assert list(t.index) == ["lost", "damaged", "late", "no failure"]
    # S1 late+complaint, S7 late+complaint; S3 damaged+complaint, S8 damaged+complaint; S6 lost+complaint
    assert t.loc["late", "shipments"] == 2 and t.loc["late", "complained"] == 2
    assert t.loc["damaged", "rate"] == 1.0 and t.loc["lost", "rate"] == 1.0
    assert t.loc["no failure", "complained"] == 2  # S2 and S5
    assert t.loc["no failure", "rate"] == pytest.approx(2 / 5)
    assert t["share_of_complaints"].sum() == pytest.approx(1.0)
    assert t.loc["late", "lift"] == pytest.approx(1 / 0.4)


def test_service_recovery_classes_and_outcomes():
    c, sv, sh = make_complaints(), make_surveys(), make_shipments()
    before = (c.copy(), sv.copy(), sh.copy())
    result = service_recovery(c, sv, sh, fast_hours=24, window_days=90)
    for a, b in zip((c, sv, sh), before):
        pd.testing.assert_frame_equal(a, b)
    per = result.complaints.set_index("customer")
    # first complaint per customer: C1 -> K0 (3 h, fast)
    assert per.loc["C1", "recovery"] == "resolved fast"
    assert per.loc["C4", "recovery"] == "resolved slow"
    assert per.loc["C3", "recovery"] == "not resolved"
    # satisfaction: first survey after the complaint within 180 days
    assert per.loc["C1", "satisfaction_after"] == 6  # the survey before the complaint is ignored
    assert per.loc["C4", "satisfaction_after"] == 3
    assert np.isnan(per.loc["C3", "satisfaction_after"])  # survey more than 180 days later
    # retention: ships again within 90 days; C7's complaint (June 20) is too recent to know
    assert bool(per.loc["C1", "retained"]) and bool(per.loc["C6", "retained"])
    assert not bool(per.loc["C3", "retained"]) and not bool(per.loc["C5", "retained"])
    assert pd.isna(per.loc["C7", "retained"])
    t = result.summary()
    assert list(t.index) == ["resolved fast", "resolved slow", "not resolved", "no complaint"]
    assert t.loc["resolved fast", "complaints"] == 4  # C1, C2, C6, C7
    assert t.loc["resolved fast", "retention_n"] == 3 and t.loc["resolved fast", "retained"] == 1.0
    assert t.loc["not resolved", "retained"] == 0.0
    assert t.loc["no complaint", "satisfaction"] == 6.0  # C8
    axes = result.plot()
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    assert axes[0].get_ylabel() == "mean overall satisfaction (1-7 scale)"


def test_service_recovery_all_complaints_and_bad_input():
    c, sv, sh = make_complaints(), make_surveys(), make_shipments()
    all_rows = service_recovery(c, sv, sh, which="all").summary()
    assert all_rows["complaints"].iloc[:3].sum() == len(c)
    with pytest.raises(DataError, match="surveys= .* shipments="):
        service_recovery(c)
    with pytest.raises(DataError, match="window_days"):
        service_recovery(c, sv, window_days=0)
    with pytest.raises(DataError, match="which"):
        service_recovery(c, sv, which="last")
    with pytest.raises(DataError, match="unparseable date"):
        service_recovery(c.assign(date=["2024-13-01"] * 8), sv)
    with pytest.raises(DataError, match="missing column 'overall_satisfaction'"):
        service_recovery(c, sv.drop(columns="overall_satisfaction"))


def test_service_recovery_matches_a_brute_force_join():
    rng = np.random.default_rng(5)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, 300), unit="D")
    c = pd.DataFrame({"customer_id": rng.choice([f"C{i}" for i in range(40)], 300), "date": days,
                      "resolved": rng.random(300) < 0.9})
    c["resolution_hours"] = np.where(c["resolved"], rng.gamma(2, 20, 300), np.nan)
    sv = pd.DataFrame({"customer_id": rng.choice([f"C{i}" for i in range(40)], 200),
                       "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 450, 200), unit="D"),
                       "overall_satisfaction": rng.integers(1, 8, 200)})
    sh = pd.DataFrame({"customer_id": rng.choice([f"C{i}" for i in range(45)], 2000),
                       "ship_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 500, 2000), unit="D")})
    got = service_recovery(c, sv, sh, which="all", window_days=30, survey_window_days=60).complaints
    end = sh["ship_date"].max()
    for i, row in c.iterrows():
        lag = (sv["date"] - row["date"]).dt.days
        cand = sv[(sv["customer_id"] == row["customer_id"]) & (lag > 0) & (lag <= 60)].sort_values("date", kind="stable")
        expected = cand["overall_satisfaction"].iloc[0] if len(cand) else np.nan
        assert (np.isnan(expected) and np.isnan(got.loc[i, "satisfaction_after"])) or got.loc[i, "satisfaction_after"] == expected
        lag = (sh["ship_date"] - row["date"]).dt.days
        again = ((sh["customer_id"] == row["customer_id"]) & (lag > 0) & (lag <= 30)).any()
        if row["date"] + pd.Timedelta(days=30) <= end:
            assert bool(got.loc[i, "retained"]) == again
        else:
            assert pd.isna(got.loc[i, "retained"])


def test_resolution_times_reports_missing_group_values():
    c = make_complaints()
    c.loc[1, "channel"] = None
    with pytest.raises(DataError, match="'channel' has 1 missing value"):
        resolution_times(c, by="channel")


def test_service_recovery_within_groups():
    c, sv, sh = make_complaints(), make_surveys(), make_shipments()
    result = service_recovery(c, sv, sh, by="category", which="all")
    t = result.summary()
    assert t.index.names == ["category", "recovery"]
    assert t["complaints"].sum() == len(c)
    assert t.loc[("delay", "resolved fast"), "complaints"] == 2  # K0 (3 h) and K6 (20 h)
    assert t.loc[("delay", "resolved slow"), "complaints"] == 2  # K1 (50 h) and K4 (80 h)
    assert ("all", "no complaint") in t.index
    with pytest.raises(DataError, match="without by"):
        result.plot()
    with pytest.raises(DataError, match="missing column 'segment'"):
        service_recovery(c, sv, by="segment")


def test_failure_complaint_rates_recover_the_simulators_complaint_probabilities():
    from crmkit.synth import simulate

    company = simulate()  # the bundled company
    table = failure_complaint_rates(company.shipments, company.complaints)
    truth = company.truth.failure_effects["complaint_probability"]
    for failure in ("lost", "damaged", "late"):
        assert table.loc[failure, "low"] <= truth[failure] <= table.loc[failure, "high"], (failure, table.loc[failure])
    assert table.loc["no failure", "rate"] < 0.01
