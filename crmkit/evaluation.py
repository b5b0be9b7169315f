"""Evaluating a classifier's scores: ROC AUC, gains and lift, precision and recall, calibration.

General, not churn-specific: any 0/1 outcome (churned, complained, paid late) and any score
where higher means more likely. The churn model of :mod:`crmkit.churn` is evaluated with it.

Examples
--------
>>> ev = evaluate([0, 0, 1, 1, 0, 1], [0.1, 0.3, 0.7, 0.9, 0.6, 0.4], n_bins=2)
>>> round(ev.auc, 3), int(ev.confusion.loc["churned", "flagged"])
(0.889, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crmkit.errors import DataError, as_flags, require, require_no_nan

__all__ = ["evaluate", "Evaluation"]


def _roc_points(y: np.ndarray, s: np.ndarray) -> pd.DataFrame:
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    distinct = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(y)[distinct]
    fp = (distinct + 1) - tp
    P, N = y.sum(), len(y) - y.sum()
    return pd.DataFrame({"threshold": np.r_[np.inf, s[distinct]], "fpr": np.r_[0.0, fp / N],
                         "tpr": np.r_[0.0, tp / P],
                         "precision": np.r_[np.nan, tp / (tp + fp)]})


@dataclass
class Evaluation:
    """Ranking, threshold and calibration measures of churn scores; ``.plot(kind=...)`` for each."""

    auc: float
    base_rate: float
    threshold: float
    confusion: pd.DataFrame
    gains: pd.DataFrame
    calibration: pd.DataFrame
    roc: pd.DataFrame
    brier: float
    n: int

    @property
    def precision(self) -> float:
        tp, fp = self.confusion.loc["churned", "flagged"], self.confusion.loc["stayed", "flagged"]
        return float(tp / (tp + fp)) if tp + fp else float("nan")

    @property
    def recall(self) -> float:
        tp, fn = self.confusion.loc["churned", "flagged"], self.confusion.loc["churned", "not flagged"]
        return float(tp / (tp + fn))

    def summary(self) -> pd.DataFrame:
        """Headline measures in one table."""
        rows = {"n": self.n, "base_rate": self.base_rate, "auc": self.auc,
                "top_decile_lift": float(self.gains["lift"].iloc[0]),
                "threshold": self.threshold, "precision": self.precision, "recall": self.recall,
                "flagged_share": float(self.confusion["flagged"].sum() / self.n), "brier": self.brier}
        return pd.DataFrame({"value": rows}).rename_axis("measure")

    def plot(self, kind: str = "roc", ax=None):
        """One of ``"roc"``, ``"gains"``, ``"lift"``, ``"precision_recall"``, ``"calibration"``."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 4.5))
        if kind == "roc":
            ax.plot(self.roc["fpr"], self.roc["tpr"], color="#1f4e79", label=f"model (AUC = {self.auc:.3f})")
            ax.plot([0, 1], [0, 1], color="grey", ls="--", label="random (AUC = 0.5)")
            ax.set(xlabel="false positive rate (share of stayers flagged)",
                   ylabel="true positive rate (share of churners flagged)", title="ROC curve")
        elif kind == "gains":
            g = self.gains
            x = np.r_[0, g["cum_customers_share"]] * 100
            ax.plot(x, np.r_[0, g["cum_churners_share"]] * 100, marker="o", color="#1f4e79", label="model")
            ax.plot([0, 100], [0, 100], color="grey", ls="--", label="random")
            ax.set(xlabel="customers contacted, highest scores first (%)",
                   ylabel="churners reached (%)", title="Cumulative gains by decile")
        elif kind == "lift":
            g = self.gains
            ax.bar(g.index.astype(str), g["lift"], color="#1f4e79")
            ax.axhline(1, color="grey", ls="--", label="random (lift 1)")
            ax.set(xlabel="score decile (1 = highest risk)", ylabel="lift (churn rate / base rate, x)",
                   title="Lift by decile")
        elif kind == "precision_recall":
            r = self.roc.iloc[1:]
            ax.plot(r["tpr"], r["precision"], color="#1f4e79", label="model")
            ax.axhline(self.base_rate, color="grey", ls="--", label=f"base rate {self.base_rate:.1%}")
            ax.scatter([self.recall], [self.precision], color="red", zorder=5,
                       label=f"threshold {self.threshold:.3f}")
            ax.set(xlabel="recall (share of churners flagged)", ylabel="precision (share of flags that churn)",
                   title="Precision and recall", xlim=(0, 1), ylim=(0, 1.02))
        elif kind == "calibration":
            c = self.calibration
            ax.errorbar(c["mean_predicted"], c["observed_rate"],
                        yerr=[c["observed_rate"] - c["low"], c["high"] - c["observed_rate"]],
                        fmt="o", color="#1f4e79", ecolor="grey", capsize=3, label="bins (95% interval)")
            top = float(max(c["mean_predicted"].max(), c["high"].max())) * 1.05
            ax.plot([0, top], [0, top], color="grey", ls="--", label="perfect calibration")
            ax.set(xlabel="mean predicted churn probability", ylabel="observed churn rate",
                   title="Calibration")
        else:
            raise DataError(f"kind={kind!r} is not a plot of Evaluation. Fix: use one of 'roc', 'gains', "
                            f"'lift', 'precision_recall', 'calibration'.")
        ax.legend(fontsize=8, loc="best")
        return ax


def evaluate(y_true, scores, *, threshold: float | None = None, n_bins: int = 10,
             level: float = 0.95) -> Evaluation:
    """ROC AUC, gains/lift by decile, precision/recall at a threshold and a calibration table.

    The AUC is the Mann-Whitney probability that a random churner scores above a random
    stayer (ties count one half). With ``threshold=None`` the alert threshold is set so that
    the share flagged equals the base churn rate.

    Parameters
    ----------
    y_true : array-like of 0/1 (or bool)
    scores : array-like of float, higher = more likely to churn (probabilities for calibration).
        Two Series are matched by index; arrays by position.
    threshold : float, optional
        Flag customers whose score is at or above it.
    n_bins : int
        Number of score groups (deciles by default) for the gains and calibration tables.

    Returns
    -------
    Evaluation with ``.auc``, ``.gains``, ``.confusion``, ``.precision``, ``.recall``,
    ``.calibration``, ``.summary()`` and ``.plot(kind)``.

    Examples
    --------
    >>> ev = evaluate([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], n_bins=2)
    >>> ev.auc
    0.75
    """
    if isinstance(y_true, pd.Series) and isinstance(scores, pd.Series) and not y_true.index.equals(scores.index):
        if y_true.index.is_unique and scores.index.is_unique and set(y_true.index) == set(scores.index):
            scores = scores.reindex(y_true.index)          # same customers in another order: align
        else:
            raise DataError("y_true and scores are Series with different indexes (different customers). "
                            "Fix: score the same customers, e.g. evaluate(df['churn'], model.predict_proba(df)).")
    y = pd.Series(np.asarray(y_true)).reset_index(drop=True)
    s = pd.Series(np.asarray(scores, dtype=float) if not isinstance(scores, pd.Series)
                  else scores.to_numpy(dtype=float))
    if len(y) != len(s):
        raise DataError(f"y_true has {len(y)} values but scores has {len(s)}. Fix: pass them aligned, one per customer.")
    frame = pd.DataFrame({"y": y, "score": s})
    require(frame, columns=["y", "score"], numeric=["score"], no_nan=["y", "score"], name="evaluation data")
    yv = as_flags(frame["y"], column="y_true", name="evaluation data").to_numpy(dtype=float)
    sv = frame["score"].to_numpy(dtype=float)
    if len(np.unique(yv)) < 2:
        raise DataError(f"y_true has only one class ({int(yv[0])} for all {len(yv)} customers); "
                        f"AUC, lift and recall need churners and stayers. Fix: evaluate on a period "
                        f"in which some customers churned and some stayed.")
    n, P = len(yv), int(yv.sum())
    N = n - P
    if n < n_bins:
        raise DataError(f"only {n} customers for {n_bins} bins. Fix: pass n_bins={max(2, n // 2)} or more data.")
    u = stats.mannwhitneyu(sv[yv == 1], sv[yv == 0], alternative="two-sided").statistic
    auc = float(u / (P * N))
    base = P / n

    # gains / lift by score decile (ties broken by order of appearance, stable)
    order = np.argsort(-sv, kind="mergesort")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    decile = rank * n_bins // n + 1
    gains = (pd.DataFrame({"decile": decile, "y": yv, "score": sv}).groupby("decile")
             .agg(customers=("y", "size"), churners=("y", "sum"), min_score=("score", "min"),
                  max_score=("score", "max")))
    gains["churners"] = gains["churners"].astype(int)
    gains["churn_rate"] = gains["churners"] / gains["customers"]
    gains["lift"] = gains["churn_rate"] / base
    gains["cum_customers_share"] = gains["customers"].cumsum() / n
    gains["cum_churners_share"] = gains["churners"].cumsum() / P
    gains["cum_lift"] = gains["cum_churners_share"] / gains["cum_customers_share"]

    if threshold is None:
        threshold = float(np.sort(sv)[::-1][max(int(round(base * n)) - 1, 0)])
    flagged = sv >= threshold
    confusion = pd.DataFrame(
        {"flagged": [int((flagged & (yv == 1)).sum()), int((flagged & (yv == 0)).sum())],
         "not flagged": [int((~flagged & (yv == 1)).sum()), int((~flagged & (yv == 0)).sum())]},
        index=pd.Index(["churned", "stayed"], name="actual"))

    from statsmodels.stats.proportion import proportion_confint
    cal = (pd.DataFrame({"bin": n_bins + 1 - decile, "y": yv, "score": sv}).groupby("bin")
           .agg(customers=("y", "size"), churners=("y", "sum"), mean_predicted=("score", "mean")))
    cal["observed_rate"] = cal["churners"] / cal["customers"]
    low, high = proportion_confint(cal["churners"], cal["customers"], alpha=1 - level, method="wilson")
    cal["low"], cal["high"] = np.asarray(low), np.asarray(high)
    cal.index.name = "bin (1 = lowest scores)"
    brier = float(np.mean((sv - yv) ** 2)) if sv.min() >= 0 and sv.max() <= 1 else float("nan")
    return Evaluation(auc=auc, base_rate=base, threshold=float(threshold), confusion=confusion, gains=gains,
                      calibration=cal, roc=_roc_points(yv, sv), brier=brier, n=n)

