"""Service-quality KPIs of an express/3PL firm, with intervals, and p-charts for rates over time.

The KPI list follows the 3PL performance indicators of the course material
(004, section 8.3: 到货及时率 on-time arrival, 货物破损率 damage rate,
客户投诉率 complaint rate, 订单完成率 order completion, 急单完成率 urgent-order
completion, 返单及时率 on-time return of signed receipts). Each rate comes
with its denominator and a Wilson 95% interval (Wilson 1927; computed by
``statsmodels.stats.proportion.proportion_confint``).

Examples
--------
>>> import pandas as pd
>>> shipments = pd.DataFrame({"on_time": [True, True, False, True],
...                           "damaged": [False, False, False, True],
...                           "lost": [False, False, False, False]})
>>> service_kpis(shipments, kpis=["on_time", "damage"])[["kpi", "events", "n", "rate"]]
       kpi  events  n  rate
0  on_time       3  4  0.75
1   damage       1  4  0.25
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from crmkit.errors import DataError, as_dates, as_flags, as_list, require, require_columns, require_frame

__all__ = ["KPI_DEFINITIONS", "wilson_interval", "service_kpis", "plot_kpi", "p_chart", "PChart"]

#: What each KPI counts, its denominator and its unit. ``per`` scales the rate
#: (1 = a share; 1000 = per 1,000 shipments).
KPI_DEFINITIONS = pd.DataFrame(
    [
        ("on_time", "到货及时率", "delivered by the promised date", "all shipments (a lost parcel is late)", 1, "share"),
        ("damage", "货物破损率", "delivered damaged", "all shipments", 1, "share"),
        ("loss", "丢失率", "lost in the network", "all shipments", 1, "share"),
        ("order_completion", "订单完成率", "delivered on time, intact and not lost", "all shipments", 1, "share"),
        ("urgent_completion", "急单完成率", "urgent order delivered on time, intact and not lost", "urgent shipments", 1, "share"),
        ("receipt_return_on_time", "返单及时率", "signed receipt returned on time", "shipments with signed-receipt return", 1, "share"),
        ("complaints_per_1000", "客户投诉率", "complaints received", "all shipments", 1000, "per 1,000 shipments"),
    ],
    columns=["kpi", "chinese", "event", "denominator", "per", "unit"],
).set_index("kpi")


def wilson_interval(events, n, level: float = 0.95):
    """Wilson score interval for ``events`` successes out of ``n`` trials.

    Thin wrapper around statsmodels' ``proportion_confint(method="wilson")`` that
    returns NaN where ``n`` is 0.

    >>> [round(x, 4) for x in wilson_interval(81, 263)]   # Newcombe (1998), example (a)
    [0.2553, 0.3662]
    """
    events = np.asarray(events, dtype=float)
    n = np.asarray(n, dtype=float)
    safe_n = np.where(n > 0, n, 1.0)
    low, high = proportion_confint(np.minimum(events, safe_n), safe_n, alpha=1 - level, method="wilson")
    low = np.where(n > 0, low, np.nan)
    high = np.where(n > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def _period(dates: pd.Series, freq: str | None) -> pd.Series:
    if freq is None:
        return None
    try:
        return dates.dt.to_period(freq)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"freq={freq!r} is not a period frequency pandas understands ({exc}). "
            f"Fix: use 'W', 'M', 'Q' or 'Y'."
        ) from None


def service_kpis(shipments: pd.DataFrame, by=None, freq: str | None = None,
                 complaints: pd.DataFrame | None = None, *, kpis=None, level: float = 0.95,
                 date: str = "ship_date", on_time: str = "on_time", damaged: str = "damaged",
                 lost: str = "lost", urgent: str = "urgent",
                 receipt_return: str = "signed_receipt_return",
                 receipt_on_time: str = "receipt_on_time",
                 shipment_id: str = "shipment_id", customer: str = "customer_id",
                 complaint_date: str = "date") -> pd.DataFrame:
    """Service KPIs per group and/or period, each with its denominator and a Wilson interval.

    Parameters
    ----------
    shipments : DataFrame
        One row per shipment (waybill) with boolean flags ``on_time``, ``damaged``,
        ``lost``, ``urgent``, ``signed_receipt_return``, ``receipt_on_time``.
    by : str or list of str, optional
        Columns of ``shipments`` to group by (e.g. ``"service"``, ``"origin"``).
        Customer attributes such as region must be merged in first.
    freq : str, optional
        Period length for trends: ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` (by ``date``).
    complaints : DataFrame, optional
        Complaints table; adds ``complaints_per_1000``. A complaint is placed in the
        group of its shipment (``shipment_id``); a complaint without a shipment (billing)
        is placed by customer when the ``by`` columns are constant for that customer,
        otherwise it counts only in the ungrouped rate. Periods follow the complaint date.
    kpis : list of str, optional
        Subset of ``KPI_DEFINITIONS.index``; default all the data support (a KPI whose
        columns are absent is left out).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row per group x period x KPI: the ``by`` columns, ``period`` (if ``freq``),
        ``kpi``, ``events``, ``n`` (the denominator), ``rate``, ``low``, ``high`` and
        ``unit``. Rates of ``complaints_per_1000`` are per 1,000 shipments.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"service": ["express", "express", "standard"],
    ...                   "on_time": [True, False, True]})
    >>> service_kpis(s, by="service", kpis=["on_time"])[["service", "n", "rate"]]
        service  n  rate
    0   express  2   0.5
    1  standard  1   1.0
    """
    name = "shipments"
    by = as_list(by)
    require(shipments, columns=by, no_nan=by, name=name)
    if not 0 < level < 1:
        raise DataError(f"level must lie between 0 and 1, got {level}. Fix: use e.g. level=0.95.")
    flags = {"on_time": on_time, "damage": damaged, "loss": lost, "urgent": urgent,
             "receipt_return": receipt_return, "receipt_on_time": receipt_on_time}
    needs = {
        "on_time": ["on_time"], "damage": ["damage"], "loss": ["loss"],
        "order_completion": ["on_time", "damage", "loss"],
        "urgent_completion": ["on_time", "damage", "loss", "urgent"],
        "receipt_return_on_time": ["receipt_return", "receipt_on_time"],
        "complaints_per_1000": [],
    }
    if kpis is None:
        wanted = [k for k in KPI_DEFINITIONS.index
                  if all(flags[f] in shipments.columns for f in needs[k])
                  and (k != "complaints_per_1000" or complaints is not None)]
        if not wanted:
            raise DataError(
                f"{name}: none of the KPI columns are present ({', '.join(map(repr, flags.values()))}). "
                f"Fix: pass your column names, e.g. on_time='delivered_in_time'."
            )
    else:
        wanted = as_list(kpis)
        unknown = [k for k in wanted if k not in KPI_DEFINITIONS.index]
        if unknown:
            raise DataError(f"unknown KPI {unknown[0]!r}. Fix: choose from {list(KPI_DEFINITIONS.index)}.")
        if "complaints_per_1000" in wanted and complaints is None:
            raise DataError("kpi 'complaints_per_1000' needs the complaints table. Fix: pass complaints=...")
        require_columns(shipments, sorted({flags[f] for k in wanted for f in needs[k]}), name=name)
    if freq is not None:
        require(shipments, columns=[date], dates=[date], name=name)
        require(shipments, no_nan=[date], name=name)

    # compute: boolean event and denominator columns on a new frame
    work = pd.DataFrame(index=shipments.index)
    keys = list(by)
    for column in by:
        work[column] = shipments[column]
    if freq is not None:
        work["period"] = _period(as_dates(shipments[date], column=date, name=name), freq)
        keys.append("period")
    got = {f: as_flags(shipments[c], column=c, name=name) for f, c in flags.items()
           if c in shipments.columns and any(f in needs[k] for k in wanted)}
    for flag in ("on_time", "damage", "loss", "urgent", "receipt_return"):
        if flag in got and got[flag].isna().any():
            require(shipments, no_nan=[flags[flag]], name=name)
    if {"on_time", "damage", "loss"} <= got.keys():
        complete = got["on_time"] & ~got["damage"] & ~got["loss"]
    pieces = []
    for kpi in wanted:
        if kpi == "complaints_per_1000":
            continue
        if kpi == "on_time":
            event, base = got["on_time"], pd.Series(True, index=work.index)
        elif kpi == "damage":
            event, base = got["damage"], pd.Series(True, index=work.index)
        elif kpi == "loss":
            event, base = got["loss"], pd.Series(True, index=work.index)
        elif kpi == "order_completion":
            event, base = complete, pd.Series(True, index=work.index)
        elif kpi == "urgent_completion":
            event, base = complete & got["urgent"], got["urgent"]
        else:  # receipt_return_on_time
            base = got["receipt_return"]
            event = base & got["receipt_on_time"].fillna(False)
            missing = base & got["receipt_on_time"].isna()
            if missing.any():
                raise DataError(
                    f"{name}: column {receipt_on_time!r} is missing for {int(missing.sum())} shipments "
                    f"with {receipt_return!r} True. Fix: record whether each receipt came back on time."
                )
        frame = work[keys].copy()
        frame["events"] = event.astype(int).to_numpy()
        frame["n"] = base.astype(int).to_numpy()
        table = frame.groupby(keys, observed=True, sort=True)[["events", "n"]].sum().reset_index() \
            if keys else frame[["events", "n"]].sum().to_frame().T
        table.insert(len(keys), "kpi", kpi)
        pieces.append(table)
    if "complaints_per_1000" in wanted:
        pieces.append(_complaint_counts(shipments, complaints, work, by, keys, freq,
                                        shipment_id=shipment_id, customer=customer,
                                        complaint_date=complaint_date))
    out = pd.concat(pieces, ignore_index=True)
    out["events"] = out["events"].astype(int)
    out["n"] = out["n"].astype(int)
    share = np.where(out["n"] > 0, out["events"] / out["n"].where(out["n"] > 0, 1), np.nan)
    low, high = wilson_interval(out["events"].to_numpy(), out["n"].to_numpy(), level)
    per = KPI_DEFINITIONS.loc[out["kpi"], "per"].to_numpy()
    out["rate"] = share * per
    out["low"] = np.asarray(low) * per
    out["high"] = np.asarray(high) * per
    out["unit"] = KPI_DEFINITIONS.loc[out["kpi"], "unit"].to_numpy()
    order = {k: i for i, k in enumerate(wanted)}
    out = out.sort_values([*keys, "kpi"], key=lambda s: s.map(order) if s.name == "kpi" else s,
                          kind="stable").reset_index(drop=True) if keys else out
    out.index.name = None
    return out


def _complaint_counts(shipments, complaints, work, by, keys, freq, *, shipment_id, customer,
                      complaint_date):
    """Complaint counts per group/period, with shipment counts as the denominator."""
    cname = "complaints"
    require_frame(complaints, name=cname, min_rows=0)
    need = []
    if by:
        need += [shipment_id, customer]
    if freq is not None:
        need.append(complaint_date)
    require_columns(complaints, need, name=cname)
    if by:
        require_columns(shipments, [shipment_id, customer], name="shipments")
    c = pd.DataFrame(index=complaints.index)
    if by:
        lookup = pd.DataFrame({b: shipments[b].to_numpy() for b in by},
                              index=shipments[shipment_id].to_numpy())
        lookup = lookup[~lookup.index.duplicated()]
        sid = complaints[shipment_id]
        for b in by:
            c[b] = sid.map(lookup[b]).to_numpy() if len(lookup) else np.nan
        # complaints without a shipment: place by customer when the group is constant per customer
        per_customer = shipments.groupby(customer, observed=True)[by].nunique(dropna=False)
        constant = per_customer.index[(per_customer <= 1).all(axis=1)]
        first = shipments.drop_duplicates(customer).set_index(customer)[by]
        first = first.loc[first.index.isin(constant)]
        unplaced = c[by].isna().any(axis=1)
        for b in by:
            fill = complaints.loc[unplaced, customer].map(first[b])
            c.loc[unplaced, b] = fill
            if isinstance(shipments[b].dtype, pd.CategoricalDtype):
                c[b] = pd.Categorical(c[b], categories=shipments[b].cat.categories)
    if freq is not None:
        dates = as_dates(complaints[complaint_date], column=complaint_date, name=cname)
        c["period"] = _period(dates, freq)
    c["events"] = 1
    counts = c.groupby(keys, observed=True)["events"].sum() if keys else pd.Series(
        {0: len(c)})
    denominators = work.groupby(keys, observed=True).size() if keys else pd.Series({0: len(work)})
    table = pd.DataFrame({"n": denominators})
    table["events"] = counts.reindex(table.index).fillna(0).astype(int)
    # complaints placed in a group/period without shipments have no denominator: dropped
    if keys:
        table = table.reset_index()
    else:
        table = table.reset_index(drop=True)
    table.insert(len(keys), "kpi", "complaints_per_1000")
    return table[[*keys, "kpi", "events", "n"]]


def plot_kpi(table: pd.DataFrame, kpi: str, by: str, *, ax=None, percent: bool = True):
    """Dot-and-interval chart of one KPI across groups (a ``service_kpis`` table). Returns the Axes.

    Groups are sorted from worst to best; the dashed line is the rate of all groups together.

    >>> s = pd.DataFrame({"service": ["a", "a", "b", "b"], "on_time": [True, False, True, True]})
    >>> ax = plot_kpi(service_kpis(s, by="service"), "on_time", "service")
    >>> ax.get_xlabel()
    'on-time rate (%), 95% Wilson interval'
    """
    require(table, columns=[by, "kpi", "events", "n", "rate", "low", "high"], name="kpi table")
    rows = table[table["kpi"] == kpi]
    if rows.empty:
        raise DataError(f"kpi table has no rows for kpi {kpi!r}. Fix: choose from {sorted(table['kpi'].unique())}.")
    if rows[by].duplicated().any():
        raise DataError(f"kpi table has several rows per {by!r} (a period column?). Fix: compute it without freq=.")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.35 * len(rows) + 1.5))
    per = KPI_DEFINITIONS.loc[kpi, "per"]
    k = 100 if (percent and per == 1) else 1
    higher_is_better = kpi in ("on_time", "order_completion", "urgent_completion", "receipt_return_on_time")
    rows = rows.sort_values("rate", ascending=not higher_is_better)[::-1]
    y = np.arange(len(rows))
    ax.errorbar(rows["rate"] * k, y, xerr=[(rows["rate"] - rows["low"]) * k, (rows["high"] - rows["rate"]) * k],
                fmt="o", color="#1f4e79", ecolor="grey", capsize=3)
    overall = rows["events"].sum() / rows["n"].sum() * per * k
    ax.axvline(overall, color="black", ls="--", lw=1,
               label=f"all groups: {overall:.2f}{'%' if k == 100 else ''}")
    ax.set_yticks(y, [str(v) for v in rows[by]])
    unit = ("%" if k == 100 else "share") if per == 1 else KPI_DEFINITIONS.loc[kpi, "unit"]
    nice = "complaint" if kpi == "complaints_per_1000" else kpi.replace("_", " ").replace("on time", "on-time")
    label = f"{nice} rate" if "rate" not in nice else nice
    ax.set_xlabel(f"{label} ({unit}), 95% Wilson interval")
    ax.set_ylabel(by.replace("_", " "))
    ax.set_title(f"{label[0].upper() + label[1:]} by {by.replace('_', ' ')}")  # Latin text only: CJK fonts are often missing
    ax.legend(fontsize=8, loc="best")
    return ax


@dataclass
class PChart:
    """A p-chart (control chart for a proportion): per-period rate, centre line and 3-sigma limits."""

    table: pd.DataFrame
    center: float
    label: str
    sigma: float
    freq: str | None = None

    def summary(self) -> pd.DataFrame:
        """One row per period: events, n, p, lcl, ucl, above/below, out_of_control, run_rule."""
        return self.table.copy()

    @property
    def out_of_control(self) -> pd.DataFrame:
        """The periods outside the control limits."""
        return self.table[self.table["out_of_control"]].copy()

    def plot(self, ax=None, *, percent: bool = True):
        """Plot the rate, centre line and limits; out-of-control periods in red. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3.5))
        t = self.table
        x = t.index.to_timestamp() if isinstance(t.index, pd.PeriodIndex) else t.index
        k = 100 if percent else 1
        ax.plot(x, t["p"] * k, marker="o", color="#1f4e79", lw=1.5, label=self.label)
        ax.step(x, t["ucl"] * k, where="mid", color="grey", ls="--", lw=1, label=f"UCL / LCL ({self.sigma:g} sigma)")
        ax.step(x, t["lcl"] * k, where="mid", color="grey", ls="--", lw=1)
        ax.axhline(self.center * k, color="black", lw=1, label=f"centre {self.center * k:.2f}{'%' if percent else ''}")
        bad = t["out_of_control"].to_numpy()
        if bad.any():
            ax.scatter(np.asarray(x)[bad], t["p"].to_numpy()[bad] * k, color="red", zorder=5, s=60,
                       label="out of control")
        ax.set_title(f"p-chart: {self.label} by period")
        words = {"W": "week", "M": "month", "Q": "quarter", "Y": "year", "D": "day"}
        ax.set_xlabel(f"period ({words.get(str(self.freq)[:1], self.freq)})" if self.freq else "period")
        ax.set_ylabel(f"{self.label} ({'%' if percent else 'share'})")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        return ax


def p_chart(data: pd.DataFrame, flag: str | None = "on_time", *, date: str = "ship_date",
            freq: str = "M", events: str | None = None, n: str | None = None,
            sigma: float = 3.0, run_length: int = 8, center: float | None = None,
            label: str | None = None) -> PChart:
    """Control chart for a rate over time (p-chart), flagging out-of-control periods.

    The centre line is the pooled rate p̄ (or ``center`` when a standard is given); the
    limits of period *i* are p̄ ± sigma·sqrt(p̄(1-p̄)/n_i), clipped to [0, 1] (Montgomery,
    *Introduction to Statistical Quality Control*, section 7.2). A period is out of
    control when its rate is outside the limits; ``run_rule`` marks periods that end a
    run of ``run_length`` consecutive periods on the same side of the centre line.

    Parameters
    ----------
    data : DataFrame
        Either one row per shipment with a boolean ``flag`` and a ``date`` column, or,
        with ``events`` and ``n`` given, one row per period (the index is the period).
    flag : str
        Boolean column to chart (e.g. ``"on_time"``, ``"damaged"``).
    freq : str
        Period length (``"W"``, ``"M"``, ``"Q"``).

    Returns
    -------
    PChart
        ``.summary()`` per period, ``.out_of_control``, ``.plot(ax=None)``.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"bad": [5, 6, 4, 30], "n": [100, 100, 100, 100]})
    >>> p_chart(counts, events="bad", n="n").out_of_control.index.tolist()
    [3]
    """
    if (events is None) != (n is None):
        raise DataError("give both events= and n= (counts per period), or neither (raw rows with flag=).")
    if events is not None:
        require(data, columns=[events, n], numeric=[events, n], non_negative=[events, n],
                no_nan=[events, n], name="data", min_rows=2)
        table = pd.DataFrame({"events": data[events].to_numpy(dtype=float),
                              "n": data[n].to_numpy(dtype=float)}, index=data.index.copy())
        over = table["events"] > table["n"]
        if over.any():
            raise DataError(f"data: column {events!r} exceeds {n!r} in {int(over.sum())} periods. "
                            f"Fix: events are a subset of the n units inspected.")
        label = label or events
    else:
        require(data, columns=[flag, date], dates=[date], no_nan=[flag, date], name="shipments")
        flags = as_flags(data[flag], column=flag, name="shipments")
        periods = _period(as_dates(data[date], column=date, name="shipments"), freq)
        frame = pd.DataFrame({"period": periods.to_numpy(), "events": flags.astype(int).to_numpy()})
        table = frame.groupby("period").agg(events=("events", "sum"), n=("events", "size")).astype(float)
        label = label or f"{flag} rate"
    if len(table) < 2:
        raise DataError(f"a p-chart needs at least 2 periods, got {len(table)}. Fix: use a longer span or a shorter freq.")
    if (table["n"] <= 0).any():
        raise DataError("a p-chart needs n > 0 in every period. Fix: drop empty periods.")
    pbar = float(table["events"].sum() / table["n"].sum()) if center is None else float(center)
    if not 0 < pbar < 1:
        raise DataError(f"the centre rate is {pbar:g}; a p-chart needs a rate strictly between 0 and 1. "
                        f"Fix: chart a flag that sometimes happens and sometimes not.")
    table["p"] = table["events"] / table["n"]
    half = sigma * np.sqrt(pbar * (1 - pbar) / table["n"])
    table["center"] = pbar
    table["lcl"] = (pbar - half).clip(lower=0.0)
    table["ucl"] = (pbar + half).clip(upper=1.0)
    table["out_of_control"] = (table["p"] > table["ucl"]) | (table["p"] < table["lcl"])
    side = np.sign(table["p"] - pbar).to_numpy()
    run = np.zeros(len(side), dtype=int)
    for i, s in enumerate(side):
        run[i] = (run[i - 1] + 1 if i and s != 0 and s == side[i - 1] else (1 if s != 0 else 0))
    table["run_rule"] = run >= run_length
    table["events"] = table["events"].astype(int)
    table["n"] = table["n"].astype(int)
    return PChart(table=table, center=pbar, label=label, sigma=sigma, freq=None if events is not None else freq)
