"""Tests for crmkit.survival: Kaplan-Meier curves and the Cox model."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmkit import DataError
from crmkit.survival import cox_model, kaplan_meier

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def rossi():
    return pd.read_csv(DATA / "rossi.csv")


def test_cox_reproduces_r_coxph_on_rossi_to_4_decimals(rossi):
    # R: coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = Rossi)
    # (Efron ties), as printed in Fox & Weisberg, "Cox Proportional-Hazards Regression for
    # Survival Data in R", appendix to An R Companion to Applied Regression (2011/2019).
    # carData codes factors, so R prints finyes, raceother (= -race here) and
    # marnot married (= -mar here); the 0/1 coding below flips those two signs back.
    published = pd.DataFrame({
        "coef": [-0.37942, -0.05744, 0.31390, -0.14980, -0.43370, -0.08487, 0.09150],
        "se": [0.19138, 0.02200, 0.30799, 0.21222, 0.38187, 0.19576, 0.02865],
        "hazard_ratio": [0.68426, 0.94418, 1.36875, 0.86088, 0.64810, 0.91863, 1.09581],
    }, index=["fin", "age", "race", "wexp", "mar", "paro", "prio"])
    before = rossi.copy()
    model = cox_model(rossi, duration="week", event="arrest", features=list(published.index))
    pd.testing.assert_frame_equal(rossi, before)
    s = model.summary()
    np.testing.assert_allclose(s["coef"], published["coef"], atol=5e-5)
    np.testing.assert_allclose(s["std_err"], published["se"], atol=5e-5)
    np.testing.assert_allclose(s["hazard_ratio"], published["hazard_ratio"], atol=5e-5)
    # intervals are exp(coef -/+ 1.96 se)
    np.testing.assert_allclose(s["hr_low"], np.exp(s["coef"] - 1.959964 * s["std_err"]), rtol=1e-6)
    assert model.events == 114 and model.n == 432


def test_cox_breslow_matches_r(rossi):
    # R: coxph(Surv(week, arrest) ~ age + fin + mar + paro, data = rossi, ties = "breslow"),
    # output quoted in lifelines issue #997 (cross-checked there against Stata).
    model = cox_model(rossi, duration="week", event="arrest", features=["age", "fin", "mar", "paro"],
                      ties="breslow")
    s = model.summary()
    np.testing.assert_allclose(s["coef"], [-0.06656, -0.34626, -0.49298, -0.17357], atol=5e-5)
    np.testing.assert_allclose(s["std_err"], [0.02104, 0.19017, 0.37431, 0.19253], atol=5e-5)


def test_cox_encodes_categoricals_and_drops_collinear(rossi):
    d = rossi.assign(aid=np.where(rossi["fin"] == 1, "yes", "no"), age2=rossi["age"] * 2, const=1)
    with pytest.warns(UserWarning):
        model = cox_model(d, duration="week", event="arrest", features=["aid", "age", "age2", "const", "prio"])
    s = model.summary()
    # "no" is the most common level, so the indicator is aid[yes] and matches fin
    assert "aid[yes]" in s.index and "age2" not in s.index and "const" not in s.index
    assert any("age2" in n and "collinear" in n for n in model.notes)
    ref = cox_model(rossi, duration="week", event="arrest", features=["fin", "age", "prio"]).summary()
    assert s.loc["aid[yes]", "coef"] == pytest.approx(ref.loc["fin", "coef"], abs=1e-8)
    assert model.plot().get_title()


def test_kaplan_meier_matches_hand_computed_product_limit():
    # times 3, 5, 5(censored), 8, 10(censored), 12: S = 5/6, 4/6, then at 8: (4/6)(2/3)
    d = pd.DataFrame({"t": [3, 5, 5, 8, 10, 12], "e": [1, 1, 0, 1, 0, 1]})
    km = kaplan_meier(d, duration="t", event="e")
    s = km.summary()
    np.testing.assert_allclose(s["survival"], [5 / 6, 4 / 6, 4 / 9, 0.0])
    assert s["at_risk"].tolist() == [6, 5, 3, 1]
    # Greenwood: var S(5) = S^2 (1/(6*5) + 1/(5*4))
    se5 = (4 / 6) * np.sqrt(1 / 30 + 1 / 20)
    assert s.loc[1, "std_err"] == pytest.approx(se5)
    assert s.loc[1, "low"] == pytest.approx((4 / 6) * np.exp(-1.959964 * se5 / (4 / 6)), rel=1e-5)
    assert km.medians().loc["all", "median_time"] == 8
    assert km.survival_at(9).loc["all"] == pytest.approx(4 / 9)
    assert km.plot().get_ylabel()


def test_kaplan_meier_groups_and_logrank(rossi):
    km = kaplan_meier(rossi, duration="week", event="arrest", by="fin")
    assert set(km.fits) == {0, 1}
    # financial aid: log-rank chi-square 3.84 on 1 df, p = 0.050 (statsmodels survdiff)
    assert km.logrank["df"] == 1 and km.logrank["chi2"] == pytest.approx(3.8376, abs=1e-3)
    m = km.medians()
    assert np.isnan(m.loc[0, "median_time"])      # fewer than half were arrested within 52 weeks
    assert km.survival_at(52).loc[1] > km.survival_at(52).loc[0]


def test_bad_input_raises_data_error(rossi):
    with pytest.raises(DataError, match="no events"):
        kaplan_meier(rossi.assign(arrest=0), duration="week", event="arrest")
    with pytest.raises(DataError, match="negative"):
        kaplan_meier(rossi.assign(week=-rossi["week"]), duration="week", event="arrest")
    with pytest.raises(DataError, match="one group"):
        kaplan_meier(rossi.assign(g="x"), duration="week", event="arrest", by="g")
    with pytest.raises(DataError, match="all 432 rows"):
        cox_model(rossi.assign(x=np.nan), duration="week", event="arrest", features=["x", "age"])
    with pytest.raises(DataError, match="too few"):
        cox_model(rossi.head(8), duration="week", event="arrest", features=["age"])
    with pytest.raises(DataError, match="missing column"):
        cox_model(rossi, duration="weeks", event="arrest", features=["age"])
