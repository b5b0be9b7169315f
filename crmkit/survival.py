"""Survival analysis of customer relationships: Kaplan-Meier curves and the Cox model.

A churn label says *whether* a customer left; survival analysis asks *when*, and uses the
customers who have not left yet (censored, 删失) instead of throwing them away. Both
estimators come from statsmodels: ``SurvfuncRight`` (Kaplan-Meier, with Greenwood
intervals and the log-rank test from ``survdiff``) and ``PHReg`` (Cox proportional
hazards, Efron's method for tied times as in R's ``coxph``).

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"days": [30, 90, 120, 200, 365, 365], "churned": [1, 1, 0, 1, 0, 0]})
>>> kaplan_meier(d, duration="days", event="churned").summary()["survival"].round(3).tolist()
[0.833, 0.667, 0.444]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.churn import _drop_constant_and_collinear, _encode
from crmkit.errors import DataError, as_flags, as_list, require, require_columns, require_frame, require_no_nan

__all__ = ["kaplan_meier", "KaplanMeier", "cox_model", "CoxModel"]


def _check_survival(df: pd.DataFrame, duration: str, event: str, extra=(), name: str = "data"):
    require(df, columns=[duration, event, *extra], numeric=[duration], no_nan=[duration, event],
            non_negative=[duration], name=name)
    require_no_nan(df, [event], name=name)
    ev = as_flags(df[event], column=event, name=name).astype(float)
    if ev.sum() == 0:
        raise DataError(f"{name}: event column {event!r} has no events (0 of {len(df)} rows churned); "
                        f"survival curves and hazard ratios need some. Fix: use a longer period or more customers.")
    return pd.to_numeric(df[duration]).astype(float), ev


def _pointwise_ci(sf, level: float = 0.95):
    """Pointwise interval on the log scale from Greenwood's standard error (R's default, conf.type="log")."""
    from scipy import stats

    z = stats.norm.ppf(0.5 + level / 2)
    surv, se = np.asarray(sf.surv_prob), np.asarray(sf.surv_prob_se)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.where(surv > 0, z * se / surv, np.nan)
    return np.clip(surv * np.exp(-half), 0, 1), np.clip(surv * np.exp(half), 0, 1)


@dataclass
class KaplanMeier:
    """Kaplan-Meier survival curves, one per group; ``.summary()``, ``.medians()``, ``.plot()``."""

    fits: dict
    duration: str
    event: str
    by: str | None
    logrank: dict | None

    def summary(self) -> pd.DataFrame:
        """One row per group and event time: at risk, events, survival and its 95% interval.

        The interval is Greenwood's on the log scale (R ``survfit``'s default).
        """
        parts = []
        for group, sf in self.fits.items():
            low, high = _pointwise_ci(sf)
            t = pd.DataFrame({"time": sf.surv_times, "at_risk": sf.n_risk, "events": sf.n_events,
                              "survival": sf.surv_prob, "std_err": sf.surv_prob_se,
                              "low": low, "high": high})
            if self.by is not None:
                t.insert(0, self.by, group)
            parts.append(t)
        return pd.concat(parts, ignore_index=True)

    def medians(self) -> pd.DataFrame:
        """Median survival time per group (NaN when more than half never churn)."""
        rows = {}
        for group, sf in self.fits.items():
            below = np.flatnonzero(sf.surv_prob <= 0.5)
            rows[group] = {"customers": int(sf.n_risk[0]) if len(sf.n_risk) else 0,
                           "events": int(np.sum(sf.n_events)),
                           "median_time": float(sf.surv_times[below[0]]) if len(below) else np.nan}
        out = pd.DataFrame(rows).T
        out.index.name = self.by or "group"
        return out

    def survival_at(self, time: float) -> pd.Series:
        """Estimated share of customers still active at ``time`` for each group."""
        out = {}
        for group, sf in self.fits.items():
            idx = np.searchsorted(sf.surv_times, time, side="right") - 1
            out[group] = 1.0 if idx < 0 else float(sf.surv_prob[idx])
        return pd.Series(out, name=f"survival_at_{time:g}").rename_axis(self.by or "group")

    def plot(self, ax=None, *, unit: str = "days", ci: bool = True):
        """Step curves of the share of customers still active, with 95% bands."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.5))
        for group, sf in self.fits.items():
            x = np.r_[0, sf.surv_times]
            y = np.r_[1, sf.surv_prob]
            label = "all customers" if self.by is None else f"{group} (n={int(sf.n_risk[0])})"
            line, = ax.step(x, y, where="post", label=label)
            if ci:
                low, high = _pointwise_ci(sf)
                ax.fill_between(x, np.r_[1, low], np.r_[1, high], step="post", alpha=0.15,
                                color=line.get_color())
        title = "Kaplan-Meier: share of customers still active"
        if self.logrank is not None:
            title += f"\nlog-rank p = {self.logrank['p_value']:.3g}"
        ax.set(xlabel=f"time since first shipment ({unit})", ylabel="share still active (survival)",
               title=title, ylim=(0, 1.02))
        ax.legend(fontsize=8, loc="lower left")
        return ax


def kaplan_meier(df: pd.DataFrame, *, duration: str = "duration_days", event: str = "churned",
                 by: str | None = None) -> KaplanMeier:
    """Kaplan-Meier estimate of the share of customers still active after each time.

    Parameters
    ----------
    df : DataFrame
        One row per customer, e.g. from :func:`crmkit.churn.label_churn`.
    duration : str
        Time from the start of the relationship to churn, or to the end of observation.
    event : str
        1 (or True) if the customer churned, 0 if still active (censored).
    by : str, optional
        A column whose groups get separate curves and a log-rank test.

    Returns
    -------
    KaplanMeier with ``.summary()``, ``.medians()``, ``.survival_at(t)``, ``.logrank`` and ``.plot()``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"t": [5, 8, 12, 20, 3, 9, 30, 40], "e": [1, 1, 1, 0, 1, 0, 0, 0],
    ...                   "g": ["a"] * 4 + ["b"] * 4})
    >>> kaplan_meier(d, duration="t", event="e", by="g").medians()["median_time"].to_dict()
    {'a': 12.0, 'b': nan}
    """
    from statsmodels.duration.survfunc import SurvfuncRight, survdiff

    time, ev = _check_survival(df, duration, event, [by] if by else [])
    fits, logrank = {}, None
    if by is None:
        fits["all"] = SurvfuncRight(time.to_numpy(), ev.to_numpy())
    else:
        groups = df[by]
        if groups.isna().any():
            raise DataError(f"data: column {by!r} has {int(groups.isna().sum())} missing values. "
                            f"Fix: fill them (e.g. 'unknown') before grouping.")
        levels = sorted(pd.unique(groups), key=str)
        if len(levels) < 2:
            raise DataError(f"data: column {by!r} has one group only ({levels[0]!r}); nothing to compare. "
                            f"Fix: drop by= or choose a column with two or more groups.")
        for level in levels:
            rows = (groups == level).to_numpy()
            fits[level] = SurvfuncRight(time.to_numpy()[rows], ev.to_numpy()[rows])
        chi2, p = survdiff(time.to_numpy(), ev.to_numpy(), groups.astype(str).to_numpy())
        logrank = {"chi2": float(chi2), "df": len(levels) - 1, "p_value": float(p)}
    return KaplanMeier(fits=fits, duration=duration, event=event, by=by, logrank=logrank)


@dataclass
class CoxModel:
    """A fitted Cox model: ``.summary()`` with hazard ratios and intervals, ``.plot()``."""

    result: object
    columns: list
    scale: pd.Series
    notes: list
    n: int
    events: int
    ties: str

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Coefficients, hazard ratios and their intervals, one row per design column.

        ``hazard_ratio`` is per unit of the column; ``hr_per_sd`` per standard deviation.
        Fitting notes are in ``.attrs["notes"]``.
        """
        res = self.result
        ci = np.asarray(res.conf_int(alpha=1 - level))
        params = np.asarray(res.params)
        t = pd.DataFrame({
            "coef": params, "std_err": np.asarray(res.bse), "z": np.asarray(res.tvalues),
            "p_value": np.asarray(res.pvalues), "hazard_ratio": np.exp(params),
            "hr_low": np.exp(ci[:, 0]), "hr_high": np.exp(ci[:, 1]),
        }, index=pd.Index(self.columns, name="term"))
        t["std_coef"] = t["coef"] * self.scale.reindex(t.index)
        t["hr_per_sd"] = np.exp(t["std_coef"])
        t.attrs["notes"] = list(self.notes)
        return t

    def drivers(self) -> pd.DataFrame:
        """Terms ranked by the size of their standardised effect (largest first)."""
        t = self.summary()
        return t.reindex(t["std_coef"].abs().sort_values(ascending=False).index)

    def __repr__(self) -> str:
        lines = [f"CoxModel: {len(self.columns)} columns, {self.n} customers, {self.events} churned, "
                 f"ties={self.ties!r}"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def plot(self, ax=None):
        """Forest plot of hazard ratios with 95% intervals (log scale)."""
        import matplotlib.pyplot as plt

        t = self.summary()
        order = np.argsort(np.abs(np.log(t["hazard_ratio"].to_numpy())))
        t = t.iloc[order]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(t) + 1.2))
        y = np.arange(len(t))
        ax.errorbar(t["hazard_ratio"], y, xerr=[t["hazard_ratio"] - t["hr_low"], t["hr_high"] - t["hazard_ratio"]],
                    fmt="o", color="#1f4e79", ecolor="grey", capsize=3)
        ax.axvline(1, color="black", lw=1)
        ax.set_xscale("log")
        from matplotlib.ticker import FuncFormatter
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if str(v)[0] in "25" else ""))
        ax.set_yticks(y, t.index)
        ax.set(xlabel="hazard ratio per unit (log scale; 1 = no effect)", ylabel="term",
               title="Cox model: hazard ratios with 95% intervals")
        return ax


def cox_model(df: pd.DataFrame, *, duration: str = "duration_days", event: str = "churned",
              features=None, ties: str = "efron", min_level_count: int = 10) -> CoxModel:
    """Cox proportional-hazards model of time to churn (statsmodels ``PHReg``).

    Categorical features become indicators against their most common level; constant and
    collinear columns are dropped with a note. Ties are handled by Efron's method (R's
    default), so the estimates match R's ``coxph``.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    duration, event : str
        Time to churn or censoring, and 1/0 churned.
    features : list of str
        Columns to use (default: every other column).
    ties : {"efron", "breslow"}

    Returns
    -------
    CoxModel with ``.summary()`` (coef, std_err, z, p_value, hazard_ratio, hr_low, hr_high,
    std_coef, hr_per_sd), ``.drivers()`` and ``.plot()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.integers(0, 2, 200)
    >>> d = pd.DataFrame({"x": x, "t": rng.exponential(1 / np.exp(0.7 * x)), "e": 1})
    >>> round(float(cox_model(d, duration="t", event="e", features=["x"]).summary().loc["x", "coef"]), 1)
    0.7
    """
    from statsmodels.duration.hazard_regression import PHReg

    require_frame(df, name="data")
    features = [c for c in df.columns if c not in (duration, event)] if features is None else as_list(features)
    if not features:
        raise DataError("no features to fit. Fix: pass features=[...] naming at least one column.")
    require_columns(df, features, name="data")
    if ties not in ("efron", "breslow"):
        raise DataError(f"ties must be 'efron' or 'breslow', got {ties!r}.")
    time, ev = _check_survival(df, duration, event)
    for f in features:
        if df[f].isna().all():
            raise DataError(f"data: feature {f!r} is missing (NaN) for all {len(df)} rows. "
                            f"Fix: drop it from features or fill it from its source.")
    notes: list[str] = []
    enc, X = _encode(df, features, min_level_count, notes)
    rows = X.notna().all(axis=1)
    if not rows.all():
        notes.append(f"{int((~rows).sum())} of {len(df)} rows dropped for a missing feature.")
    X, time, ev = X[rows], time[rows], ev[rows]
    if len(X) < 10 or ev.sum() < 5:
        raise DataError(f"data: too few customers for a Cox model: {len(X)} usable rows with {int(ev.sum())} "
                        f"events (at least 10 rows and 5 events needed). Fix: use more customers or a longer period.")
    columns = _drop_constant_and_collinear(X, notes)
    if not columns:
        raise DataError("data: every feature is constant; nothing can explain churn. Fix: add features that vary.")
    X = X[columns]
    result = PHReg(time.to_numpy(), X.to_numpy(dtype=float), status=ev.to_numpy(), ties=ties).fit(disp=False)
    return CoxModel(result=result, columns=columns, scale=X.std(ddof=0), notes=notes, n=len(X),
                    events=int(ev.sum()), ties=ties)
