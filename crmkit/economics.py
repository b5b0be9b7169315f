"""CRM economics: a sales funnel with an ROI for sales automation, and the retention and
satisfaction claims of the course material put to the test.

The course material makes strong claims (002): raising retention by 5% can raise profit
by up to 80%; raising satisfaction by 5% doubles profit; a very satisfied customer buys
six times as much as a merely satisfied one. :func:`retention_profit` shows for which
margins, retention rates and acquisition costs the first claim can hold;
:func:`satisfaction_value` measures the other two on shipment and survey data. The
Hope Optical case (002) becomes :func:`sales_funnel` and :func:`crm_roi`.

Examples
--------
>>> crm_roi(25, 0.20, uplift=0.10, deal_value=500_000, margin_rate=0.3,
...         investment=300_000)[["deals", "revenue"]].round(1)
                deals     revenue
scenario
without CRM      60.0  30000000.0
with CRM         66.0  33000000.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd
import statsmodels.api as sm

from crmkit.clv import clv_simple
from crmkit.errors import DataError, as_list, require

__all__ = [
    "sales_funnel",
    "signing_rate_after",
    "crm_roi",
    "retention_profit",
    "satisfaction_value",
    "SatisfactionValue",
    "SATISFACTION_BANDS",
]


def _share(value, label: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{label}={value!r} must be a number between 0 and 1. Fix: pass 0.2 for 20%.") from None
    if not 0 <= value <= 1:
        raise DataError(f"{label}={value!r} is a share and must lie in [0, 1]. Fix: pass 0.2 for 20%.")
    return value


def _non_negative(value, label: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{label}={value!r} must be a number >= 0.") from None
    if not np.isfinite(value) or value < 0:
        raise DataError(f"{label}={value!r} must be a finite number >= 0.")
    return value


# --------------------------------------------------------------------------- sales funnel
def sales_funnel(opportunities, stage_rates, *, stages=None, deal_value=None):
    """How many opportunities reach each stage of a sales funnel (销售漏斗).

    Parameters
    ----------
    opportunities : float
        Opportunities entering the first stage (per salesperson and month, say).
    stage_rates : sequence of float
        Share moving on from each stage to the next; one fewer than the stages.
    stages : sequence of str, optional
        Stage names; default the four Hope Optical stages of :data:`crmkit.cases.HOPE_FUNNEL_STAGES`.
    deal_value : float, optional
        Value of one signed deal; adds a ``value`` column (reached x deal value, last stage only).

    Returns
    -------
    DataFrame indexed by stage: reached, rate_to_next, share_of_opportunities (and value).

    Examples
    --------
    >>> sales_funnel(25, [0.6, 0.5, 0.4])["reached"].round(2).tolist()
    [25.0, 15.0, 7.5, 3.0]
    """
    from crmkit.cases import HOPE_FUNNEL_STAGES

    opportunities = _non_negative(opportunities, "opportunities")
    rates = [_share(r, "stage_rates") for r in as_list(stage_rates)]
    stages = list(HOPE_FUNNEL_STAGES if stages is None else stages)
    if len(rates) != len(stages) - 1:
        raise DataError(f"{len(stages)} stages need {len(stages) - 1} stage_rates (one per step), got "
                        f"{len(rates)}. Fix: pass one rate for each move to the next stage.")
    reached = opportunities * np.cumprod([1.0, *rates])
    table = pd.DataFrame({"reached": reached, "rate_to_next": [*rates, np.nan],
                          "share_of_opportunities": np.cumprod([1.0, *rates])},
                         index=pd.Index(stages, name="stage"))
    if deal_value is not None:
        deal_value = _non_negative(deal_value, "deal_value")
        table["value"] = [np.nan] * (len(stages) - 1) + [reached[-1] * deal_value]
    return table


def signing_rate_after(rate, uplift, kind="relative"):
    """The signing rate after an uplift: ``rate * (1 + uplift)`` or ``rate + uplift`` (points).

    The Hope Optical case says the signing rate "rose 10%" without saying which; both
    readings are offered.

    Examples
    --------
    >>> signing_rate_after(0.2, 0.1), signing_rate_after(0.2, 0.1, kind="points")
    (0.22000000000000003, 0.30000000000000004)
    """
    rate = _share(rate, "signing_rate")
    uplift = float(uplift)
    if kind not in ("relative", "points"):
        raise DataError(f"kind={kind!r} must be 'relative' (10% of the old rate) or 'points' "
                        f"(10 percentage points).")
    new = rate * (1 + uplift) if kind == "relative" else rate + uplift
    if not 0 <= new <= 1:
        raise DataError(f"a signing rate of {rate} raised by {uplift} ({kind}) gives {new:.3f}, outside [0, 1]. "
                        f"Fix: use a smaller uplift or the other kind.")
    return new


def crm_roi(opportunities_per_month, signing_rate, *, uplift=0.10, kind="relative", deal_value=500_000,
            margin_rate=0.3, salespeople=1, months=12, investment=300_000, running_cost_per_month=0.0):
    """Return on a sales-automation investment from a funnel's signing rate (Hope Optical, 002).

    Deals = opportunities x salespeople x months x signing rate; the CRM raises the
    signing rate by ``uplift`` (see :func:`signing_rate_after`). The gain is the extra
    margin (extra revenue x ``margin_rate``); ``roi = (gain - cost) / cost`` where cost is
    the investment plus the running cost over ``months``; ``payback_months`` is the
    investment divided by the monthly net gain.

    ``uplift`` and ``investment`` may be lists: the result has one "with CRM" row per
    combination, so the source's vague figures can be varied in one call.

    Returns
    -------
    DataFrame indexed by scenario ("without CRM", then "with CRM" rows): uplift, kind,
    investment, signing_rate, deals, revenue, margin, extra_margin, cost, roi, payback_months.

    Examples
    --------
    >>> r = crm_roi(25, 0.2, uplift=0.1, investment=300_000, margin_rate=0.3)
    >>> round(float(r.loc["with CRM", "roi"]), 2)
    2.0
    """
    opp = _non_negative(opportunities_per_month, "opportunities_per_month")
    deal_value = _non_negative(deal_value, "deal_value")
    margin_rate = _share(margin_rate, "margin_rate")
    salespeople = _non_negative(salespeople, "salespeople")
    months = _non_negative(months, "months")
    running = _non_negative(running_cost_per_month, "running_cost_per_month")
    if months == 0:
        raise DataError("months=0 leaves no time for a return. Fix: pass e.g. months=12.")
    base_rate = _share(signing_rate, "signing_rate")
    volume = opp * salespeople * months

    def row(rate, up, inv):
        deals = volume * rate
        revenue = deals * deal_value
        return {"uplift": up, "kind": kind if up else "", "investment": inv, "signing_rate": rate,
                "deals": deals, "revenue": revenue, "margin": revenue * margin_rate}

    rows = [row(base_rate, 0.0, 0.0)]
    for up, inv in product(as_list(uplift) if not np.isscalar(uplift) else [uplift],
                           as_list(investment) if not np.isscalar(investment) else [investment]):
        inv = _non_negative(inv, "investment")
        rows.append(row(signing_rate_after(base_rate, up, kind), float(up), inv))
    table = pd.DataFrame(rows, index=pd.Index(["without CRM"] + ["with CRM"] * (len(rows) - 1), name="scenario"))
    table["extra_margin"] = table["margin"] - table["margin"].iloc[0]
    table["cost"] = np.where(table.index == "with CRM", table["investment"] + running * months, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["roi"] = np.where(table["cost"] > 0, (table["extra_margin"] - table["cost"]) / table["cost"], np.nan)
        monthly_net = table["extra_margin"] / months - running
        table["payback_months"] = np.where((table.index == "with CRM") & (monthly_net > 0),
                                           table["investment"] / monthly_net, np.nan)
    return table


# --------------------------------------------------------------------------- retention
def retention_profit(margin_per_period, retention, *, uplift=0.05, acquisition_cost=0.0, periods=None,
                     discount_rate=0.0):
    """Profit from one acquired customer at a retention rate and at the rate raised by ``uplift``.

    Profit = lifetime value (:func:`crmkit.clv.clv_simple`, margins at the end of each
    period) minus the acquisition cost. The change in profit is the test of the claim
    "5% more retention, up to 80% more profit" (002): it is large only where the
    acquisition cost eats most of the lifetime value, or retention is already high.

    Parameters
    ----------
    margin_per_period : float
        Margin a retained customer brings each period.
    retention : float or list of float
        Per-period retention rate(s); one row each.
    uplift : float
        Added to the retention rate (percentage points), capped so the rate stays below 1
        on an infinite horizon.
    acquisition_cost : float
        Cost of winning the customer (the source: 5 to 8 times the cost of keeping one).
    periods : int or None
        Horizon; None = no end (needs retention < 1 or a discount rate > 0).
    discount_rate : float
        Per-period discount rate.

    Returns
    -------
    DataFrame indexed by retention: retention_after, clv, clv_after, profit, profit_after,
    profit_change (relative; NaN when profit is not positive).

    Examples
    --------
    >>> retention_profit(100, [0.8, 0.9], discount_rate=0.1)["profit_change"].round(3).tolist()
    [0.2, 0.333]
    """
    margin = _non_negative(margin_per_period, "margin_per_period")
    acquisition = _non_negative(acquisition_cost, "acquisition_cost")
    rates = [_share(r, "retention") for r in (as_list(retention) if not np.isscalar(retention) else [retention])]
    rows = []
    for r in rates:
        after = min(r + float(uplift), 1.0)
        if periods is None and discount_rate == 0:
            if after >= 1:
                raise DataError(f"retention {r} + uplift {uplift} reaches 1 on an infinite horizon with no "
                                f"discounting: the lifetime value is infinite. Fix: pass periods= or discount_rate>0.")
        clv0 = clv_simple(margin, periods, retention=r, discount_rate=discount_rate)
        clv1 = clv_simple(margin, periods, retention=after, discount_rate=discount_rate)
        p0, p1 = clv0 - acquisition, clv1 - acquisition
        rows.append({"retention": r, "retention_after": after, "clv": clv0, "clv_after": clv1,
                     "profit": p0, "profit_after": p1,
                     "profit_change": (p1 - p0) / p0 if p0 > 0 else np.nan})
    return pd.DataFrame(rows).set_index("retention")


# --------------------------------------------------------------------------- satisfaction and value
#: Bands of overall satisfaction on the bundled 1-7 scale: (label, low, high), inclusive.
SATISFACTION_BANDS = (("dissatisfied (1-3)", 1, 3), ("neutral (4)", 4, 4), ("satisfied (5-6)", 5, 6),
                      ("very satisfied (7)", 7, 7))


@dataclass
class SatisfactionValue:
    """Each surveyed customer's satisfaction and what it bought afterwards."""

    customers: pd.DataFrame
    window_days: int
    score: str
    model: object = field(repr=False, default=None)

    def summary(self) -> pd.DataFrame:
        """One row per satisfaction band: customers, mean score, revenue a month before and after the
        survey, the median change against the customer's own past, shipments and margin a month
        after, and the share who churned within the window."""
        g = self.customers.groupby("band", observed=False)
        table = pd.DataFrame({
            "customers": g.size(),
            "mean_score": g[self.score].mean(),
            "revenue_before_per_month": g["revenue_before_per_month"].mean(),
            "revenue_per_month": g["revenue_per_month"].mean(),
            "median_revenue_change": g["revenue_change"].median(),
            "shipments_per_month": g["shipments_per_month"].mean(),
            "margin_per_month": g["margin_per_month"].mean(),
            "churned_share": g["churned"].mean(),
        })
        table.index.name = "band"
        return table

    def ratio(self, high="very satisfied (7)", low="satisfied (5-6)", measure="revenue_per_month") -> float:
        """How many times ``measure`` of band ``high`` is that of band ``low`` (the source's '6 times')."""
        s = self.summary()
        for band in (high, low):
            if band not in s.index:
                raise DataError(f"band {band!r} is not one of {list(s.index)}.")
        return float(s.loc[high, measure] / s.loc[low, measure])

    def profit_effect(self, uplift=0.05) -> pd.DataFrame:
        """Change in margin a month, as a share of the mean, if every customer's satisfaction rose by
        ``uplift`` (5% of the mean score), from the OLS slope of margin on the score (HC1 errors).

        The slope is an association across customers, not a controlled experiment."""
        slope = float(self.model.params.iloc[1])
        low, high = (float(v) for v in self.model.conf_int().iloc[1])
        mean_score = float(self.customers[self.score].mean())
        mean_margin = float(self.customers["margin_per_month"].mean())
        step = uplift * mean_score
        return pd.DataFrame(
            {"value": [slope, step, slope * step / mean_margin, low * step / mean_margin,
                       high * step / mean_margin]},
            index=pd.Index(["slope (margin a month per score point)", "score rise", "profit_change",
                            "profit_change_low", "profit_change_high"], name="measure"))

    def plot(self, ax=None, measure="revenue_per_month", unit="RMB a month"):
        """Bar chart of ``measure`` by satisfaction band. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 3.8))
        s = self.summary()
        ax.bar(s.index.astype(str), s[measure], color="#1f4e79")
        ax.set_xlabel(f"overall satisfaction at the survey ({self.score})")
        ax.set_ylabel(f"{measure.replace('_', ' ')} ({unit})")
        ax.set_title(f"What customers bought in the {self.window_days} days after the survey")
        ax.tick_params(axis="x", labelsize=8)
        return ax


def satisfaction_value(surveys, shipments, *, score="overall_satisfaction", bands=SATISFACTION_BANDS,
                       window_days=180, churn_days=90, customer="customer_id", survey_date="date",
                       ship_date="ship_date", revenue="revenue", cost="cost"):
    """What customers bought after saying how satisfied they were.

    For each customer, take the latest survey answer that leaves ``window_days`` of
    shipment data after it; count the shipments, revenue and margin (revenue - cost) in
    that window (per month of 30.4375 days) and whether the customer stopped shipping in
    it (no shipment in its last ``churn_days`` days). The revenue a month in the same length
    of time *before* the answer (as much of it as the data cover) gives each customer's own
    baseline: ``revenue_change`` compares after with before, so large customers do not pass
    for satisfied ones. Customers are grouped into satisfaction ``bands``.

    Returns
    -------
    SatisfactionValue with ``.customers`` (one row per customer), ``.summary()`` (per band),
    ``.ratio()``, ``.profit_effect(uplift)`` and ``.plot()``.

    Examples
    --------
    >>> sv = pd.DataFrame({"customer_id": ["a", "b", "c"], "date": pd.to_datetime(["2024-01-01"] * 3),
    ...                    "overall_satisfaction": [7, 5, 2]})
    >>> sh = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"], "revenue": [10.0, 10.0, 10.0, 1.0, 4.0],
    ...                    "cost": [5.0, 5.0, 5.0, 1.0, 5.0],
    ...                    "ship_date": pd.to_datetime(["2024-01-05", "2024-05-01", "2024-01-10",
    ...                                                 "2024-12-31", "2024-02-01"])})
    >>> satisfaction_value(sv, sh).customers["revenue_per_month"].round(2).tolist()
    [3.38, 1.69, 0.68]
    """
    require(surveys, columns=[customer, survey_date, score], numeric=[score], no_nan=[customer, survey_date, score],
            dates=[survey_date], name="surveys")
    require(shipments, columns=[customer, ship_date, revenue, cost], numeric=[revenue, cost],
            no_nan=[customer, ship_date, revenue, cost], dates=[ship_date], name="shipments")
    window_days = int(_non_negative(window_days, "window_days"))
    churn_days = int(_non_negative(churn_days, "churn_days"))
    if not 0 < churn_days <= window_days:
        raise DataError(f"churn_days={churn_days} must lie between 1 and window_days={window_days}.")
    sdates = pd.to_datetime(surveys[survey_date])
    tdates = pd.to_datetime(shipments[ship_date])
    end = tdates.max().normalize() + pd.Timedelta(days=1)
    window = pd.Timedelta(days=window_days)
    answers = pd.DataFrame({"customer": surveys[customer].astype(str).to_numpy(), "date": sdates.to_numpy(),
                            "score": surveys[score].astype(float).to_numpy()})
    answers = answers[answers["date"] + window <= end]
    if answers.empty:
        raise DataError(f"surveys: no answer leaves {window_days} days of shipments after it (shipments end "
                        f"{end.date()}). Fix: pass a smaller window_days.")
    latest = answers.sort_values("date").groupby("customer").tail(1).set_index("customer")

    tx = pd.DataFrame({"customer": shipments[customer].astype(str).to_numpy(), "date": tdates.to_numpy(),
                       "revenue": shipments[revenue].astype(float).to_numpy(),
                       "margin": (shipments[revenue] - shipments[cost]).astype(float).to_numpy()})
    tx = tx[tx["customer"].isin(latest.index)]
    start = tx["customer"].map(latest["date"])
    offset = tx["date"] - start
    inside = (offset >= pd.Timedelta(0)) & (offset < window)
    before = (offset < pd.Timedelta(0)) & (offset >= -window)
    covered = ((latest["date"] - tdates.min().normalize()).dt.days.clip(0, window_days)) / 30.4375
    late = inside & (offset >= window - pd.Timedelta(days=churn_days))
    g = tx[inside].groupby("customer")
    per_month = window_days / 30.4375
    out = pd.DataFrame(index=latest.index)
    out[score] = latest["score"]
    out["survey_date"] = latest["date"]
    out["shipments_per_month"] = g.size().reindex(out.index, fill_value=0) / per_month
    out["revenue_per_month"] = g["revenue"].sum().reindex(out.index, fill_value=0.0) / per_month
    out["margin_per_month"] = g["margin"].sum().reindex(out.index, fill_value=0.0) / per_month
    earlier = tx[before].groupby("customer")["revenue"].sum().reindex(out.index, fill_value=0.0)
    out["revenue_before_per_month"] = (earlier / covered.where(covered > 0)).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["revenue_change"] = np.where(out["revenue_before_per_month"] > 0,
                                         out["revenue_per_month"] / out["revenue_before_per_month"] - 1, np.nan)
    active_late = tx[late].groupby("customer").size().reindex(out.index, fill_value=0)
    out["churned"] = active_late.eq(0)
    labels = [b[0] for b in bands]
    band = pd.Series(pd.NA, index=out.index, dtype=object)
    for label, low, high in bands:
        band[(out[score] >= low) & (out[score] <= high)] = label
    if band.isna().any():
        example = out.loc[band.isna(), score].iloc[0]
        raise DataError(f"surveys: {int(band.isna().sum())} customers have a {score!r} outside every band, "
                        f"e.g. {example}. Fix: pass bands that cover the whole scale.")
    out["band"] = pd.Categorical(band, categories=labels, ordered=True)
    out.index.name = customer
    if len(out) < 3 or out[score].nunique() < 2:
        raise DataError("satisfaction_value needs at least 3 customers with different scores. Fix: use more data.")
    model = sm.OLS(out["margin_per_month"].astype(float),
                   sm.add_constant(out[[score]].astype(float))).fit(cov_type="HC1")
    return SatisfactionValue(customers=out, window_days=window_days, score=score, model=model)
