"""Customer churn (客户流失): labels, features as of a cut-off, an interpretable logit, evaluation and early warning.

Churn in express and 3PL work is rarely announced: a customer simply stops shipping. So a
label is a *rule* (no shipment for ``inactivity_days``), a prediction uses only what was
known at a cut-off date, and the early warning (流失预警) watches each customer's own volume
against their own baseline, as the course material asks (001, section 3.1 (3): watch the
transaction behaviour and volume for a clear change, then contact the customer first).

The modules around it: classifier evaluation (ROC, gains, calibration) is in
:mod:`crmkit.evaluation`, the early warning and retention plan in :mod:`crmkit.warning`,
survival curves and the Cox model in :mod:`crmkit.survival`. Their public names are
also importable from here (``churn.evaluate``, ``churn.early_warning``, ...).

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

from crmkit.errors import DataError, as_dates, as_flags, as_list, as_timestamp, require, require_columns, require_frame, require_no_nan
from crmkit.evaluation import Evaluation, evaluate
from crmkit.warning import (_DAY, _MIN_BASE_WEEKS, RETENTION_ACTIONS, WarningBacktest, _check_cutoff, _dates,
                            _weekly_counts, backtest_early_warning, early_warning, plot_warning,
                            retention_plan)

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
    as_of = last_all.normalize() + _DAY if as_of is None else as_timestamp(as_of, what="as_of")
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
    as_of = as_timestamp(as_of, what="as_of")
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
    cutoff = as_timestamp(cutoff, what="cutoff")
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
    cutoff = as_timestamp(cutoff, what="cutoff")
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
        unknown_timing = [c for c in (promised, delivered) if c not in shipments.columns]
        if unknown_timing:
            warnings.warn(f"shipments have no {' or '.join(map(repr, unknown_timing))}: service outcomes count "
                          f"as known on the ship date, so failures of the days just before the cut-off leak in. "
                          f"Pass those columns, or leave a gap of a few days before the cut-off.", stacklevel=2)
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
        block.insert(0, "cutoff", as_timestamp(cut, what="cutoff"))
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
    require_no_nan(df, [target], name="data")
    y_all = as_flags(df[target], column=target, name="data").astype(float)
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
    if not result.mle_retvals.get("converged", True):
        notes.append("the fit did not converge in 100 Newton steps: read the estimates with care, and "
                     "consider fewer or rescaled features.")
        warnings.warn(notes[-1], stacklevel=2)
    scale = X.std(ddof=0)
    return ChurnModel(result=result, target=target, features=features, encoding=enc, columns=columns,
                      scale=scale, notes=notes, n=n, n_churn=n_churn)

