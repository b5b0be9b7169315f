"""Tests for crmkit.evaluation: AUC, gains and lift, precision and recall, calibration."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmkit import DataError
from crmkit.evaluation import evaluate


def test_auc_hand_checked_and_mann_whitney_identity():
    # pairs (churner, stayer): (0.35 > 0.1), (0.35 < 0.4), (0.8 > 0.1), (0.8 > 0.4) -> 3/4
    assert evaluate([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], n_bins=2).auc == 0.75
    # ties count one half: scores all equal -> 0.5
    assert evaluate([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3], n_bins=2).auc == 0.5
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 400)
    s = rng.normal(size=400) + y
    ev = evaluate(y, s)
    u = stats.mannwhitneyu(s[y == 1], s[y == 0]).statistic
    assert ev.auc == pytest.approx(u / ((y == 1).sum() * (y == 0).sum()))
    # the ROC curve's area (trapezoid) equals the same AUC
    assert np.trapezoid(ev.roc["tpr"], ev.roc["fpr"]) == pytest.approx(ev.auc)


def test_gains_precision_recall_and_calibration_tables():
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    ev = evaluate(y, s, threshold=0.55, n_bins=5)
    g = ev.gains
    assert g["churners"].tolist() == [2, 1, 0, 0, 1]
    assert g["lift"].iloc[0] == pytest.approx((2 / 2) / 0.4)
    assert g["cum_churners_share"].iloc[-1] == 1.0
    # flagged: 0.9, 0.8, 0.7, 0.6 -> 3 churners of 4 flagged; 3 of 4 churners caught
    assert ev.precision == 0.75 and ev.recall == 0.75
    assert ev.confusion.loc["stayed", "not flagged"] == 5
    c = ev.calibration
    assert c["customers"].sum() == 10 and ((c["low"] <= c["observed_rate"]) & (c["observed_rate"] <= c["high"])).all()
    assert ev.summary().loc["precision", "value"] == 0.75
    # default threshold flags as many customers as the base rate (4 of 10)
    assert evaluate(y, s, n_bins=5).confusion["flagged"].sum() == 4


@pytest.mark.parametrize("kind", ["roc", "gains", "lift", "precision_recall", "calibration"])
def test_every_evaluation_plot_has_title_and_labels(kind):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    ax = evaluate(y, np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1)).plot(kind)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_evaluate_aligns_series_by_customer():
    y = pd.Series([0, 0, 1, 1], index=["a", "b", "c", "d"])
    scores = pd.Series([0.8, 0.35, 0.4, 0.1], index=["d", "c", "b", "a"])
    assert evaluate(y, scores, n_bins=2).auc == 0.75
    with pytest.raises(DataError, match="different indexes"):
        evaluate(y, scores.rename({"a": "z"}), n_bins=2)


def test_evaluate_bad_input():
    with pytest.raises(DataError, match="only one class"):
        evaluate([1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4], n_bins=2)
    with pytest.raises(DataError, match="aligned"):
        evaluate([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(DataError, match="missing value"):
        evaluate([0, 1, 0, 1], [0.1, np.nan, 0.3, 0.4], n_bins=2)
    with pytest.raises(DataError, match="not a plot"):
        evaluate([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], n_bins=2).plot("pie")
