"""Customer churn (客户流失): labels, features as of a cut-off, an interpretable logit, evaluation and early warning.

Churn in express and 3PL work is rarely announced: a customer simply stops shipping. So a
label is a *rule* (no shipment for ``inactivity_days``), a prediction uses only what was
known at a cut-off date, and the early warning (流失预警) watches each customer's own volume
against their own baseline, as the course material asks (001, section 3.1 (3): watch the
transaction behaviour and volume for a clear change, then contact the customer first).

Survival curves and the Cox model are in :mod:`crmkit.survival`.

Examples
--------
>>> import pandas as pd
>>> shipments = pd.DataFrame({
...     "customer_id": ["C1", "C1", "C2", "C2", "C2"],
...     "ship_date": pd.to_datetime(["2024-01-02", "2024-02-01", "2024-01-05",
...                                  "2024-05-20", "2024-06-28"])})
>>> label_churn(shipments, as_of="2024-07-01")[["last_date", "days_inactive", "churned"]]
             last_date  days_inactive  churned
customer_id
C1          2024-02-01            151     True
C2          2024-06-28              3    False
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from crmkit.errors import (DataError, as_dates, as_list, require, require_columns, require_frame,
                           require_no_nan)

__all__ = [
    "label_churn",
    "label_rule_tradeoff",
    "churn_target",
    "churn_features",
    "churn_panel",
    "fit_churn_model",
    "ChurnModel",
    "evaluate",
    "Evaluation",
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


# --------------------------------------------------------------------------- helpers

def _dates(df: pd.DataFrame, column: str, name: str) -> pd.Series:
    return as_dates(df[column], column=column, name=name)


def _timestamp(value, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise DataError(f"{what}={value!r} is not a date. Fix: pass a date such as '2024-06-30'.") from None
    if ts is pd.NaT:
        raise DataError(f"{what} is missing. Fix: pass a date such as '2024-06-30'.")
    return ts


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


def _binary(values: pd.Series, column: str, name: str) -> pd.Series:
    """Return a 0/1 float copy of a boolean or 0/1 column, rejecting anything else."""
    require_no_nan(values.to_frame(column), [column], name=name)
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    numeric = pd.to_numeric(values, errors="coerce")
    bad = ~numeric.isin([0, 1])
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{name}: column {column!r} should hold 0/1 or True/False but has {int(bad.sum())} other "
            f"value(s) of {len(values)} rows, e.g. {values.iloc[position]!r} (row {values.index[position]}). "
            f"Fix: recode it as 1 = churned, 0 = stayed."
        )
    return numeric.astype(float)


# --------------------------------------------------------------------------- labels

def label_churn(shipments: pd.DataFrame, *, customer: str = "customer_id", date: str = "ship_date",
                inactivity_days: int = 90, as_of=None) -> pd.DataFrame:
    """Who has churned by a stated rule: no shipment in the ``inactivity_days`` before ``as_of``.

    Only shipments before ``as_of`` are read. The rule trades speed against false alarms:
    a short window calls seasonal or irregular shippers "churned"; a long one names real
    leavers months late. The churn date of a churned customer is taken as the day after
    their last shipment.

    Parameters
    ----------
    shipments : DataFrame
        One row per shipment with ``customer`` and ``date`` columns.
    inactivity_days : int
        Days without a shipment after which a customer counts as churned.
    as_of : date, optional
        The day the label is taken; defaults to the day after the last shipment.

    Returns
    -------
    DataFrame indexed by customer: ``first_date``, ``last_date``, ``n_shipments``,
    ``days_inactive``, ``churned`` (bool), ``churn_date`` (NaT if not churned) and
    ``duration_days`` (first shipment to churn date, or to ``as_of`` if still active:
    the input for survival analysis with event ``churned``).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...                   "ship_date": pd.to_datetime(["2024-01-01", "2024-01-31", "2024-03-30"])})
    >>> label_churn(s, as_of="2024-04-01", inactivity_days=30)["churned"].to_dict()
    {'A': True, 'B': False}
    """
    require(shipments, columns=[customer, date], no_nan=[customer, date], dates=[date], name="shipments")
    if not (isinstance(inactivity_days, (int, np.integer)) and inactivity_days > 0):
        raise DataError(f"inactivity_days must be a positive whole number of days, got {inactivity_days!r}. "
                        f"Fix: pass e.g. inactivity_days=90.")
    dates = _dates(shipments, date, "shipments")
    first_all, last_all = dates.min(), dates.max()
    as_of = last_all.normalize() + _DAY if as_of is None else _timestamp(as_of, "as_of")
    _check_cutoff(as_of, first_all, last_all, "as_of", "shipments")

    keep = dates < as_of
    work = pd.DataFrame({"customer": shipments.loc[keep, customer].to_numpy(),
                         "date": dates[keep].to_numpy()})
    g = work.groupby("customer", sort=True, observed=True)["date"]
    out = pd.DataFrame({"first_date": g.min(), "last_date": g.max(), "n_shipments": g.size()})
    out["days_inactive"] = (as_of - out["last_date"]).dt.days.astype(int)
    out["churned"] = out["days_inactive"] >= inactivity_days
    out["churn_date"] = out["last_date"].where(out["churned"]) + _DAY
    end = out["churn_date"].where(out["churned"], as_of)
    out["duration_days"] = (end - out["first_date"]).dt.days.astype(int)
    out.index.name = customer
    out.attrs["rule"] = f"no shipment in the {inactivity_days} days before {as_of.date()}"
    return out


def label_rule_tradeoff(shipments: pd.DataFrame, as_of, *, windows=(30, 60, 90, 120, 180),
                        follow_days: int = 180, customer: str = "customer_id",
                        date: str = "ship_date") -> pd.DataFrame:
    """How each inactivity window would have labelled customers at ``as_of``, and how many came back.

    A label is wrong when a customer it calls churned ships again. Applying each rule at
    ``as_of`` and looking ``follow_days`` ahead shows the trade-off without knowing the truth:
    short windows call churn early but many of those customers return; long windows are
    rarely wrong but name a leaver only ``window`` days after their last shipment.

    Returns
    -------
    DataFrame indexed by ``inactivity_days``: ``customers`` (with a shipment before
    ``as_of``), ``labelled_churned``, ``labelled_share``, ``came_back`` (shipped again within
    ``follow_days``), ``false_churn_share`` (came back / labelled) and ``days_to_call``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": ["A", "A", "B", "B"],
    ...                   "ship_date": pd.to_datetime(["2024-01-01", "2024-03-20",
    ...                                                "2024-01-05", "2024-08-01"])})
    >>> label_rule_tradeoff(s, "2024-04-01", windows=(30, 60), follow_days=150)["came_back"].to_dict()
    {30: 1, 60: 1}
    """
    require(shipments, columns=[customer, date], no_nan=[customer, date], dates=[date], name="shipments")
    as_of = _timestamp(as_of, "as_of")
    shipments = shipments.reset_index(drop=True)
    dates = _dates(shipments, date, "shipments")
    _check_cutoff(as_of, dates.min(), dates.max(), "as_of", "shipments")
    later = (dates >= as_of) & (dates < as_of + pd.Timedelta(days=int(follow_days)))
    returned = set(shipments.loc[later, customer])
    rows = []
    for w in as_list(windows):
        lab = label_churn(shipments, customer=customer, date=date, inactivity_days=int(w), as_of=as_of)
        churned = lab.index[lab["churned"]]
        back = int(pd.Index(churned).isin(returned).sum())
        rows.append({"inactivity_days": int(w), "customers": len(lab), "labelled_churned": len(churned),
                     "labelled_share": len(churned) / len(lab), "came_back": back,
                     "false_churn_share": back / len(churned) if len(churned) else np.nan,
                     "days_to_call": int(w)})
    return pd.DataFrame(rows).set_index("inactivity_days")


def churn_target(shipments: pd.DataFrame, cutoff, *, horizon_days: int = 180,
                 inactivity_days: int = 90, customer: str = "customer_id",
                 date: str = "ship_date") -> pd.DataFrame:
    """The prediction target: among customers active at ``cutoff``, who churns within the horizon.

    A customer is *active* at the cut-off if the churn rule does not already call them
    churned then. They *churn within the horizon* if the same rule, applied at
    ``cutoff + horizon_days``, calls them churned: their last shipment before that date is
    at least ``inactivity_days`` old. This needs data up to ``cutoff + horizon_days``.

    Returns
    -------
    DataFrame indexed by customer with ``churn`` (0/1) and ``churn_date``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": ["A", "A", "B", "B", "B"],
    ...                   "ship_date": pd.to_datetime(["2024-01-01", "2024-02-20", "2024-01-10",
    ...                                                "2024-05-01", "2024-06-01"])})
    >>> churn_target(s, "2024-03-01", horizon_days=90, inactivity_days=60)["churn"].to_dict()
    {'A': 1, 'B': 0}
    """
    require(shipments, columns=[customer, date], no_nan=[customer, date], dates=[date], name="shipments")
    cutoff = _timestamp(cutoff, "cutoff")
    dates = _dates(shipments, date, "shipments")
    _check_cutoff(cutoff, dates.min(), dates.max(), "cutoff", "shipments")
    end = cutoff + pd.Timedelta(days=int(horizon_days))
    data_end = dates.max().normalize() + 7 * _DAY
    if end > data_end:
        raise DataError(
            f"a {horizon_days}-day horizon after the cutoff {cutoff.date()} ends on {end.date()}, but the "
            f"shipments end on {dates.max().date()}. Fix: choose an earlier cutoff (no later than "
            f"{(data_end - pd.Timedelta(days=int(horizon_days))).date()}) or a shorter horizon."
        )
    at_cut = label_churn(shipments, customer=customer, date=date, inactivity_days=inactivity_days, as_of=cutoff)
    later = label_churn(shipments, customer=customer, date=date, inactivity_days=inactivity_days, as_of=end)
    active = at_cut.index[~at_cut["churned"]]
    out = pd.DataFrame(index=pd.Index(active, name=customer))
    out["churn"] = later.loc[active, "churned"].astype(int)
    out["churn_date"] = later.loc[active, "churn_date"]
    out.attrs["rule"] = (f"active at {cutoff.date()} and no shipment for {inactivity_days} days "
                         f"by {end.date()}")
    return out


# --------------------------------------------------------------------------- features

def _weekly_counts(customers: pd.Series, dates: pd.Series, start: pd.Timestamp, n_weeks: int,
                   values: pd.Series | None = None) -> pd.DataFrame:
    """Customer x week matrix of counts (or sums of ``values``) for weeks starting at ``start``."""
    week = ((dates - start) // pd.Timedelta(weeks=1)).astype("int64")
    keep = (dates >= start) & (week < n_weeks)
    frame = pd.DataFrame({"customer": customers[keep].to_numpy(), "week": week[keep].to_numpy(),
                          "value": 1.0 if values is None else values[keep].to_numpy(dtype=float)})
    table = frame.pivot_table(index="customer", columns="week", values="value", aggfunc="sum",
                              fill_value=0.0, observed=True)
    return table.reindex(columns=range(n_weeks), fill_value=0.0)


def churn_features(shipments: pd.DataFrame, cutoff, *, customers: pd.DataFrame | None = None,
                   complaints: pd.DataFrame | None = None, surveys: pd.DataFrame | None = None,
                   customer: str = "customer_id", date: str = "ship_date", amount: str = "revenue",
                   service: str = "service", weight: str = "weight_kg", window_days: int = 182, recent_weeks: int = 8, baseline_weeks: int = 26,
                   on_time: str = "on_time", damaged: str = "damaged", lost: str = "lost",
                   promised: str = "promised_date", delivered: str = "delivered_date",
                   complaint_date: str = "date", resolved: str = "resolved",
                   resolution_hours: str = "resolution_hours", survey_date: str = "date",
                   satisfaction: str = "overall_satisfaction", signup: str = "signup_date",
                   attributes=("industry", "contract")) -> pd.DataFrame:
    """Per-customer features as of ``cutoff``, built only from what was known before it.

    Every event is read only if it happened before ``cutoff``: shipments by ship date,
    service outcomes only once they were known (late once the promised date had passed,
    damage once delivered), complaints by date and counted as resolved only if resolved
    before the cut-off, and survey answers by date. Changing or deleting anything after
    the cut-off leaves the features unchanged.

    Parameters
    ----------
    shipments : DataFrame
        One row per shipment: ``customer``, ``date``, ``amount``; optional flags ``on_time``,
        ``damaged``, ``lost`` with ``promised`` and ``delivered`` dates.
    cutoff : date
        Features describe each customer on the morning of this day.
    customers, complaints, surveys : DataFrame, optional
        Customer master (``signup`` date and ``attributes``), complaints and survey answers.
    window_days : int
        Window before the cut-off for frequency, revenue, failures and complaints.
    recent_weeks, baseline_weeks : int
        The volume trend compares weekly shipments in the last ``recent_weeks`` with the
        ``baseline_weeks`` before them.

    Returns
    -------
    DataFrame, one row per customer with a shipment before the cut-off (and, if
    ``customers`` is given, signed up before it): ``recency_days``, ``frequency``,
    ``revenue``, ``log_revenue``, ``relative_price`` (with ``service`` and ``weight``: the
    customer's mean price against the company's typical price for the same service and
    weight, 0.10 = pays 10% more), ``volume_trend`` (log of recent over baseline weekly
    volume, +0.5 smoothing; -0.69 means volume halved; 0 if there is no baseline yet),
    ``volume_change`` (the same as a fraction, -0.5 = halved), ``tenure_days``; with
    service flags ``failure_rate``, ``late``, ``damaged``, ``lost``; with complaints
    ``complaints``, ``unresolved_complaints``, ``mean_resolution_hours``; with surveys
    ``latest_satisfaction`` (NaN if never surveyed) and ``days_since_survey``; and the
    customer ``attributes``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": ["A"] * 4 + ["B"] * 2,
    ...                   "ship_date": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-01-16",
    ...                                                "2024-03-01", "2024-02-20", "2024-02-27"]),
    ...                   "revenue": [10.0, 12.0, 8.0, 50.0, 20.0, 20.0]})
    >>> churn_features(s, "2024-03-01")[["recency_days", "frequency", "revenue"]]
                 recency_days  frequency  revenue
    customer_id
    A                      45          3     30.0
    B                       3          2     40.0
    """
    require(shipments, columns=[customer, date, amount], numeric=[amount], no_nan=[customer, date],
            dates=[date], name="shipments")
    cutoff = _timestamp(cutoff, "cutoff")
    shipments = shipments.reset_index(drop=True)      # positions, whatever the caller's index
    dates = _dates(shipments, date, "shipments")
    _check_cutoff(cutoff, dates.min(), dates.max(), "cutoff", "shipments")
    for label, value in (("window_days", window_days), ("recent_weeks", recent_weeks),
                         ("baseline_weeks", baseline_weeks)):
        if not (isinstance(value, (int, np.integer)) and value > 0):
            raise DataError(f"{label} must be a positive whole number, got {value!r}.")

    before = dates < cutoff
    ship = pd.DataFrame({"customer": shipments.loc[before, customer].to_numpy(),
                         "date": dates[before].to_numpy(),
                         "amount": pd.to_numeric(shipments.loc[before, amount]).to_numpy(dtype=float)},
                        index=shipments.index[before])
    g = ship.groupby("customer", sort=True, observed=True)
    out = pd.DataFrame(index=pd.Index(sorted(ship["customer"].unique()), name=customer))
    first = g["date"].min()
    out["recency_days"] = (cutoff - g["date"].max()).dt.days.astype(int)

    window_start = cutoff - pd.Timedelta(days=int(window_days))
    in_window = ship["date"] >= window_start
    gw = ship[in_window].groupby("customer", observed=True)
    out["frequency"] = gw.size().reindex(out.index, fill_value=0).astype(int)
    out["revenue"] = gw["amount"].sum().reindex(out.index, fill_value=0.0)
    out["log_revenue"] = np.log1p(out["revenue"].clip(lower=0))

    # relative price: what the customer pays against the company's typical price for the
    # same service and weight (log revenue on log weight within each service, before the cut-off)
    if service in shipments.columns and weight in shipments.columns:
        sub = shipments.loc[before].loc[in_window.to_numpy()]
        rev = pd.to_numeric(sub[amount], errors="coerce").to_numpy(dtype=float)
        kg = pd.to_numeric(sub[weight], errors="coerce").to_numpy(dtype=float)
        ok = (rev > 0) & (kg > 0)
        resid = np.full(len(sub), np.nan)
        svc = sub[service].astype("object").to_numpy()
        for level in pd.unique(svc[ok]):
            rows = ok & (svc == level)
            if rows.sum() >= 10:
                lx, ly = np.log(kg[rows]), np.log(rev[rows])
                if np.ptp(lx) > 0:
                    b, a = np.polyfit(lx, ly, 1)
                    resid[rows] = ly - (a + b * lx)
                else:
                    resid[rows] = ly - ly.mean()
        rp = pd.Series(resid, index=sub.index).groupby(sub[customer].to_numpy()).mean()
        out["relative_price"] = np.expm1(rp.reindex(out.index)).fillna(0.0)

    # volume trend: recent weekly rate against the customer's own baseline rate
    total_weeks = recent_weeks + baseline_weeks
    start = cutoff - pd.Timedelta(weeks=total_weeks)
    counts = _weekly_counts(ship["customer"], ship["date"], start, total_weeks).reindex(out.index, fill_value=0.0)
    recent = counts.iloc[:, baseline_weeks:].sum(axis=1)
    base = counts.iloc[:, :baseline_weeks].sum(axis=1)
    # weeks of the baseline window in which the customer already existed
    first_week = ((first.reindex(out.index) - start) / pd.Timedelta(weeks=1)).clip(lower=0)
    base_weeks = (baseline_weeks - first_week).clip(lower=0, upper=baseline_weeks)
    trend = np.log((recent + 0.5) / recent_weeks) - np.log((base + 0.5) / base_weeks.where(base_weeks > 0))
    out["volume_trend"] = trend.where(base_weeks >= _MIN_BASE_WEEKS, 0.0).fillna(0.0)
    out["volume_change"] = np.expm1(out["volume_trend"])

    if signup in (customers.columns if customers is not None else []):
        require(customers, columns=[customer, signup], dates=[signup], name="customers")
        master = customers.drop_duplicates(customer).set_index(customer)
        signed = as_dates(master[signup], column=signup, name="customers")
        out = out[~(signed.reindex(out.index) >= cutoff).fillna(False).astype(bool)]
        start_date = signed.reindex(out.index).fillna(first.reindex(out.index))
        start_date = start_date.where(start_date <= first.reindex(out.index), first.reindex(out.index))
    else:
        start_date = first.reindex(out.index)
    out["tenure_days"] = (cutoff - start_date).dt.days.astype(int)

    # service outcomes, each counted only once it was known at the cut-off
    flags = [c for c in (on_time, damaged, lost) if c in shipments.columns]
    if flags:
        sub = shipments.loc[before & in_window.reindex(shipments.index, fill_value=False)]
        known_due = (as_dates(sub[promised], column=promised, name="shipments") < cutoff
                     if promised in sub.columns else pd.Series(True, index=sub.index))
        known_delivered = (as_dates(sub[delivered], column=delivered, name="shipments") < cutoff
                           if delivered in sub.columns else pd.Series(True, index=sub.index))
        fail = pd.DataFrame({"customer": sub[customer].to_numpy()}, index=sub.index)
        fail["known"] = known_due.to_numpy(dtype=bool)
        fail["late"] = (fail["known"] & ~sub[on_time].fillna(True).astype(bool)) if on_time in sub else False
        fail["damaged"] = ((known_delivered.to_numpy(dtype=bool) & sub[damaged].fillna(False).astype(bool))
                           if damaged in sub else False)
        fail["lost"] = (fail["known"] & sub[lost].fillna(False).astype(bool)) if lost in sub else False
        fail["any"] = fail["late"] | fail["damaged"] | fail["lost"]
        gf = fail.groupby("customer", observed=True)
        known_n = gf["known"].sum().reindex(out.index, fill_value=0)
        for col in ("late", "damaged", "lost"):
            out[col] = gf[col].sum().reindex(out.index, fill_value=0).astype(int)
        out["failure_rate"] = (gf["any"].sum().reindex(out.index, fill_value=0) / known_n.where(known_n > 0)).fillna(0.0)

    if complaints is not None:
        require(complaints, columns=[customer, complaint_date], dates=[complaint_date], name="complaints")
        complaints = complaints.reset_index(drop=True)
        cdate = as_dates(complaints[complaint_date], column=complaint_date, name="complaints")
        c = complaints.loc[(cdate < cutoff) & (cdate >= window_start)]
        cd = cdate[c.index]
        if resolved in c.columns and resolution_hours in c.columns:
            hours = pd.to_numeric(c[resolution_hours], errors="coerce")
            done_at = cd + pd.to_timedelta(hours, unit="h")
            is_resolved = c[resolved].fillna(False).astype(bool) & (done_at < cutoff)
            hours_known = hours.where(is_resolved)
        else:
            is_resolved = pd.Series(False, index=c.index)
            hours_known = pd.Series(np.nan, index=c.index)
        cf = pd.DataFrame({"customer": c[customer].to_numpy(), "unresolved": (~is_resolved).to_numpy(),
                           "hours": hours_known.to_numpy(dtype=float)})
        gc = cf.groupby("customer", observed=True)
        out["complaints"] = gc.size().reindex(out.index, fill_value=0).astype(int)
        out["unresolved_complaints"] = gc["unresolved"].sum().reindex(out.index, fill_value=0).astype(int)
        out["mean_resolution_hours"] = gc["hours"].mean().reindex(out.index)

    if surveys is not None:
        require(surveys, columns=[customer, survey_date, satisfaction], numeric=[satisfaction],
                dates=[survey_date], name="surveys")
        surveys = surveys.reset_index(drop=True)
        sdate = as_dates(surveys[survey_date], column=survey_date, name="surveys")
        sv = pd.DataFrame({"customer": surveys[customer].to_numpy(), "date": sdate.to_numpy(),
                           "score": pd.to_numeric(surveys[satisfaction]).to_numpy(dtype=float)})
        sv = sv[(sv["date"] < cutoff) & sv["score"].notna()].sort_values(["customer", "date"], kind="stable")
        latest = sv.groupby("customer", observed=True).last()
        out["latest_satisfaction"] = latest["score"].reindex(out.index)
        out["days_since_survey"] = (cutoff - latest["date"]).dt.days.reindex(out.index)

    if customers is not None:
        attributes = [a for a in as_list(attributes)]
        require_columns(customers, [customer, *attributes], name="customers")
        master = customers.drop_duplicates(customer).set_index(customer)
        for a in attributes:
            out[a] = master[a].reindex(out.index)
    out.attrs["cutoff"] = cutoff
    return out


def churn_panel(shipments: pd.DataFrame, cutoffs, *, horizon_days: int = 180, inactivity_days: int = 90,
                customer: str = "customer_id", date: str = "ship_date", **feature_kwargs) -> pd.DataFrame:
    """Features and target at several cut-offs, stacked: one row per customer and cut-off.

    Each block is :func:`churn_features` at the cut-off joined with :func:`churn_target`
    (customers active at the cut-off only). Stacking cut-offs gives the model more churn
    events; the same customer appears in several rows, so fit with
    ``fit_churn_model(..., cluster=customer)`` for honest standard errors.

    Returns
    -------
    DataFrame with a ``cutoff`` column, the customer as a column, the features, ``churn``
    and ``churn_date``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": ["A", "A", "A", "B", "B", "B"], "revenue": 10.0,
    ...                   "ship_date": pd.to_datetime(["2024-01-02", "2024-02-01", "2024-03-01",
    ...                                                "2024-01-03", "2024-03-04", "2024-06-03"])})
    >>> churn_panel(s, ["2024-02-15", "2024-03-15"], horizon_days=60, inactivity_days=60)[
    ...     ["cutoff", "customer_id", "churn"]]
          cutoff customer_id  churn
    0 2024-02-15           A      0
    1 2024-02-15           B      0
    2 2024-03-15           A      1
    3 2024-03-15           B      1
    """
    blocks = []
    for cut in as_list(cutoffs):
        f = churn_features(shipments, cut, customer=customer, date=date, **feature_kwargs)
        t = churn_target(shipments, cut, horizon_days=horizon_days, inactivity_days=inactivity_days,
                         customer=customer, date=date)
        block = f.join(t, how="inner").reset_index()
        block.insert(0, "cutoff", _timestamp(cut, "cutoff"))
        blocks.append(block)
    if not blocks:
        raise DataError("cutoffs is empty. Fix: pass one or more dates.")
    return pd.concat(blocks, ignore_index=True)


# --------------------------------------------------------------------------- the model

@dataclass
class _Encoding:
    """How each feature becomes design columns, so new data are encoded the same way."""

    numeric: list = field(default_factory=list)
    categorical: dict = field(default_factory=dict)   # feature -> (reference, [levels kept])
    pooled: dict = field(default_factory=dict)        # feature -> set of levels pooled into "other"
    columns: list = field(default_factory=list)       # final design columns (no intercept)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        parts = {}
        for f in self.numeric:
            values = df[f].astype("Float64") if pd.api.types.is_bool_dtype(df[f]) else df[f]
            values = pd.to_numeric(values, errors="coerce")
            parts[f] = pd.Series(values.to_numpy(dtype=float, na_value=np.nan), index=df.index)
        for f, (ref, levels) in self.categorical.items():
            values = df[f].astype("object")
            values = values.where(~values.isin(self.pooled.get(f, set())), "other")
            unknown = values.notna() & ~values.isin([ref, *levels])
            if unknown.any():
                warnings.warn(f"{f}: {int(unknown.sum())} row(s) have levels not seen when fitting "
                              f"(e.g. {values[unknown].iloc[0]!r}); they are scored as the reference "
                              f"level {ref!r}.", stacklevel=3)
                values = values.where(~unknown, ref)
            for level in levels:
                parts[f"{f}[{level}]"] = (values == level).astype(float).where(values.notna())
        design = pd.DataFrame(parts, index=df.index)
        return design.reindex(columns=self.columns)


def _encode(df: pd.DataFrame, features: list, min_level_count: int, notes: list) -> tuple[_Encoding, pd.DataFrame]:
    enc = _Encoding()
    for f in features:
        values = df[f]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            enc.numeric.append(f)
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            raise DataError(f"data: feature {f!r} holds dates; a model needs a number. Fix: turn it into "
                            f"days, e.g. (cutoff - df[{f!r}]).dt.days, or drop it from features.")
        values = values.astype("object")
        counts = values.value_counts()
        if len(counts) > 100 or (len(counts) > 10 and len(counts) > 0.5 * values.notna().sum()):
            raise DataError(f"data: feature {f!r} has {len(counts)} different values for "
                            f"{int(values.notna().sum())} rows, e.g. {counts.index[0]!r}; it looks like an "
                            f"identifier or free text, not a category. Fix: drop it from features (or pass "
                            f"features=[...] explicitly), or group it into a few categories first.")
        rare = set(counts.index[counts < min_level_count])
        if rare and len(counts) - len(rare) >= 1:
            enc.pooled[f] = rare
            notes.append(f"{f}: {len(rare)} level(s) with fewer than {min_level_count} customers "
                         f"({', '.join(map(str, sorted(rare, key=str)))}) pooled into 'other'.")
            values = values.where(~values.isin(rare), "other")
            counts = values.value_counts()
        ref = counts.index[0]
        levels = [lv for lv in sorted(counts.index, key=str) if lv != ref]
        enc.categorical[f] = (ref, levels)
        notes.append(f"{f}: reference level {ref!r} (the most common); each other level's odds ratio "
                     f"compares it with {ref!r}.")
    enc.columns = list(enc.numeric) + [f"{f}[{lv}]" for f, (_, levels) in enc.categorical.items() for lv in levels]
    return enc, enc.transform(df)


def _drop_constant_and_collinear(X: pd.DataFrame, notes: list) -> list:
    """Return the columns to keep; constant and collinear columns are reported in ``notes``."""
    keep = []
    sd = X.std(ddof=0)
    for c in X.columns:
        if not np.isfinite(sd[c]) or sd[c] < 1e-12:
            value = X[c].iloc[0] if len(X) else np.nan
            msg = f"{c}: constant ({value:g} for every customer); dropped, it cannot explain churn."
            notes.append(msg)
            warnings.warn(msg, stacklevel=3)
        else:
            keep.append(c)
    if not keep:
        return keep
    Z = ((X[keep] - X[keep].mean()) / sd[keep]).to_numpy()
    G = Z.T @ Z / len(Z)
    kept: list[int] = []
    for j, c in enumerate(keep):
        if kept:
            A = G[np.ix_(kept, kept)]
            b = G[kept, j]
            coef = np.linalg.lstsq(A, b, rcond=None)[0]
            resid = G[j, j] - b @ coef
        else:
            coef, resid = np.array([]), G[j, j]
        if resid < 1e-8:
            names = [keep[k] for k, w in zip(kept, coef) if abs(w) > 1e-6]
            msg = (f"{c}: collinear with {', '.join(names)} (a linear combination of them, R^2 = 1); "
                   f"dropped so the model can be estimated. Keep whichever you can act on.")
            notes.append(msg)
            warnings.warn(msg, stacklevel=3)
        else:
            kept.append(j)
    return [keep[k] for k in kept]


def _drop_one_class_indicators(X: pd.DataFrame, y: pd.Series, notes: list) -> list:
    """Drop 0/1 columns whose 1-rows are all churners or all stayers (quasi-complete separation).

    Such a column's odds ratio is 0 or infinite, so the logit cannot estimate it; the count is
    itself the finding and goes into the notes.
    """
    keep = []
    for c in X.columns:
        x = X[c]
        if set(np.unique(x)) <= {0.0, 1.0}:
            ones = x == 1
            churned = int(y[ones].sum())
            if ones.sum() and churned in (0, int(ones.sum())):
                msg = (f"{c}: all {int(ones.sum())} customers with it {'stayed' if churned == 0 else 'churned'} "
                       f"({churned} of {int(ones.sum())} churned); its odds ratio is "
                       f"{'0' if churned == 0 else 'infinite'} (quasi-complete separation), so it is "
                       f"dropped. Report the count itself, or pool the level with a similar one.")
                notes.append(msg)
                warnings.warn(msg, stacklevel=3)
                continue
        keep.append(c)
    return keep


def _separating_features(X: pd.DataFrame, y: pd.Series) -> list[str]:
    out = []
    for c in X.columns:
        x1, x0 = X.loc[y == 1, c], X.loc[y == 0, c]
        if x1.min() > x0.max():
            out.append(f"{c} (every churner above {x0.max():g}, every stayer at or below)")
        elif x1.max() < x0.min():
            out.append(f"{c} (every churner below {x0.min():g}, every stayer at or above)")
    return out


@dataclass
class ChurnModel:
    """A fitted churn logit: ``.summary()`` with odds ratios, ``.predict_proba(df)``, ``.plot()``."""

    result: object
    target: str
    features: list
    encoding: _Encoding
    columns: list
    scale: pd.Series
    notes: list
    n: int
    n_churn: int

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Coefficients with odds ratios and their intervals, one row per design column.

        ``odds_ratio`` is per unit of the column; ``odds_ratio_per_sd`` per standard deviation
        (comparable across features); ``std_coef`` is the log odds ratio per standard deviation.
        The fitting notes are in ``.attrs["notes"]``.
        """
        res = self.result
        ci = np.asarray(res.conf_int(alpha=1 - level))
        params = np.asarray(res.params)
        table = pd.DataFrame({
            "coef": params, "std_err": np.asarray(res.bse), "z": np.asarray(res.tvalues),
            "p_value": np.asarray(res.pvalues), "odds_ratio": np.exp(params),
            "or_low": np.exp(ci[:, 0]), "or_high": np.exp(ci[:, 1]),
        }, index=pd.Index(["Intercept", *self.columns], name="term"))
        sd = pd.concat([pd.Series({"Intercept": np.nan}), self.scale])
        table["std_coef"] = table["coef"] * sd.reindex(table.index)
        table["odds_ratio_per_sd"] = np.exp(table["std_coef"])
        table.attrs["notes"] = list(self.notes)
        return table

    def drivers(self) -> pd.DataFrame:
        """Design columns ranked by the size of their standardised effect (largest first)."""
        t = self.summary().drop(index="Intercept")
        return t.reindex(t["std_coef"].abs().sort_values(ascending=False).index)[
            ["std_coef", "odds_ratio_per_sd", "odds_ratio", "or_low", "or_high", "p_value"]]

    def predict_proba(self, df: pd.DataFrame) -> pd.Series:
        """Predicted churn probability for each row of ``df`` (NaN where a feature is missing)."""
        require_frame(df, name="data")
        require_columns(df, self.features, name="data")
        X = self.encoding.transform(df)[self.columns]
        eta = float(np.asarray(self.result.params)[0]) + X.to_numpy() @ np.asarray(self.result.params)[1:]
        return pd.Series(1 / (1 + np.exp(-eta)), index=df.index, name="churn_probability")

    def __repr__(self) -> str:
        lines = [f"ChurnModel: logit of {self.target!r} on {len(self.columns)} columns, "
                 f"{self.n} customers, {self.n_churn} churned ({self.n_churn / self.n:.1%})"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def plot(self, ax=None, *, per_sd: bool = True):
        """Forest plot of odds ratios (per standard deviation by default) with 95% intervals."""
        import matplotlib.pyplot as plt

        t = self.summary().drop(index="Intercept")
        if per_sd:
            mid, lo, hi = t["odds_ratio_per_sd"], np.exp(t["std_coef"] - 1.96 * t["std_err"] * self.scale), \
                np.exp(t["std_coef"] + 1.96 * t["std_err"] * self.scale)
        else:
            mid, lo, hi = t["odds_ratio"], t["or_low"], t["or_high"]
        order = np.argsort(np.abs(np.log(mid.to_numpy())))
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(t) + 1.2))
        y = np.arange(len(t))
        ax.errorbar(mid.iloc[order], y, xerr=[mid.iloc[order] - lo.iloc[order], hi.iloc[order] - mid.iloc[order]],
                    fmt="o", color="#1f4e79", ecolor="grey", capsize=3)
        ax.axvline(1, color="black", lw=1)
        ax.set_xscale("log")
        from matplotlib.ticker import FuncFormatter
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if str(v)[0] in "25" else ""))
        ax.set_yticks(y, [t.index[i] for i in order])
        ax.set_xlabel("odds ratio of churning" + (" per standard deviation" if per_sd else " per unit")
                      + " (log scale; 1 = no effect)")
        ax.set_ylabel("feature")
        ax.set_title("Churn drivers: odds ratios with 95% intervals")
        return ax


def fit_churn_model(df: pd.DataFrame, target: str = "churn", features=None, *,
                    min_level_count: int = 10, missing: str = "drop",
                    cluster: str | None = None) -> ChurnModel:
    """Fit an interpretable churn logit (statsmodels ``Logit``) on any customer table.

    Categorical columns become indicator columns against their most common level (levels
    with fewer than ``min_level_count`` customers are pooled into ``"other"``). Constant and
    collinear columns are dropped with a warning and a note rather than failing with a
    singular matrix. Rows with a missing feature are dropped (``missing="drop"``, noted) or
    refused (``missing="raise"``).

    Class imbalance is handled honestly: the model is the plain maximum-likelihood logit,
    not re-weighted or resampled, so its probabilities stay on the real churn scale;
    judge it by ranking measures (AUC, lift; see :func:`evaluate`) and pick the alert
    threshold from the gains table, not 0.5. A note warns when there are fewer than 10
    churners per estimated coefficient. Perfect separation (a feature that alone tells
    churners from stayers) has no finite odds ratio: it raises DataError naming the feature.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    target : str
        0/1 or boolean column, 1 = churned.
    features : list of str, optional
        Columns to use; defaults to every other column.
    cluster : str, optional
        Column identifying repeated rows of one customer (e.g. from :func:`churn_panel`);
        standard errors are then cluster-robust by that column.

    Returns
    -------
    ChurnModel with ``.summary()``, ``.drivers()``, ``.predict_proba(df)``, ``.plot()``, ``.notes``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"recency_days": rng.integers(1, 120, 300)})
    >>> d["churn"] = (rng.random(300) < 1 / (1 + np.exp(3 - d["recency_days"] / 30))).astype(int)
    >>> model = fit_churn_model(d, features=["recency_days"])
    >>> bool(model.summary().loc["recency_days", "odds_ratio"] > 1)
    True
    """
    require_frame(df, name="data")
    require_columns(df, [target, *as_list(cluster)], name="data")
    features = ([c for c in df.columns if c not in (target, cluster)] if features is None
                else as_list(features))
    if not features:
        raise DataError("no features to fit. Fix: pass features=[...] naming at least one column.")
    require_columns(df, features, name="data")
    if missing not in ("drop", "raise"):
        raise DataError(f"missing must be 'drop' or 'raise', got {missing!r}.")
    y_all = _binary(df[target], target, "data")
    notes: list[str] = []
    for f in features:
        if df[f].isna().all():
            raise DataError(f"data: feature {f!r} is missing (NaN) for all {len(df)} rows. "
                            f"Fix: drop it from features or fill it from its source.")
    classes = y_all.value_counts()
    if len(classes) < 2:
        raise DataError(f"data: target {target!r} has only one class ({int(classes.index[0])} for all "
                        f"{len(df)} rows); a churn model needs both churners and stayers. Fix: use a "
                        f"longer horizon, an earlier cut-off or more customers.")

    enc, X = _encode(df, features, min_level_count, notes)
    rows = X.notna().all(axis=1)
    if not rows.all():
        bad = ~rows
        if missing == "raise":
            column = X.columns[X[bad].isna().any()].tolist()[0]
            raise DataError(f"data: {int(bad.sum())} of {len(df)} rows have a missing feature, e.g. "
                            f"{column!r} (row {X.index[bad][0]}). Fix: fill or drop them first.")
        notes.append(f"{int(bad.sum())} of {len(df)} rows dropped for a missing feature "
                     f"({', '.join(X.columns[X[bad].isna().any()].tolist())}).")
    X, y = X[rows], y_all[rows]
    cluster_ids = df[cluster].to_numpy()[rows.to_numpy()] if cluster is not None else None
    n, n_churn = len(y), int(y.sum())
    if n < 20 or min(n_churn, n - n_churn) < 5:
        raise DataError(f"data: too few customers to fit a churn model: {n} usable rows with "
                        f"{n_churn} churners and {n - n_churn} stayers (at least 20 rows and 5 of each "
                        f"class needed). Fix: use more customers or a longer horizon.")
    if y.nunique() < 2:
        raise DataError(f"data: after dropping rows with missing features, target {target!r} has one class.")

    columns = _drop_constant_and_collinear(X, notes)
    columns = _drop_one_class_indicators(X[columns], y, notes)
    if not columns:
        raise DataError("data: every feature is constant; nothing can explain churn. Fix: add features that vary.")
    X = X[columns]
    epv = min(n_churn, n - n_churn) / (len(columns) + 1)
    if epv < 10:
        notes.append(f"only {epv:.1f} events per coefficient (fewer than 10): estimates are unstable; "
                     f"use fewer features or more customers.")
    notes.append(f"base churn rate {n_churn / n:.1%}: plain (unweighted) maximum likelihood, so predicted "
                 f"probabilities are on this scale; choose the alert threshold from the gains table.")
    if cluster is not None:
        notes.append(f"standard errors are cluster-robust by {cluster!r} "
                     f"({pd.unique(cluster_ids).size} clusters for {n} rows).")

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning
    try:
        from statsmodels.tools.sm_exceptions import PerfectSeparationError
    except ImportError:  # pragma: no cover
        PerfectSeparationError = RuntimeError
    exog = sm.add_constant(X.to_numpy(dtype=float), has_constant="add")
    separated = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message="overflow encountered")
        try:
            fit_kw = {}
            if cluster is not None:
                groups = pd.factorize(cluster_ids)[0]
                fit_kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
            result = sm.Logit(y.to_numpy(), exog).fit(method="newton", maxiter=100, disp=False, **fit_kw)
            std_effect = np.abs(np.asarray(result.params)[1:] * X.std(ddof=0).to_numpy())
            bse = np.asarray(result.bse)
            separated = bool(np.any(std_effect > 15) or not np.all(np.isfinite(bse))
                             or np.any(bse[1:] * X.std(ddof=0).to_numpy() > 50))
        except (PerfectSeparationWarning, PerfectSeparationError, np.linalg.LinAlgError):
            separated = True
    if separated:
        culprits = _separating_features(X, y)
        which = ("; ".join(culprits) if culprits else
                 "a combination of features (no single one alone)")
        raise DataError(f"data: perfect separation: {which} tells churners from stayers without error, "
                        f"so its odds ratio is infinite and a logit cannot be estimated. Fix: drop or "
                        f"coarsen that feature, check it is not recorded after churn (leakage), or add data.")
    scale = X.std(ddof=0)
    return ChurnModel(result=result, target=target, features=features, encoding=enc, columns=columns,
                      scale=scale, notes=notes, n=n, n_churn=n_churn)


# --------------------------------------------------------------------------- evaluation

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
    yv = _binary(frame["y"], "y_true", "evaluation data").to_numpy()
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


# --------------------------------------------------------------------------- early warning

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


def _warn_table(counts: pd.DataFrame, revenue: pd.DataFrame | None, first_week: pd.Series,
                recent_weeks: int, baseline_weeks: int, alpha: float, min_drop: float,
                start: pd.Timestamp, groups: pd.Series | None = None, adjust: bool = True,
                dispersed: bool = True) -> pd.DataFrame:
    """Early-warning statistics from a customer x week matrix covering baseline + recent weeks.

    With ``adjust`` the expected recent volume follows the company's (or the customer's
    group's) own movement between the two windows, so seasons and market swings are not
    read as a customer's fall.
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
    flagged = (p_value < alpha) & (adjusted <= -min_drop)
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
        "change_vs_market": adjusted, "p_value": p_value, "flagged": flagged,
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
                  baseline_weeks: int = 26, alpha: float = 0.01, min_drop: float = 0.3,
                  silent_days: int | None = 90, adjust: bool = True,
                  groups: pd.Series | None = None) -> pd.DataFrame:
    """Flag customers whose recent shipment volume fell significantly below their own baseline.

    For each customer the weekly shipments in the last ``recent_weeks`` before ``as_of`` are
    compared with the ``baseline_weeks`` before that. Under "no change" the recent count,
    given the total, is Binomial(total, share of the expected volume in the recent weeks)
    (the conditional test for two Poisson rates). Two corrections keep it honest on real
    data: with ``adjust`` the expected share follows the whole company's (or the customer's
    ``groups``') movement between the windows, so a seasonal dip is not read as churn; and
    counts are divided by each customer's baseline variance-to-mean ratio (at least 1),
    because orders arrive in batches (quasi-Poisson). A customer is flagged when the
    one-sided p-value is below ``alpha`` *and* the volume, against the market, fell by at
    least ``min_drop``. How long the fall has lasted comes from the best single change
    point in the weekly series (two-rate Poisson fit).

    Parameters
    ----------
    as_of : date, optional
        The morning of the day the list is made; defaults to the day after the last shipment.
    amount : str or None
        Revenue column; adds the baseline weekly revenue and the revenue at risk per week.
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
    a 60% fall), ``change_vs_market`` (the fall beyond the market's own movement), ``p_value``, ``flagged``, ``decline_weeks``, ``decline_start``,
    ``days_since_last`` and, with ``amount``, the revenue columns.

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
    if not 0 < alpha < 1:
        raise DataError(f"alpha must lie between 0 and 1, got {alpha!r}.")
    shipments = shipments.reset_index(drop=True)
    dates = _dates(shipments, date, "shipments")
    as_of = dates.max().normalize() + _DAY if as_of is None else _timestamp(as_of, "as_of")
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
    out = _warn_table(counts, revenue, first_week, recent_weeks, baseline_weeks, alpha, min_drop, start,
                      groups=groups, adjust=adjust)
    out["days_since_last"] = (as_of - g.max().reindex(out.index)).dt.days.astype(int)
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
    state = "FLAGGED" if row["flagged"] else "not flagged"
    ax.set(title=f"{customer_id}: weekly shipments before {as_of:%Y-%m-%d} ({state}, p = {row['p_value']:.2g})",
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
                           baseline_weeks: int = 26, alpha: float = 0.01, min_drop: float = 0.3,
                           silent_days: int | None = 90, adjust: bool = True,
                           groups: pd.Series | None = None) -> WarningBacktest:
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
    share of stayers ever warned, mean weekly false-alarm rate and precision),
    ``.per_customer``, ``.checks`` and ``.plot()``.

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
    start, end = _timestamp(start, "start"), _timestamp(end, "end")
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
        t = _warn_table(matrix.iloc[:, w0:w0 + total], None, (first_date - wstart) / pd.Timedelta(weeks=1),
                        recent_weeks, baseline_weeks, alpha, min_drop, wstart, groups=groups, adjust=adjust)
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
                       "hits": int(hit.sum()), "false_alarms": int((flagged & ~soon).sum()),
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
    DataFrame of the flagged customers: ``bond``, ``reasons``, ``action`` and the warning's
    ``change``, ``decline_weeks`` and revenue columns.

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
    out = pd.DataFrame({"bond": bond,
                        "reasons": ["; ".join(reasons[c]) or "volume fall only" for c in flagged.index]},
                       index=flagged.index)
    out["action"] = out["bond"].map(RETENTION_ACTIONS["action"])
    keep = [c for c in ("change", "change_vs_market", "decline_weeks", "decline_start",
                        "baseline_revenue_per_week", "revenue_at_risk_per_week") if c in flagged]
    return out.join(flagged[keep])
