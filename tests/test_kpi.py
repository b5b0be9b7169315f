"""Tests for crmkit.kpi: service KPIs with Wilson intervals and p-charts."""

import numpy as np
import pandas as pd
import pytest

from crmkit import DataError
from crmkit.kpi import KPI_DEFINITIONS, p_chart, service_kpis, wilson_interval


def make_shipments():
    return pd.DataFrame({
        "shipment_id": [f"S{i}" for i in range(8)],
        "customer_id": ["C1", "C1", "C1", "C2", "C2", "C3", "C3", "C3"],
        "ship_date": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-02", "2024-01-05",
                                     "2024-02-10", "2024-02-11", "2024-02-12", "2024-02-28"]),
        "service": pd.Categorical(["express", "express", "standard", "standard",
                                   "standard", "express", "express", "standard"]),
        "region": ["east", "east", "east", "north", "north", "south", "south", "south"],
        "on_time": [True, False, True, True, False, True, True, False],
        "damaged": [False, False, True, False, False, False, False, False],
        "lost": [False, True, False, False, False, False, False, False],
        "urgent": [True, True, False, False, True, False, False, False],
        "signed_receipt_return": [True, False, False, True, False, False, False, True],
        "receipt_on_time": pd.array([True, pd.NA, pd.NA, False, pd.NA, pd.NA, pd.NA, True],
                                    dtype="boolean"),
    })


def make_complaints():
    return pd.DataFrame({
        "complaint_id": ["K1", "K2", "K3"],
        "customer_id": ["C1", "C2", "C3"],
        "shipment_id": pd.array(["S1", pd.NA, "S7"], dtype="string"),
        "date": pd.to_datetime(["2024-01-25", "2024-02-15", "2024-03-02"]),
        "category": ["loss", "billing", "delay"],
    })


def test_wilson_matches_newcombe_1998_worked_values():
    # Newcombe RG (1998) Two-sided confidence intervals for the single proportion,
    # Statistics in Medicine 17:857-872, Table I, method 3 (score/Wilson).
    for (x, n), (lo, hi) in {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605),
                             (0, 20): (0.0, 0.1611), (1, 29): (0.0061, 0.1718)}.items():
        low, high = wilson_interval(x, n)
        assert low == pytest.approx(lo, abs=5e-5)
        assert high == pytest.approx(hi, abs=5e-5)


def test_overall_kpis_counts_and_definitions():
    s = make_shipments()
    before = s.copy()
    out = service_kpis(s, complaints=make_complaints())
    pd.testing.assert_frame_equal(s, before)
    k = out.set_index("kpi")
    assert list(k.index) == list(KPI_DEFINITIONS.index)
    assert (k.loc["on_time", "events"], k.loc["on_time", "n"]) == (5, 8)
    assert (k.loc["damage", "events"], k.loc["loss", "events"]) == (1, 1)
    # completed = on time, not damaged, not lost: rows 0, 3, 5, 6
    assert (k.loc["order_completion", "events"], k.loc["order_completion", "n"]) == (4, 8)
    # urgent rows 0, 1, 4; only row 0 completed
    assert (k.loc["urgent_completion", "events"], k.loc["urgent_completion", "n"]) == (1, 3)
    assert (k.loc["receipt_return_on_time", "events"], k.loc["receipt_return_on_time", "n"]) == (2, 3)
    assert k.loc["complaints_per_1000", "rate"] == pytest.approx(3 / 8 * 1000)
    assert k.loc["complaints_per_1000", "unit"] == "per 1,000 shipments"
    low, high = wilson_interval(5, 8)
    assert k.loc["on_time", "low"] == pytest.approx(low)
    assert k.loc["on_time", "high"] == pytest.approx(high)
    assert (k["low"] <= k["rate"]).all() and (k["rate"] <= k["high"]).all()


def test_by_group_and_period():
    s = make_shipments()
    out = service_kpis(s, by="service", freq="M", kpis=["on_time", "loss"])
    assert list(out.columns[:3]) == ["service", "period", "kpi"]
    row = out[(out.service == "express") & (out.period == pd.Period("2024-01", "M")) & (out.kpi == "on_time")]
    assert row[["events", "n"]].to_numpy().tolist() == [[1, 2]]
    assert out.loc[out.kpi == "on_time", "n"].sum() == len(s)


def test_complaints_follow_their_shipment_or_customer():
    s = make_shipments()
    c = make_complaints()
    by_service = service_kpis(s, by="service", complaints=c, kpis=["complaints_per_1000"]).set_index("service")
    # K1 -> S1 express, K3 -> S7 standard; K2 (billing, C2) cannot be placed: C2 used only standard
    # so it is placed in standard too
    assert by_service.loc["express", "events"] == 1
    assert by_service.loc["standard", "events"] == 2
    by_region = service_kpis(s, by="region", complaints=c, kpis=["complaints_per_1000"]).set_index("region")
    assert by_region["events"].to_dict() == {"east": 1, "north": 1, "south": 1}
    assert by_region.loc["north", "rate"] == pytest.approx(1000 / 2)


def test_complaint_without_shipment_on_mixed_customer_is_not_placed():
    s = make_shipments()
    c = make_complaints().assign(customer_id=["C1", "C1", "C3"], shipment_id=pd.array([pd.NA, pd.NA, "S7"], dtype="string"))
    out = service_kpis(s, by="service", complaints=c, kpis=["complaints_per_1000"])
    assert out["events"].sum() == 1  # C1 used both services: its two billing complaints stay unplaced


def test_default_skips_kpis_without_columns():
    s = make_shipments()[["on_time", "damaged"]]
    out = service_kpis(s)
    assert out["kpi"].tolist() == ["on_time", "damage"]


@pytest.mark.parametrize("change, match", [
    (lambda s: s.drop(columns="on_time"), "on_time"),
    (lambda s: s.assign(on_time=["yes"] * 8), "True/False"),
    (lambda s: s.assign(lost=[np.nan] + [False] * 7), "lost"),
    (lambda s: s.iloc[0:0], "empty"),
])
def test_bad_input_raises_dataerror(change, match):
    with pytest.raises(DataError, match=match):
        service_kpis(change(make_shipments()), kpis=["on_time", "loss"])


def test_bad_arguments():
    s = make_shipments()
    with pytest.raises(DataError, match="unknown KPI"):
        service_kpis(s, kpis=["speed"])
    with pytest.raises(DataError, match="complaints"):
        service_kpis(s, kpis=["complaints_per_1000"])
    with pytest.raises(DataError, match="freq"):
        service_kpis(s, freq="fortnight")
    with pytest.raises(DataError, match="regoin|region"):
        service_kpis(s, by="regoin")


# Montgomery DC (2009) Introduction to Statistical Quality Control, 6th ed., Example 7.1 / Table 7.1:
# 30 samples of n = 50 orange-juice cans; p-bar = 0.2313, UCL = 0.4102, LCL = 0.0524;
# samples 15 and 23 plot above the UCL.
MONTGOMERY_7_1 = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                  8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]


def test_p_chart_matches_montgomery_example_7_1():
    data = pd.DataFrame({"bad": MONTGOMERY_7_1, "n": 50}, index=pd.RangeIndex(1, 31, name="sample"))
    chart = p_chart(data, events="bad", n="n")
    assert chart.center == pytest.approx(0.2313, abs=1e-4)
    t = chart.summary()
    assert t["ucl"].iloc[0] == pytest.approx(0.4102, abs=1e-4)
    assert t["lcl"].iloc[0] == pytest.approx(0.0524, abs=1e-4)
    assert chart.out_of_control.index.tolist() == [15, 23]


def test_p_chart_from_shipments_and_plot():
    rng = np.random.default_rng(1)
    dates = pd.date_range("2024-01-01", "2024-12-31", freq="D").repeat(20)
    late = rng.random(len(dates)) < 0.1
    late[(dates.month == 7)] = rng.random((dates.month == 7).sum()) < 0.4
    s = pd.DataFrame({"ship_date": dates, "late": late})
    chart = p_chart(s, "late", freq="M")
    ooc = chart.out_of_control
    assert pd.Period("2024-07", "M") in ooc.index
    assert chart.summary()["n"].sum() == len(s)
    ax = chart.plot()
    assert ax.get_title() and ax.get_xlabel() == "period (month)" and "%" in ax.get_ylabel()


def test_p_chart_run_rule():
    data = pd.DataFrame({"bad": [10] * 6 + [12] * 9 + [8] * 3, "n": 100})
    t = p_chart(data, events="bad", n="n").summary()
    assert t["run_rule"].sum() == 2  # run of 9 above the centre: flagged at the 8th and 9th


def test_p_chart_bad_input():
    with pytest.raises(DataError, match="at least 2"):
        p_chart(pd.DataFrame({"bad": [1], "n": [10]}), events="bad", n="n")
    with pytest.raises(DataError, match="exceeds"):
        p_chart(pd.DataFrame({"bad": [1, 20], "n": [10, 10]}), events="bad", n="n")
    with pytest.raises(DataError, match="strictly between"):
        p_chart(pd.DataFrame({"bad": [0, 0], "n": [10, 10]}), events="bad", n="n")
    with pytest.raises(DataError, match="both"):
        p_chart(pd.DataFrame({"bad": [0, 0]}), events="bad")


def test_plot_kpi_labels_and_checks():
    from crmkit.kpi import plot_kpi

    table = service_kpis(make_shipments(), by="region", complaints=make_complaints())
    ax = plot_kpi(table, "complaints_per_1000", "region")
    assert "per 1,000 shipments" in ax.get_xlabel() and ax.get_ylabel() == "region" and ax.get_title()
    assert ax.get_title().isascii()  # CJK fonts are often missing: plot text stays Latin
    ax = plot_kpi(table, "on_time", "region")
    assert "(%)" in ax.get_xlabel()
    with pytest.raises(DataError, match="no rows"):
        plot_kpi(table, "speed", "region")
    with pytest.raises(DataError, match="several rows"):
        plot_kpi(service_kpis(make_shipments(), by="region", freq="M"), "on_time", "region")


def test_missing_group_values_are_reported_not_dropped():
    s = make_shipments()
    s.loc[2, "region"] = None
    with pytest.raises(DataError, match="'region' has 1 missing value"):
        service_kpis(s, by="region")
