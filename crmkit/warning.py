"""Churn early warning (流失预警): each customer's volume and silence against their own history.

The course material asks the customer database to watch every customer's transaction
volume and, when it changes clearly, to contact the customer before they leave (001,
section 3.1 (3)). :func:`early_warning` makes that list, :func:`plot_warning` draws one
customer's weeks, :func:`backtest_early_warning` replays the list week by week against
known churn dates, and :func:`retention_plan` gives each warning an action by
relationship bond (004, section 4).

Examples
--------
>>> import pandas as pd
>>> days = pd.date_range("2024-01-01", periods=238, freq="D")
>>> s = pd.DataFrame({"customer_id": "F", "ship_date": list(days[:182:2]) + list(days[182::14])})
>>> early_warning(s, as_of="2024-08-19", amount=None, adjust=False)["flagged"].to_dict()
{'F': True}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.errors import DataError, as_dates, as_timestamp, require

__all__ = [
    "early_warning",
    "plot_warning",
    "backtest_early_warning",
    "WarningBacktest",
    "RETENTION_ACTIONS",
    "retention_plan",
]

_DAY = pd.Timedelta(days=1)
#: A volume baseline shorter than this many weeks is too short to judge a fall against.
_MIN_BASE_WEEKS = 4


# --------------------------------------------------------------------------- dates and weeks
# (shared with crmkit.churn, which imports them from here)

def _dates(df: pd.DataFrame, column: str, name: str) -> pd.Series:
    return as_dates(df[column], column=column, name=name)


def _check_cutoff(cutoff: pd.Timestamp, first: pd.Timestamp, last: pd.Timestamp, what: str,
                  name: str) -> None:
    """A cut-off must fall after the first record and within a week after the last one."""
    end = last.normalize() + 7 * _DAY
    if cutoff <= first or cutoff > end:
        raise DataError(
            f"{what} {cutoff.date()} is outside the data: {name} run from {first.date()} to "
            f"{last.date()}. Fix: choose {what} after {first.date()} and no later than {end.date()} "
            f"(one week after the last record; a later date would read the end of the data as "
            f"customers leaving)."
        )


def _weekly_counts(customers: pd.Series, dates: pd.Series, start: pd.Timestamp, n_weeks: int,
                   values: pd.Series | None = None, agg: str = "sum") -> pd.DataFrame:
    """Customer x week matrix of counts (or ``agg`` of ``values``, 0 if none) for weeks from ``start``."""
    week = ((dates - start) // pd.Timedelta(weeks=1)).astype("int64")
    keep = (dates >= start) & (week < n_weeks)
    frame = pd.DataFrame({"customer": customers[keep].to_numpy(), "week": week[keep].to_numpy(),
                          "value": 1.0 if values is None else values[keep].to_numpy(dtype=float)})
    table = frame.pivot_table(index="customer", columns="week", values="value", aggfunc=agg,
                              fill_value=0.0, observed=True)
    return table.reindex(columns=range(n_weeks), fill_value=0.0)


# --------------------------------------------------------------------------- the warning

def _changepoint(counts: np.ndarray, exposure: np.ndarray | None = None) -> np.ndarray:
    """For each row, the week index where a single-change Poisson model puts a fall in rate.

    Maximises the two-segment Poisson log-likelihood over split points (each week's expected
    count proportional to ``exposure``, e.g. the company's weekly volume, so that seasons are
    not read as changes), keeping only splits whose later rate is lower; -1 where none is.
    """
    n_rows, W = counts.shape
    if W < 2:
        return np.full(n_rows, -1)
    e = np.ones(W) if exposure is None else np.asarray(exposure, dtype=float)
    ce = np.cumsum(e)
    cs = np.cumsum(counts, axis=1)
    total = cs[:, -1:]
    s1, s2 = cs[:, :-1], total - cs[:, :-1]
    n1, n2 = ce[None, :-1], (ce[-1] - ce[:-1])[None, :]

    def xlogx(a, m):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(a > 0, a * np.log(a / m), 0.0)

    ll = xlogx(s1, n1) + xlogx(s2, n2)
    ll = np.where(s2 / n2 < s1 / n1, ll, -np.inf)
    best = np.argmax(ll, axis=1)
    ok = np.isfinite(ll[np.arange(n_rows), best])
    return np.where(ok, best + 1, -1)


def _tail_share(exposure: np.ndarray, tail_weeks: np.ndarray, own_weeks: np.ndarray) -> np.ndarray:
    """Share of each row's expected volume (weekly ``exposure``) in its last ``tail_weeks`` of ``own_weeks``."""
    n, W = exposure.shape
    back = np.concatenate([np.zeros((n, 1)), np.cumsum(exposure[:, ::-1], axis=1)], axis=1)

    def upto(x):                       # expected volume of the last x weeks (x may be fractional)
        x = np.clip(x, 0, W)
        k = np.minimum(np.floor(x).astype(int), W - 1)
        lo = np.take_along_axis(back, k[:, None], axis=1)[:, 0]
        hi = np.take_along_axis(back, k[:, None] + 1, axis=1)[:, 0]
        return lo + (x - k) * (hi - lo)

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.nan_to_num(upto(tail_weeks) / upto(own_weeks), nan=1.0), 0.0, 1.0)


def _warn_table(counts: pd.DataFrame, revenue: pd.DataFrame | None, first_week: pd.Series,
                recent_weeks: int, baseline_weeks: int, alpha: float, min_drop: float,
                start: pd.Timestamp, groups: pd.Series | None = None, adjust: bool = True,
                dispersed: bool = True, days_silent=None, overdue_alpha: float | None = None,
                min_silent_days: int = 28) -> pd.DataFrame:
    """Early-warning statistics from a customer x week matrix covering baseline + recent weeks.

    With ``adjust`` the expected recent volume follows the company's (or the customer's
    group's) own movement between the two windows, so seasons and market swings are not
    read as a customer's fall. ``days_silent`` (days since each customer's last shipment)
    adds the overdue test, used when ``overdue_alpha`` is given.
    """
    C = counts.to_numpy(dtype=float)
    base_n = C[:, :baseline_weeks].sum(axis=1)
    recent_n = C[:, baseline_weeks:].sum(axis=1)
    # customers who started during the baseline window: use only their weeks
    fw = np.clip(first_week.reindex(counts.index).to_numpy(dtype=float), 0, None)
    base_w = np.clip(baseline_weeks - np.nan_to_num(fw), 0, baseline_weeks)
    base_w = np.where(base_w >= _MIN_BASE_WEEKS, base_w, 0.0)
    # the market factor: how the reference group's weekly volume moved between the windows
    if adjust:
        keys = (np.zeros(len(C), dtype=int) if groups is None
                else pd.factorize(groups.reindex(counts.index).astype("object").fillna("(none)"))[0])
        factor = np.ones(len(C))
        exposure_rows = np.ones_like(C)
        for k in np.unique(keys):
            rows = keys == k
            T = C[rows].sum(axis=0)
            tb, tr = T[:baseline_weeks].mean(), T[baseline_weeks:].mean()
            if tb > 0 and tr > 0:
                factor[rows] = tr / tb
                exposure_rows[rows] = np.where(T > 0, T / T.mean(), 1.0)
    else:
        factor, exposure_rows = np.ones(len(C)), np.ones_like(C)
    with np.errstate(divide="ignore", invalid="ignore"):
        base_rate = np.where(base_w > 0, base_n / base_w, np.nan)
        recent_rate = recent_n / recent_weeks
        change = recent_rate / base_rate - 1
        adjusted = recent_rate / (base_rate * factor) - 1
        p0 = recent_weeks * factor / (recent_weeks * factor + base_w)
    # over-dispersion: weekly counts vary more than Poisson (orders come in batches); the
    # baseline weeks give each customer's variance-to-mean ratio, at least 1 (quasi-Poisson)
    # (variance from successive differences, so a level shift inside the baseline does not
    # count as noise: von Neumann's mean square successive difference / 2)
    full = np.arange(baseline_weeks)[None, :] >= np.ceil(baseline_weeks - base_w)[:, None]
    pairs = full[:, 1:] & full[:, :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(full.sum(axis=1) > 1, (C[:, :baseline_weeks] * full).sum(axis=1) / full.sum(axis=1), np.nan)
        v = ((np.diff(C[:, :baseline_weeks], axis=1) ** 2) * pairs).sum(axis=1) / (2 * pairs.sum(axis=1))
        dispersion = np.where(m > 0, np.clip(v / m, 1.0, None), 1.0) if dispersed else np.ones(len(C))
    dispersion = np.nan_to_num(dispersion, nan=1.0)
    total = (base_n + recent_n) / dispersion
    k = recent_n / dispersion
    # conditional test of two Poisson rates: recent | total ~ Binomial(total, p0), with counts
    # divided by the dispersion; P(X <= k) = I_{1-p0}(total - k, k + 1) also for non-integer counts
    from scipy.special import betainc
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = np.where((base_w > 0) & (total > k),
                           betainc(np.maximum(total - k, 1e-12), k + 1, np.clip(1 - np.nan_to_num(p0), 0, 1)), 1.0)
    # the overdue test: given a steady rate, each of the customer's n shipments in the window
    # falls in the last s days with probability q (the share of the expected volume there),
    # so P(no shipment in the last s days) = (1 - q)^n, n divided by the dispersion as above
    own_weeks = np.where(base_w > 0, base_w + recent_weeks, 0.0)
    silent = np.full(len(C), np.nan) if days_silent is None else np.asarray(days_silent, dtype=float)
    q = _tail_share(exposure_rows, np.nan_to_num(silent) / 7, own_weeks)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_overdue = np.where((own_weeks > 0) & (silent >= min_silent_days), (1 - q) ** total, 1.0)
    by_volume = (p_value < alpha) & (adjusted <= -min_drop)
    by_silence = (p_overdue < overdue_alpha) if overdue_alpha is not None else np.zeros(len(C), dtype=bool)
    flagged = by_volume | by_silence
    W = C.shape[1]
    split = np.full(len(C), -1)
    if flagged.any():
        if groups is None or not adjust:
            split[flagged] = _changepoint(C[flagged], exposure_rows[flagged][0] if adjust else None)
        else:
            for k in np.unique(keys[flagged]):
                rows = flagged & (keys == k)
                split[rows] = _changepoint(C[rows], exposure_rows[rows][0])
    decline_weeks = np.where(flagged & (split >= 0), W - split, 0)
    out = pd.DataFrame({
        "baseline_per_week": base_rate, "recent_per_week": recent_rate, "change": change,
        "change_vs_market": adjusted, "p_value": p_value,
        "usual_gap_days": np.where((own_weeks > 0) & (base_n + recent_n > 0), np.clip(
            7 * own_weeks - np.nan_to_num(silent), 1, None) / np.maximum(base_n + recent_n, 1), np.nan),
        "p_overdue": p_overdue, "flagged": flagged,
        "signal": np.select([by_volume & by_silence, by_volume, by_silence], ["both", "volume", "overdue"], ""),
        "decline_weeks": decline_weeks.astype(int),
    }, index=counts.index)
    out["decline_start"] = pd.NaT
    rows = out["decline_weeks"] > 0
    out.loc[rows, "decline_start"] = start + pd.to_timedelta(split[rows.to_numpy()] * 7, unit="D")
    out["decline_start"] = pd.to_datetime(out["decline_start"])
    if revenue is not None:
        R = revenue.reindex(counts.index, fill_value=0.0).to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            base_rev = np.where(base_w > 0, R[:, :baseline_weeks].sum(axis=1) / base_w, np.nan)
        out["baseline_revenue_per_week"] = base_rev
        out["revenue_at_risk_per_week"] = np.clip(base_rev - R[:, baseline_weeks:].sum(axis=1) / recent_weeks, 0, None)
    return out


def early_warning(shipments: pd.DataFrame, as_of=None, *, customer: str = "customer_id",
                  date: str = "ship_date", amount: str | None = "revenue", recent_weeks: int = 4,
                  baseline_weeks: int = 26, alpha: float = 0.005, min_drop: float = 0.3,
                  silent_days: int | None = 90, adjust: bool = True,
                  groups: pd.Series | None = None, overdue_alpha: float | None = 0.005,
                  min_silent_days: int = 28) -> pd.DataFrame:
    """Flag customers whose volume fell significantly below their own baseline, or who are overdue.

    Two tests, each against the customer's own history, so a small shipper and a key account
    are judged by their own habits:

    * **volume fall**: the weekly shipments of the last ``recent_weeks`` before ``as_of``
      against the ``baseline_weeks`` before that. Under "no change" the recent count, given
      the total, is Binomial(total, share of the expected volume in the recent weeks) (the
      conditional test for two Poisson rates). Flagged when the one-sided p-value is below
      ``alpha`` *and* the volume, against the market, fell by at least ``min_drop``.
    * **overdue**: days since the last shipment against the customer's usual gap. Given
      the n shipments of the whole window at a steady rate, the chance that none falls in
      the last s days is (1 - q)^n, q being the share of the window's expected volume in
      those days (the largest of n uniform times is Beta(n, 1)). Flagged when that p-value is
      below ``overdue_alpha`` and the silence has lasted at least ``min_silent_days``. This
      sees the many customers who ship a few parcels a month, too few for a count test.

    Both tests share two corrections: with ``adjust`` the expected volume follows the whole
    company's (or the customer's ``groups``') weekly movement, so a seasonal dip is not read
    as churn; and counts are divided by each customer's baseline variance-to-mean ratio (at
    least 1), because orders arrive in batches (quasi-Poisson). How long the fall has lasted
    comes from the best single change point in the weekly series (two-rate Poisson fit).
    The defaults (``alpha`` and ``overdue_alpha`` 0.005 each, ``min_silent_days`` 28) were
    chosen on the simulated company's 2024 backtest (notebook 07), not on the year reported.

    Parameters
    ----------
    as_of : date, optional
        The morning of the day the list is made; defaults to the day after the last shipment.
    amount : str or None
        Revenue column; adds the baseline weekly revenue and the revenue at risk per week.
    alpha, overdue_alpha : float
        Significance of each test per check; ``overdue_alpha=None`` turns the overdue test off.
    silent_days : int or None
        Customers with no shipment for this many days are left off the list (they have
        already churned by the usual rule and need a win-back call, not a warning).
    adjust : bool
        Compare with the market (company or group volume) rather than with a flat line.
    groups : Series, optional
        Customer -> group (e.g. industry) whose volume is the market for that customer.

    Returns
    -------
    DataFrame, one row per customer with a shipment in the window, flagged ones first
    (by revenue at risk): ``baseline_per_week``, ``recent_per_week``, ``change`` (-0.6 =
    a 60% fall), ``change_vs_market`` (the fall beyond the market's own movement),
    ``p_value`` (volume test), ``usual_gap_days`` (days per shipment in the window before
    the current silence),
    ``p_overdue``, ``flagged``, ``signal`` ("volume", "overdue", "both" or ""),
    ``decline_weeks``, ``decline_start``, ``days_since_last`` and, with ``amount``, the
    revenue columns.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2024-01-01", periods=238, freq="D")
    >>> steady = pd.DataFrame({"customer_id": "S", "ship_date": days[::2]})
    >>> falling = pd.DataFrame({"customer_id": "F",
    ...                         "ship_date": np.r_[days[:182:2], days[182::14]]})
    >>> w = early_warning(pd.concat([steady, falling]), as_of="2024-08-26", amount=None,
    ...                   adjust=False)   # two customers are no market to compare with
    >>> w["flagged"].to_dict()
    {'F': True, 'S': False}
    """
    cols = [customer, date] + ([amount] if amount else [])
    require(shipments, columns=cols, numeric=[amount] if amount else [], no_nan=[customer, date],
            dates=[date], name="shipments")
    for label, value in (("recent_weeks", recent_weeks), ("baseline_weeks", baseline_weeks)):
        if not (isinstance(value, (int, np.integer)) and value > 0):
            raise DataError(f"{label} must be a positive whole number of weeks, got {value!r}.")
    for label, value in (("alpha", alpha), ("overdue_alpha", 0.5 if overdue_alpha is None else overdue_alpha)):
        if not 0 < value < 1:
            raise DataError(f"{label} must lie between 0 and 1, got {value!r}.")
    shipments = shipments.reset_index(drop=True)
    dates = _dates(shipments, date, "shipments")
    as_of = dates.max().normalize() + _DAY if as_of is None else as_timestamp(as_of, what="as_of")
    _check_cutoff(as_of, dates.min(), dates.max(), "as_of", "shipments")
    total_weeks = recent_weeks + baseline_weeks
    start = as_of - pd.Timedelta(weeks=total_weeks)
    before = dates < as_of
    cust = shipments.loc[before, customer]
    d = dates[before]
    counts = _weekly_counts(cust, d, start, total_weeks)
    revenue = (_weekly_counts(cust, d, start, total_weeks, pd.to_numeric(shipments.loc[before, amount]))
               if amount else None)
    g = pd.DataFrame({"c": cust.to_numpy(), "d": d.to_numpy()}).groupby("c", observed=True)["d"]
    first_week = (g.min() - start) / pd.Timedelta(weeks=1)
    days_silent = (as_of - g.max().reindex(counts.index)).dt.days
    out = _warn_table(counts, revenue, first_week, recent_weeks, baseline_weeks, alpha, min_drop, start,
                      groups=groups, adjust=adjust, days_silent=days_silent.to_numpy(),
                      overdue_alpha=overdue_alpha, min_silent_days=min_silent_days)
    out["days_since_last"] = days_silent.astype(int)
    if silent_days is not None:
        out = out[out["days_since_last"] < silent_days]
    out.index.name = customer
    key = "revenue_at_risk_per_week" if amount else "change"
    asc = not bool(amount)
    out = out.sort_values(["flagged", key], ascending=[False, asc], kind="stable")
    out.attrs["as_of"] = as_of
    return out


def plot_warning(shipments: pd.DataFrame, customer_id, as_of=None, *, customer: str = "customer_id",
                 date: str = "ship_date", recent_weeks: int = 4, baseline_weeks: int = 26,
                 ax=None, **warning_kwargs):
    """Draw one customer's weekly shipments with the baseline, the recent level and the fall's start.

    The picture an account manager needs before the call: the weekly bars of the baseline and
    recent windows used by :func:`early_warning`, the two average levels, and the estimated
    start of the fall. Extra keyword arguments go to :func:`early_warning`.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2024-01-01", periods=238, freq="D")
    >>> s = pd.DataFrame({"customer_id": "F", "ship_date": list(days[:182]) + list(days[182::14])})
    >>> plot_warning(s, "F", "2024-08-19", adjust=False, amount=None).get_ylabel()
    'shipments (waybills) per week'
    """
    import matplotlib.pyplot as plt

    w = early_warning(shipments, as_of, customer=customer, date=date, recent_weeks=recent_weeks,
                      baseline_weeks=baseline_weeks, silent_days=None, **warning_kwargs)
    if customer_id not in w.index:
        raise DataError(f"customer {customer_id!r} has no shipment in the {recent_weeks + baseline_weeks} "
                        f"weeks before {w.attrs['as_of'].date()}. Fix: check the id or the date.")
    row = w.loc[customer_id]
    as_of = w.attrs["as_of"]
    start = as_of - pd.Timedelta(weeks=recent_weeks + baseline_weeks)
    mine = shipments[customer] == customer_id
    counts = _weekly_counts(shipments.loc[mine, customer], _dates(shipments, date, "shipments")[mine],
                            start, recent_weeks + baseline_weeks).iloc[0].to_numpy()
    weeks = start + pd.to_timedelta(np.arange(len(counts)) * 7, unit="D")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.8))
    colors = ["#9bbbd4"] * baseline_weeks + ["#c0504d" if row["flagged"] else "#1f4e79"] * recent_weeks
    ax.bar(weeks, counts, width=6, align="edge", color=colors)
    ax.hlines(row["baseline_per_week"], weeks[0], weeks[baseline_weeks], color="black", lw=2,
              label=f"baseline {row['baseline_per_week']:.1f} a week")
    ax.hlines(row["recent_per_week"], weeks[baseline_weeks], as_of, color="red", lw=2,
              label=f"last {recent_weeks} weeks {row['recent_per_week']:.1f} a week ({row['change']:+.0%})")
    if pd.notna(row["decline_start"]):
        ax.axvline(row["decline_start"], color="red", ls="--", lw=1,
                   label=f"fall began about {row['decline_start']:%Y-%m-%d} ({int(row['decline_weeks'])} weeks)")
    if row["days_since_last"] > 7:
        last = as_of - pd.Timedelta(days=int(row["days_since_last"]))
        ax.axvline(last, color="grey", ls=":", lw=1.5,
                   label=f"last shipment {int(row['days_since_last'])} days ago "
                         f"(usually one every {row['usual_gap_days']:.0f} days)")
    state = f"FLAGGED by {row['signal']}" if row["flagged"] else "not flagged"
    ax.set(title=f"{customer_id}: weekly shipments before {as_of:%Y-%m-%d} ({state}; p = {row['p_value']:.2g} "
                 f"volume, {row['p_overdue']:.2g} overdue)",
           xlabel="week starting", ylabel="shipments (waybills) per week")
    ax.legend(fontsize=8, loc="upper left")
    return ax


@dataclass
class WarningBacktest:
    """Early warning replayed week by week against known churn dates."""

    per_customer: pd.DataFrame
    checks: pd.DataFrame
    horizon_weeks: int

    def summary(self) -> pd.DataFrame:
        """Share of churners flagged before churning, lead time in weeks and false-alarm rate."""
        pc = self.per_customer
        churners = pc[pc["churner"]]
        stayers = pc[~pc["churner"]]
        lead = churners["lead_weeks"].dropna()
        rows = {
            "churners": len(churners),
            "churners_flagged_share": float(churners["flagged_before_churn"].mean()) if len(churners) else np.nan,
            "median_lead_weeks": float(lead.median()) if len(lead) else np.nan,
            "mean_lead_weeks": float(lead.mean()) if len(lead) else np.nan,
            "churned_revenue_flagged_share": (
                float((churners["weekly_revenue"] * churners["flagged_before_churn"]).sum()
                      / churners["weekly_revenue"].sum())
                if "weekly_revenue" in pc and len(churners) and churners["weekly_revenue"].sum() > 0 else np.nan),
            "stayers": len(stayers),
            "false_alarm_rate": float(stayers["ever_flagged"].mean()) if len(stayers) else np.nan,
            "checks": len(self.checks),
            "weekly_false_alarm_rate": float(self.checks["false_alarm_rate"].mean()),
            "weekly_precision": float(self.checks["precision"].mean()),
            "weekly_hit_rate": float(self.checks["hits"].sum() / max(self.checks["churning_soon"].sum(), 1)),
        }
        return pd.DataFrame({"value": rows}).rename_axis("measure")

    def plot(self, ax=None):
        """Histogram of lead times: weeks between the first warning and the churn date."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        lead = self.per_customer["lead_weeks"].dropna()
        ax.hist(lead, bins=np.arange(0, max(lead.max() if len(lead) else 1, 1) + 2) - 0.5, color="#1f4e79")
        if len(lead):
            ax.axvline(lead.median(), color="red", ls="--", label=f"median {lead.median():.0f} weeks")
            ax.legend(fontsize=8)
        ax.set(xlabel="lead time: weeks from first warning to churn", ylabel="churners",
               title="How early the warning comes")
        return ax


def backtest_early_warning(shipments: pd.DataFrame, churn_dates: pd.Series, start, end, *,
                           customer: str = "customer_id", date: str = "ship_date",
                           amount: str | None = "revenue", every_weeks: int = 1,
                           horizon_weeks: int = 13, recent_weeks: int = 4,
                           baseline_weeks: int = 26, alpha: float = 0.005, min_drop: float = 0.3,
                           silent_days: int | None = 90, adjust: bool = True,
                           groups: pd.Series | None = None, overdue_alpha: float | None = 0.005,
                           min_silent_days: int = 28) -> WarningBacktest:
    """Replay :func:`early_warning` every ``every_weeks`` from ``start`` to ``end`` and score it.

    ``churn_dates`` (indexed by customer, NaT for customers who never churned) may be the
    simulator's true churn dates or the dates from :func:`label_churn`. The customers scored
    are those shipping before ``start`` and not churned by then. A *churner* churns between
    ``start`` and ``end``; a *stayer* does not churn before ``end + horizon_weeks``. A
    warning on a customer who churns within ``horizon_weeks`` is a hit; the lead time is the
    weeks from the first hit to the churn date. Any warning on a stayer is a false alarm.
    Keep ``horizon_weeks`` short (a quarter by default): with a long one, a chance warning
    months before the customer's volume began to fall would count as a hit.

    Returns
    -------
    WarningBacktest with ``.summary()`` (share of churners warned before churning, the same
    weighted by their weekly revenue before ``start`` (with ``amount``), median lead weeks,
    share of stayers ever warned, mean weekly false-alarm rate and precision, and the weekly
    hit rate: hits over customers churning within the horizon, summed over checks),
    ``.per_customer``, ``.checks`` and ``.plot()``. The test settings are those of
    :func:`early_warning`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2023-01-02", "2024-12-30", freq="D")
    >>> s = pd.concat([pd.DataFrame({"customer_id": "S", "ship_date": days[::2]}),
    ...                pd.DataFrame({"customer_id": "F", "ship_date": np.r_[days[:500:2], days[500:560:10]]})])
    >>> churn = pd.Series({"S": pd.NaT, "F": days[560]})
    >>> bt = backtest_early_warning(s, churn, "2024-01-01", "2024-10-01", amount=None, adjust=False)
    >>> bool(bt.per_customer.loc["F", "flagged_before_churn"]), bool(bt.per_customer.loc["S", "ever_flagged"])
    (True, False)
    """
    require(shipments, columns=[customer, date], no_nan=[customer, date], dates=[date], name="shipments")
    if not isinstance(churn_dates, pd.Series):
        raise DataError("churn_dates must be a pandas Series indexed by customer (NaT = never churned). "
                        "Fix: pass e.g. label_churn(shipments)['churn_date'] or the simulator's truth.")
    start, end = as_timestamp(start, what="start"), as_timestamp(end, what="end")
    shipments = shipments.reset_index(drop=True)
    dates = _dates(shipments, date, "shipments")
    _check_cutoff(start, dates.min(), dates.max(), "start", "shipments")
    _check_cutoff(end, dates.min(), dates.max(), "end", "shipments")
    if end <= start:
        raise DataError(f"end {end.date()} must come after start {start.date()}.")
    total = recent_weeks + baseline_weeks
    grid_start = start - pd.Timedelta(weeks=total)
    n_weeks = int(np.ceil((end - grid_start) / pd.Timedelta(weeks=1))) + 1
    cust = shipments[customer]
    matrix = _weekly_counts(cust, dates, grid_start, n_weeks)
    people = matrix.index
    # each customer's last shipment up to the end of each week (days after grid_start, -inf if none)
    day = pd.Series((dates - grid_start).dt.days.to_numpy(dtype=float) + 1, index=dates.index)
    last_day = _weekly_counts(cust, dates, grid_start, n_weeks, day, agg="max").reindex(people).to_numpy()
    last_day = np.maximum.accumulate(np.where(last_day > 0, last_day - 1, -np.inf), axis=1)
    g = pd.DataFrame({"c": cust.to_numpy(), "d": dates.to_numpy()}).groupby("c", observed=True)["d"]
    first_date = g.min().reindex(people)
    churn = pd.to_datetime(churn_dates).reindex(people)
    shipped = matrix.to_numpy() > 0
    horizon = pd.Timedelta(weeks=horizon_weeks)

    first_hit = pd.Series(pd.NaT, index=people, dtype="datetime64[ns]")
    ever_flagged = pd.Series(False, index=people)
    checks = []
    for as_of in pd.date_range(start, end, freq=f"{7 * every_weeks}D"):
        w0 = int(round((as_of - grid_start) / pd.Timedelta(weeks=1))) - total
        if w0 < 0 or w0 + total > matrix.shape[1]:
            continue
        wstart = grid_start + pd.Timedelta(weeks=w0)
        silent = (as_of - grid_start).days - last_day[:, w0 + total - 1]
        t = _warn_table(matrix.iloc[:, w0:w0 + total], None, (first_date - wstart) / pd.Timedelta(weeks=1),
                        recent_weeks, baseline_weeks, alpha, min_drop, wstart, groups=groups, adjust=adjust,
                        days_silent=silent, overdue_alpha=overdue_alpha, min_silent_days=min_silent_days)
        alive = (first_date < as_of) & ~(churn < as_of).fillna(False).astype(bool)
        flagged = t["flagged"] & alive
        if silent_days is not None:
            weeks = int(np.ceil(silent_days / 7))
            flagged &= pd.Series(shipped[:, max(w0 + total - weeks, 0):w0 + total].any(axis=1), index=people)
        soon = ((churn >= as_of) & (churn < as_of + horizon)).fillna(False).astype(bool)
        hit = flagged & soon
        first_hit[hit & first_hit.isna()] = as_of
        ever_flagged |= flagged
        stayers_now = alive & ~soon
        checks.append({"as_of": as_of, "active": int(alive.sum()), "flagged": int(flagged.sum()),
                       "churning_soon": int((alive & soon).sum()), "hits": int(hit.sum()),
                       "false_alarms": int((flagged & ~soon).sum()),
                       "false_alarm_rate": float((flagged & ~soon).sum() / max(int(stayers_now.sum()), 1)),
                       "precision": float(hit.sum() / flagged.sum()) if flagged.sum() else np.nan})
    checks = pd.DataFrame(checks).set_index("as_of")
    at_risk = (first_date < start) & ~(churn < start).fillna(False).astype(bool)
    churner = at_risk & ((churn >= start) & (churn <= end)).fillna(False).astype(bool)
    stayer = at_risk & (churn.isna() | (churn > end + horizon))
    pc = pd.DataFrame({"churner": churner, "churn_date": churn, "first_warning": first_hit,
                       "ever_flagged": ever_flagged})[churner | stayer]
    if amount is not None:
        require(shipments, columns=[amount], numeric=[amount], name="shipments")
        pre = (dates >= start - pd.Timedelta(weeks=baseline_weeks)) & (dates < start)
        weekly = (pd.to_numeric(shipments.loc[pre, amount]).groupby(cust[pre].to_numpy()).sum()
                  / baseline_weeks)
        pc["weekly_revenue"] = weekly.reindex(pc.index).fillna(0.0)
    pc["flagged_before_churn"] = pc["churner"] & pc["first_warning"].notna()
    pc["lead_weeks"] = ((pc["churn_date"] - pc["first_warning"]) / pd.Timedelta(weeks=1)).where(pc["churner"])
    pc.index.name = customer
    return WarningBacktest(per_customer=pc, checks=checks, horizon_weeks=horizon_weeks)


#: Retention actions by relationship bond (004, section 4: financial, social and structural
#: bonds), for the account manager to match to each warning.
RETENTION_ACTIONS = pd.DataFrame(
    [
        ("financial", "财务联系", "price or service-failure driven fall (late or damaged parcels, price complaints)",
         "refund or credit for failures (超时退费), volume-tier rebate, shared savings on a renewed contract"),
        ("social", "社交联系", "unresolved complaints, falling satisfaction, no recent contact",
         "account-manager visit within a week (回访), apology and follow-up on each complaint, invitation to the customer club"),
        ("structural", "结构性联系", "large account with a steady fall in volume, or moving to pay-per-shipment",
         "joint logistics review: integrated warehousing, EDI/system link, dedicated service team, signed-receipt and COD services"),
    ],
    columns=["bond", "chinese", "when", "action"],
).set_index("bond")


def retention_plan(warnings_table: pd.DataFrame, features: pd.DataFrame | None = None, *,
                   large_quantile: float = 0.8, price_premium: float = 0.10,
                   failure_multiple: float = 2.0, low_satisfaction: float = 3.0) -> pd.DataFrame:
    """Match each flagged customer to a retention action by relationship bond (004, section 4).

    Rules, applied in this order (the first that fits is the primary bond; every reason
    that fits is listed):

    * **structural** (结构性联系): a large account, i.e. baseline weekly revenue at or above the
      ``large_quantile`` of all customers in ``warnings_table``, or a key-account ``tier``;
    * **financial** (财务联系): pays ``price_premium`` or more above the typical price
      (``relative_price``), or its ``failure_rate`` is ``failure_multiple`` times the median;
    * **social** (社交联系): everyone else, with unresolved complaints or a latest satisfaction
      at or below ``low_satisfaction`` named as reasons.

    Parameters
    ----------
    warnings_table : DataFrame
        Output of :func:`early_warning` (indexed by customer).
    features : DataFrame, optional
        Output of :func:`churn_features` at the same date, for price, failures, complaints,
        satisfaction and tier.

    Returns
    -------
    DataFrame of the flagged customers: ``bond``, ``reasons`` (a silence beyond the customer's
    usual gap is named too), ``action`` and the warning's ``signal``, ``change``,
    ``decline_weeks``, ``days_since_last`` and revenue columns.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"flagged": [True, True, False], "change": [-0.6, -0.5, 0.1],
    ...                   "decline_weeks": [5, 3, 0], "baseline_revenue_per_week": [9000.0, 50.0, 80.0]},
    ...                  index=pd.Index(["C1", "C2", "C3"], name="customer_id"))
    >>> retention_plan(w)["bond"].to_dict()
    {'C1': 'structural', 'C2': 'social'}
    """
    require(warnings_table, columns=["flagged"], name="warnings")
    w = warnings_table
    flagged = w[w["flagged"].astype(bool)].copy()
    f = features.reindex(flagged.index) if features is not None else pd.DataFrame(index=flagged.index)
    reasons = {c: [] for c in flagged.index}
    bond = pd.Series("social", index=flagged.index, dtype="object")

    financial = pd.Series(False, index=flagged.index)
    if "relative_price" in f:
        high = f["relative_price"] >= price_premium
        financial |= high.fillna(False)
        for c in flagged.index[high.fillna(False).to_numpy()]:
            reasons[c].append(f"pays {f.loc[c, 'relative_price']:+.0%} against the typical price")
    if "failure_rate" in f and features is not None and "failure_rate" in features:
        median = float(features["failure_rate"].median())
        bad = f["failure_rate"] >= failure_multiple * max(median, 1e-9)
        financial |= bad.fillna(False)
        for c in flagged.index[bad.fillna(False).to_numpy()]:
            reasons[c].append(f"service failures {f.loc[c, 'failure_rate']:.0%} of shipments (median {median:.0%})")
    bond[financial] = "financial"

    structural = pd.Series(False, index=flagged.index)
    if "baseline_revenue_per_week" in w:
        cut = float(w["baseline_revenue_per_week"].quantile(large_quantile))
        big = flagged["baseline_revenue_per_week"] >= cut
        structural |= big.fillna(False)
        for c in flagged.index[big.fillna(False).to_numpy()]:
            reasons[c].append(f"large account ({flagged.loc[c, 'baseline_revenue_per_week']:,.0f} RMB a week before the fall)")
    if "tier" in f:
        key = f["tier"].astype("object").isin(["strategic", "economic"])
        structural |= key
        for c in flagged.index[key.to_numpy()]:
            reasons[c].append(f"key account ({f.loc[c, 'tier']})")
    bond[structural] = "structural"

    if "unresolved_complaints" in f:
        for c in flagged.index[(f["unresolved_complaints"] > 0).fillna(False).to_numpy()]:
            reasons[c].append(f"{int(f.loc[c, 'unresolved_complaints'])} unresolved complaint(s)")
    if "latest_satisfaction" in f:
        for c in flagged.index[(f["latest_satisfaction"] <= low_satisfaction).fillna(False).to_numpy()]:
            reasons[c].append(f"latest satisfaction {f.loc[c, 'latest_satisfaction']:g}")
    if {"signal", "days_since_last", "usual_gap_days"} <= set(flagged.columns):
        for c in flagged.index[flagged["signal"].isin(["overdue", "both"]).to_numpy()]:
            reasons[c].append(f"silent {int(flagged.loc[c, 'days_since_last'])} days, usually ships every "
                              f"{flagged.loc[c, 'usual_gap_days']:.0f}")
    out = pd.DataFrame({"bond": bond,
                        "reasons": ["; ".join(reasons[c]) or "volume fall only" for c in flagged.index]},
                       index=flagged.index)
    out["action"] = out["bond"].map(RETENTION_ACTIONS["action"])
    keep = [c for c in ("signal", "change", "change_vs_market", "decline_weeks", "decline_start", "days_since_last",
                        "baseline_revenue_per_week", "revenue_at_risk_per_week") if c in flagged]
    return out.join(flagged[keep])
