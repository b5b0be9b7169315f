"""Complaint analysis (投诉分析) and service recovery (服务补救).

Which problems customers complain about (a Pareto chart), how fast complaints are
resolved, how service failures turn into complaints, and what fast, slow or missing
resolution does to a complaining customer's satisfaction and retention.

Examples
--------
>>> import pandas as pd
>>> complaints = pd.DataFrame({"category": ["delay", "delay", "damage", "delay", "billing"]})
>>> complaint_pareto(complaints).summary()[["count", "cumulative_share"]]
          count  cumulative_share
category
delay         3               0.6
damage        1               0.8
billing       1               1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crmkit.errors import DataError, as_dates, as_flags, as_list, require, require_columns, require_frame
from crmkit.kpi import wilson_interval

__all__ = [
    "complaint_pareto",
    "ParetoResult",
    "resolution_times",
    "ResolutionResult",
    "failure_complaint_rates",
    "service_recovery",
    "RecoveryResult",
    "RECOVERY_CLASSES",
]

RECOVERY_CLASSES = ("resolved fast", "resolved slow", "not resolved")


@dataclass
class ParetoResult:
    """Complaint categories by count, with shares and the cumulative share."""

    table: pd.DataFrame
    threshold: float

    def summary(self) -> pd.DataFrame:
        """One row per category, most frequent first: count, share, cumulative_share, vital_few."""
        return self.table.copy()

    def plot(self, ax=None):
        """Bars of counts with the cumulative share as a line on a second axis. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.table
        labels = [str(i) for i in t.index]
        ax.bar(labels, t["count"], color=np.where(t["vital_few"], "#c0392b", "#95a5a6"))
        ax.set_xlabel("complaint category")
        ax.set_ylabel("complaints (count)")
        ax.set_title(f"Pareto chart of complaints (n = {int(t['count'].sum()):,})")
        ax.tick_params(axis="x", rotation=30)
        right = ax.twinx()
        right.plot(labels, 100 * t["cumulative_share"], color="black", marker="o")
        right.axhline(100 * self.threshold, color="grey", ls="--", lw=1)
        right.set_ylim(0, 105)
        right.set_ylabel("cumulative share of complaints (%)")
        return ax


def complaint_pareto(complaints: pd.DataFrame, category: str = "category", *,
                     threshold: float = 0.8) -> ParetoResult:
    """Complaint categories ranked by count, with share and cumulative share (Pareto analysis).

    Categories up to and including the one whose cumulative share first reaches
    ``threshold`` are marked ``vital_few``: fixing them removes most complaints.

    Returns
    -------
    ParetoResult
        ``.summary()`` and ``.plot(ax=None)``.
    """
    require(complaints, columns=[category], no_nan=[category], name="complaints")
    if not 0 < threshold <= 1:
        raise DataError(f"threshold must be in (0, 1], got {threshold}.")
    counts = complaints[category].astype(str).value_counts()
    counts = counts[counts > 0]
    table = pd.DataFrame({"count": counts.astype(int)})
    table.index.name = category
    table["share"] = table["count"] / table["count"].sum()
    table["cumulative_share"] = table["share"].cumsum()
    before = table["cumulative_share"].shift(fill_value=0.0)
    table["vital_few"] = before < threshold - 1e-12
    return ParetoResult(table=table, threshold=threshold)


def _check_resolution(complaints, hours, resolved, extra=()):
    name = "complaints"
    require(complaints, columns=[hours, resolved, *extra], numeric=[hours], non_negative=[hours],
            no_nan=[resolved, *extra], name=name)
    done = as_flags(complaints[resolved], column=resolved, name=name).astype(bool)
    h = complaints[hours].astype(float)
    gap = done & h.isna()
    if gap.any():
        raise DataError(
            f"{name}: column {hours!r} is missing for {int(gap.sum())} complaints marked resolved "
            f"(e.g. row {complaints.index[np.flatnonzero(gap.to_numpy())[0]]}). "
            f"Fix: record the resolution time, or mark them unresolved."
        )
    return done, h


@dataclass
class ResolutionResult:
    """Resolution-time distribution per group."""

    table: pd.DataFrame
    hours: pd.DataFrame
    by: list

    def summary(self) -> pd.DataFrame:
        """One row per group: n, resolved share (Wilson CI), median/p75/p90/mean hours, share within target."""
        return self.table.copy()

    def plot(self, ax=None, *, max_hours: float | None = None):
        """Empirical CDF of resolution time per group. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        groups = self.hours.groupby(self.by, observed=True) if self.by else [("all complaints", self.hours)]
        for key, g in groups:
            h = np.sort(g["hours"].dropna().to_numpy())
            n = len(g)  # unresolved complaints keep the curve below 100%
            if len(h):
                ax.step(h, 100 * np.arange(1, len(h) + 1) / n, where="post",
                        label=f"{key if not isinstance(key, tuple) else ', '.join(map(str, key))} (n={n})")
        if max_hours is not None:
            ax.set_xlim(0, max_hours)
        ax.set_xlabel("time to resolution (hours)")
        ax.set_ylabel("complaints resolved within x hours (%)")
        ax.set_title("Complaint resolution time" + (f" by {', '.join(self.by)}" if self.by else ""))
        ax.set_ylim(0, 100)
        ax.legend(fontsize=8, loc="lower right")
        return ax


def resolution_times(complaints: pd.DataFrame, by=None, *, hours: str = "resolution_hours",
                     resolved: str = "resolved", target_hours: float = 24.0,
                     level: float = 0.95) -> ResolutionResult:
    """Distribution of complaint resolution time, overall or per group.

    Parameters
    ----------
    by : str or list, optional
        e.g. ``"category"`` or ``"channel"``.
    target_hours : float
        Service-level target; ``within_target`` is the share of *all* complaints
        resolved within it (unresolved ones count as missing the target).

    Returns
    -------
    ResolutionResult
        ``.summary()`` with n, resolved, resolved_share, low, high, median_hours,
        p75_hours, p90_hours, mean_hours, within_target; ``.plot()`` draws the ECDFs.

    Examples
    --------
    >>> c = pd.DataFrame({"resolved": [True, True, True, False],
    ...                   "resolution_hours": [2.0, 10.0, 30.0, None]})
    >>> resolution_times(c).summary()[["n", "resolved_share", "median_hours", "within_target"]]
       n  resolved_share  median_hours  within_target
    0  4            0.75          10.0            0.5
    """
    by = as_list(by)
    done, h = _check_resolution(complaints, hours, resolved, by)
    work = pd.DataFrame({"resolved": done.to_numpy(), "hours": h.where(done).to_numpy()})
    for b in by:
        work[b] = complaints[b].to_numpy()
    rows = []
    groups = work.groupby(by, observed=True) if by else [((), work)]
    for key, g in groups:
        r = g["hours"].dropna()
        n, k = len(g), int(g["resolved"].sum())
        low, high = wilson_interval(k, n, level)
        q = r.quantile([0.5, 0.75, 0.9]) if len(r) else pd.Series([np.nan] * 3, index=[0.5, 0.75, 0.9])
        rows.append((*(key if isinstance(key, tuple) else (key,)), n, k, k / n, low, high, q[0.5], q[0.75],
                     q[0.9], r.mean() if len(r) else np.nan, float((r <= target_hours).sum() / n)))
    table = pd.DataFrame(rows, columns=[*by, "n", "resolved", "resolved_share", "low", "high", "median_hours",
                                        "p75_hours", "p90_hours", "mean_hours", "within_target"])
    if by:
        table = table.set_index(by)
    return ResolutionResult(table=table, hours=work, by=by)


def failure_complaint_rates(shipments: pd.DataFrame, complaints: pd.DataFrame, *,
                            shipment_id: str = "shipment_id", on_time: str = "on_time",
                            damaged: str = "damaged", lost: str = "lost",
                            level: float = 0.95) -> pd.DataFrame:
    """How service failures flow into complaints: complaint rate of shipments by failure type.

    Each shipment is classed by its worst failure (lost > damaged > late > none) and the
    share of shipments with at least one complaint is computed per class.

    Returns
    -------
    DataFrame
        One row per failure class (``lost``, ``damaged``, ``late``, ``no failure``):
        ``shipments``, ``complained`` (shipments with a complaint), ``rate``, ``low``,
        ``high`` (Wilson), ``share_of_complaints`` (of complaints linked to a shipment)
        and ``lift`` (rate over the no-failure rate).

    Examples
    --------
    >>> s = pd.DataFrame({"shipment_id": ["A", "B", "C", "D"], "on_time": [True, False, True, True],
    ...                   "damaged": [False, False, True, False], "lost": [False] * 4})
    >>> c = pd.DataFrame({"shipment_id": ["B", "C"]})
    >>> failure_complaint_rates(s, c)[["shipments", "complained", "rate"]]
                shipments  complained  rate
    failure
    damaged             1           1   1.0
    late                1           1   1.0
    no failure          2           0   0.0
    """
    require(shipments, columns=[shipment_id, on_time, damaged, lost], no_nan=[shipment_id, on_time, damaged, lost],
            name="shipments")
    require(complaints, columns=[shipment_id], name="complaints", min_rows=0)
    flags = {c: as_flags(shipments[c], column=c, name="shipments").astype(bool) for c in (on_time, damaged, lost)}
    failure = np.select([flags[lost], flags[damaged], ~flags[on_time]], ["lost", "damaged", "late"], "no failure")
    complained_ids = set(complaints[shipment_id].dropna())
    complained = shipments[shipment_id].isin(complained_ids).to_numpy()
    linked = complaints[shipment_id].dropna()
    per_shipment = linked.value_counts()
    counts = shipments[shipment_id].map(per_shipment).fillna(0).to_numpy()
    work = pd.DataFrame({"failure": failure, "complained": complained, "complaints": counts})
    table = work.groupby("failure").agg(shipments=("complained", "size"), complained=("complained", "sum"),
                                        complaints=("complaints", "sum"))
    order = [c for c in ("lost", "damaged", "late", "no failure") if c in table.index]
    table = table.loc[order]
    table["complained"] = table["complained"].astype(int)
    table["rate"] = table["complained"] / table["shipments"]
    low, high = wilson_interval(table["complained"].to_numpy(), table["shipments"].to_numpy(), level)
    table["low"], table["high"] = low, high
    total = table["complaints"].sum()
    table["share_of_complaints"] = table["complaints"] / total if total else np.nan
    base = table["rate"].get("no failure", np.nan)
    table["lift"] = table["rate"] / base if base and base > 0 else np.nan
    table = table.drop(columns="complaints")
    table.index.name = "failure"
    return table


@dataclass
class RecoveryResult:
    """Satisfaction and retention after a complaint, by how it was handled."""

    table: pd.DataFrame
    complaints: pd.DataFrame
    fast_hours: float
    window_days: int

    def summary(self) -> pd.DataFrame:
        """One row per recovery class: complaints, satisfaction (mean, CI), retention (share, Wilson CI)."""
        return self.table.copy()

    def plot(self, axes=None):
        """Two panels: mean satisfaction and retention rate per class, with 95% intervals. Returns the Axes array."""
        import matplotlib.pyplot as plt

        if self.table.index.nlevels > 1:
            raise DataError("plot() draws results without by=; for a grouped result read .summary(). "
                            "Fix: call service_recovery(...) without by= to plot.")
        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(10, 3.8))
        t = self.table
        labels = [str(i) for i in t.index]
        colours = ["#27ae60", "#e67e22", "#c0392b", "#7f8c8d"][: len(t)]
        ok = t["satisfaction_n"] > 0
        axes[0].bar(np.array(labels)[ok], t.loc[ok, "satisfaction"], color=np.array(colours)[ok],
                    yerr=[t.loc[ok, "satisfaction"] - t.loc[ok, "satisfaction_low"],
                          t.loc[ok, "satisfaction_high"] - t.loc[ok, "satisfaction"]], capsize=4)
        axes[0].set_title("Satisfaction after the complaint")
        axes[0].set_ylabel(f"mean {self.satisfaction_label}")
        axes[0].set_xlabel("how the complaint was handled")
        okr = t["retention_n"] > 0
        axes[1].bar(np.array(labels)[okr], 100 * t.loc[okr, "retained"], color=np.array(colours)[okr],
                    yerr=[100 * (t.loc[okr, "retained"] - t.loc[okr, "retained_low"]),
                          100 * (t.loc[okr, "retained_high"] - t.loc[okr, "retained"])], capsize=4)
        axes[1].set_title(f"Still shipping {self.window_days} days later")
        axes[1].set_ylabel("customers retained (%)")
        axes[1].set_xlabel("how the complaint was handled")
        for ax in axes:
            ax.tick_params(axis="x", rotation=15)
        return axes

    satisfaction_label: str = "overall satisfaction (1-7)"


def service_recovery(complaints: pd.DataFrame, surveys: pd.DataFrame | None = None,
                     shipments: pd.DataFrame | None = None, *, fast_hours: float = 24.0,
                     window_days: int = 90, survey_window_days: int = 180, which: str = "first",
                     baseline: bool = True, customer: str = "customer_id", date: str = "date",
                     hours: str = "resolution_hours", resolved: str = "resolved",
                     survey_date: str = "date", satisfaction: str = "overall_satisfaction",
                     ship_date: str = "ship_date", satisfaction_scale=(1, 7), by=None,
                     level: float = 0.95) -> RecoveryResult:
    """Satisfaction and retention of complaining customers, by how fast the complaint was resolved.

    Each complaint is classed as ``resolved fast`` (within ``fast_hours``), ``resolved slow``
    or ``not resolved``. Outcomes:

    * satisfaction: the customer's first survey answer (``satisfaction``) within
      ``survey_window_days`` after the complaint;
    * retention: whether the customer ships again within ``window_days`` after the
      complaint. Complaints less than ``window_days`` before the last shipment date in the
      data are left out of retention (their outcome is not yet known).

    With ``which="first"`` (default) each customer counts once, by their first complaint, so
    the rows are independent; ``"all"`` uses every complaint. With ``baseline`` a
    ``no complaint`` row gives the mean satisfaction of customers who never complained.
    The comparison is observational: customers whose complaints are hard to resolve may
    differ in other ways. ``by`` (complaint columns, e.g. ``"category"``) compares the
    recovery classes within groups, so that like is compared with like.

    Returns
    -------
    RecoveryResult
        ``.summary()`` with complaints, satisfaction_n, satisfaction (mean),
        satisfaction_low/high (t interval), retention_n, retained (share),
        retained_low/high (Wilson); ``.complaints`` per complaint; ``.plot()``.

    Examples
    --------
    >>> c = pd.DataFrame({"customer_id": ["A", "B", "C"], "date": pd.to_datetime(["2024-01-01"] * 3),
    ...                   "resolved": [True, True, False], "resolution_hours": [5.0, 80.0, None]})
    >>> s = pd.DataFrame({"customer_id": ["A", "B", "C"], "date": pd.to_datetime(["2024-02-01"] * 3),
    ...                   "overall_satisfaction": [6, 4, 2]})
    >>> service_recovery(c, s, baseline=False).summary()["satisfaction"].tolist()
    [6.0, 4.0, 2.0]
    """
    name = "complaints"
    if which not in ("first", "all"):
        raise DataError(f"which must be 'first' or 'all', got {which!r}.")
    if surveys is None and shipments is None:
        raise DataError("service_recovery needs surveys= (satisfaction) and/or shipments= (retention).")
    if not (np.isfinite(fast_hours) and fast_hours > 0):
        raise DataError(f"fast_hours must be a positive number of hours, got {fast_hours}.")
    by = as_list(by)
    require(complaints, columns=[customer, date, *by], dates=[date], no_nan=[customer, date, *by], name=name)
    done, h = _check_resolution(complaints, hours, resolved)
    c = pd.DataFrame({"customer": complaints[customer].astype(str).to_numpy(),
                      "date": as_dates(complaints[date], column=date, name=name).to_numpy(),
                      "hours": h.to_numpy()}, index=complaints.index)
    for b in by:
        c[b] = complaints[b].to_numpy()
    c["recovery"] = np.select([done.to_numpy() & (h.to_numpy() <= fast_hours), done.to_numpy()],
                              ["resolved fast", "resolved slow"], "not resolved")
    if which == "first":
        c = c.sort_values(["customer", "date"], kind="stable").drop_duplicates("customer")
    for value, label in ((window_days, "window_days"), (survey_window_days, "survey_window_days")):
        if not (isinstance(value, (int, np.integer)) and value > 0):
            raise DataError(f"{label} must be a positive whole number of days, got {value!r}.")

    if surveys is not None:
        require(surveys, columns=[customer, survey_date, satisfaction], dates=[survey_date],
                numeric=[satisfaction], no_nan=[customer, survey_date, satisfaction], name="surveys")
        sv = pd.DataFrame({"customer": surveys[customer].astype(str).to_numpy(),
                           "sdate": as_dates(surveys[survey_date], column=survey_date, name="surveys").to_numpy(),
                           "score": surveys[satisfaction].astype(float).to_numpy()})
        lookup = _DayIndex(sv["customer"], sv["sdate"], c["customer"])
        pos = lookup.first_after(c["date"], survey_window_days)
        c["satisfaction_after"] = np.where(pos >= 0, sv["score"].to_numpy()[lookup.order][np.maximum(pos, 0)], np.nan)
    else:
        c["satisfaction_after"] = np.nan

    if shipments is not None:
        require(shipments, columns=[customer, ship_date], dates=[ship_date], no_nan=[customer, ship_date],
                name="shipments")
        sh = pd.DataFrame({"customer": shipments[customer].astype(str).to_numpy(),
                           "sdate": as_dates(shipments[ship_date], column=ship_date, name="shipments").to_numpy()})
        end = sh["sdate"].max()
        known = (c["date"] + pd.Timedelta(days=window_days)) <= end
        lookup = _DayIndex(sh["customer"], sh["sdate"], c["customer"])
        again = lookup.first_after(c["date"], window_days) >= 0
        c["retained"] = pd.array(np.where(known, again, False), dtype="boolean")
        c.loc[~known.to_numpy(), "retained"] = pd.NA
    else:
        c["retained"] = pd.array([pd.NA] * len(c), dtype="boolean")

    rows = []
    groups = c.groupby(by, observed=True, sort=True) if by else [((), c)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        for cls in RECOVERY_CLASSES:
            g = part[part["recovery"] == cls]
            rows.append((*key, cls, len(g), *_mean_ci(g["satisfaction_after"].dropna(), level),
                         *_share_ci(g["retained"].dropna(), level)))
    if baseline and surveys is not None:
        complainers = set(complaints[customer].astype(str))
        base = sv.loc[~sv["customer"].isin(complainers), "score"]
        rows.append((*(["all"] * len(by)), "no complaint", 0, *_mean_ci(base, level), 0, np.nan, np.nan, np.nan))
    table = pd.DataFrame(rows, columns=[*by, "recovery", "complaints", "satisfaction_n", "satisfaction",
                                        "satisfaction_low", "satisfaction_high", "retention_n", "retained",
                                        "retained_low", "retained_high"]).set_index([*by, "recovery"])
    label = satisfaction.replace("_", " ")
    if satisfaction_scale is not None:
        label += f" ({satisfaction_scale[0]}-{satisfaction_scale[1]} scale)"
    return RecoveryResult(table=table, complaints=c, fast_hours=fast_hours, window_days=window_days,
                          satisfaction_label=label)


class _DayIndex:
    """Events (customer, day) sorted by a combined key, to find each query's first event in a window fast."""

    def __init__(self, customers: pd.Series, dates: pd.Series, query_customers: pd.Series):
        codes, _ = pd.factorize(pd.concat([customers, query_customers], ignore_index=True))
        self.query_code = codes[len(customers):].astype(np.int64)
        days = dates.to_numpy("datetime64[D]").astype(np.int64)
        self.base = int(days.min()) - 100_000
        self.span = 400_000
        key = codes[: len(customers)].astype(np.int64) * self.span + (days - self.base)
        self.order = np.argsort(key, kind="stable")
        self.key = key[self.order]

    def first_after(self, dates: pd.Series, window_days: int) -> np.ndarray:
        """Position (in sorted order) of the first event 1..window_days days after each date, or -1."""
        days = dates.to_numpy("datetime64[D]").astype(np.int64)
        start = self.query_code * self.span + (np.clip(days - self.base, 0, self.span - 1))
        pos = np.searchsorted(self.key, start, side="right")          # first event strictly after the day
        inside = pos < len(self.key)
        hit = np.zeros(len(days), dtype=bool)
        hit[inside] = self.key[pos[inside]] <= start[inside] + window_days
        return np.where(hit, pos, -1)


def _mean_ci(values: pd.Series, level: float):
    n = len(values)
    if n == 0:
        return 0, np.nan, np.nan, np.nan
    mean = float(values.mean())
    if n < 2:
        return n, mean, np.nan, np.nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return n, mean, mean - half, mean + half


def _share_ci(values: pd.Series, level: float):
    n = len(values)
    if n == 0:
        return 0, np.nan, np.nan, np.nan
    k = int(values.astype(bool).sum())
    low, high = wilson_interval(k, n, level)
    return n, k / n, low, high
