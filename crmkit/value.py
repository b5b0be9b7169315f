"""Customer value (客户价值): Pareto 80/20, Lorenz and Gini, ABC, RFM, value matrix, key accounts.

Which customers matter, and how much? Every function takes the data first and column
names by keyword, with defaults matching the bundled shipments table
(``customer_id``, ``ship_date``, ``revenue``, ``cost``). Lifetime value models live in
:mod:`crmkit.clv` and are re-exported here (``clv_simple``, ``clv_summary``, ``BetaGeo``,
``GammaGamma``, ``clv``, ...).

Sources: the 20/80 rule and the four value classes by historical and future value
(course material 004 §2.2-2.3; 003); MVC / MGC / BZ by strategic value, actual value and
cost to serve (004); SF Express key-account tiers (003 §五.2).

Examples
--------
>>> shipments = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"],
...                           "revenue": [800.0, 100.0, 50.0, 30.0, 20.0]})
>>> round(top_share(shipments, top=0.2), 2)
0.8
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.clv import (BetaGeo, GammaGamma, _future_check, _period_numbers,
                        _transactions, calibration_holdout_summary, clv, clv_simple, clv_summary,
                        holdout_comparison, plot_holdout)
from crmkit.errors import DataError, as_list, as_timestamp, require

__all__ = [
    "pareto_table",
    "lorenz_curve",
    "gini",
    "top_share",
    "abc_classes",
    "rfm_table",
    "rfm_scores",
    "rfm_segments",
    "RFM_SEGMENT_RULES",
    "value_matrix",
    "VALUE_CLASSES",
    "mvc_mgc_bz",
    "MVC_CLASSES",
    "key_account_tiers",
    "KEY_ACCOUNT_TIERS",
    "plot_pareto",
    "plot_lorenz",
    "plot_rfm_segments",
    "plot_value_matrix",
    # lifetime value, from crmkit.clv
    "clv_simple",
    "clv_summary",
    "calibration_holdout_summary",
    "BetaGeo",
    "GammaGamma",
    "clv",
    "holdout_comparison",
    "plot_holdout",
]


def _end_day(days: np.ndarray, as_of, dates: pd.Series, name: str, date: str) -> int:
    """The day number of ``as_of`` (default: the last transaction), refusing transactions after it."""
    if as_of is None:
        return int(days.max())
    stamp = as_timestamp(as_of, what="as_of")
    end = int(_period_numbers(pd.Series([stamp]).astype("datetime64[ns]"), "D")[0])
    _future_check(days, end, dates, name, date, stamp, "as_of")
    return end


# --------------------------------------------------------------------------- Pareto
def _customer_values(df, value, customer, name="data") -> pd.Series:
    """Total ``value`` per customer (sums rows when a customer has several), checked."""
    require(df, columns=[value, *as_list(customer)], numeric=[value], non_negative=[value],
            no_nan=[value, *as_list(customer)], name=name)
    if customer is None:
        values = df[value].astype(float)
    else:
        values = df.groupby(customer, observed=True, sort=True)[value].sum().astype(float)
    if values.sum() <= 0:
        raise DataError(f"{name}: column {value!r} sums to 0, so there is no value to share out. "
                        f"Fix: check the column or the filter that produced the table.")
    return values


def pareto_table(df, *, value="revenue", customer="customer_id"):
    """Customers ranked by value with their share and cumulative shares (the 20/80 table).

    Parameters
    ----------
    df : DataFrame
        Transactions (several rows per customer are summed) or one row per customer.
    value : str
        Column to rank by (revenue, margin, ...).
    customer : str or None
        Customer column; None when ``df`` already has one row per customer (its index).

    Returns
    -------
    DataFrame indexed by customer, largest first: rank, value, share, cumulative_share,
    customer_share (cumulative share of customers).

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c", "a"], "revenue": [5.0, 3.0, 1.0, 1.0]})
    >>> pareto_table(df)
                 rank  value  share  cumulative_share  customer_share
    customer_id
    a               1    6.0    0.6               0.6        0.333333
    b               2    3.0    0.3               0.9        0.666667
    c               3    1.0    0.1               1.0        1.000000
    """
    values = _customer_values(df, value, customer)
    order = np.lexsort((np.arange(len(values)), -values.to_numpy()))
    ranked = values.iloc[order]
    n = len(ranked)
    cumulative = np.cumsum(ranked.to_numpy())
    total = cumulative[-1]
    table = pd.DataFrame({
        "rank": np.arange(1, n + 1),
        "value": ranked.to_numpy(),
        "share": ranked.to_numpy() / total,
        "cumulative_share": cumulative / total,
        "customer_share": np.arange(1, n + 1) / n,
    }, index=ranked.index)
    table.index.name = customer if customer is not None else (values.index.name or "customer")
    return table


def lorenz_curve(df, *, value="revenue", customer="customer_id"):
    """Lorenz curve: cumulative share of value against cumulative share of customers (smallest first).

    Returns a DataFrame with columns customer_share and value_share, starting at (0, 0).

    Examples
    --------
    >>> lorenz_curve(pd.DataFrame({"customer_id": ["a", "b"], "revenue": [1.0, 3.0]}))
       customer_share  value_share
    0             0.0         0.00
    1             0.5         0.25
    2             1.0         1.00
    """
    values = np.sort(_customer_values(df, value, customer).to_numpy())
    n = len(values)
    cumulative = np.cumsum(values)
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n,
                         "value_share": np.concatenate([[0.0], cumulative / cumulative[-1]])})


def gini(df, *, value="revenue", customer="customer_id"):
    """Gini coefficient of value across customers (0 = equal, towards 1 = concentrated).

    ``G = sum_i (2i - n - 1) x_(i) / (n * sum x)`` over values sorted ascending, which
    equals the mean absolute difference over twice the mean.

    Examples
    --------
    >>> gini(pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "revenue": [0.0, 0.0, 0.0, 1.0]}))
    0.75
    """
    values = np.sort(_customer_values(df, value, customer).to_numpy())
    n = len(values)
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * values) / (n * values.sum()))


def top_share(df, *, value="revenue", customer="customer_id", top=0.2):
    """Share of total value from the top ``top`` fraction of customers (0.2 = top 20%).

    Read off the Lorenz curve, interpolating linearly between customers.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": list("abcde"), "revenue": [60.0, 20.0, 10.0, 5.0, 5.0]})
    >>> top_share(df, top=0.2), top_share(df, top=0.4)
    (0.6, 0.8)
    """
    if not 0 <= top <= 1:
        raise DataError(f"top={top!r} is a share of customers and must lie in [0, 1]. "
                        f"Fix: pass 0.2 for the top 20%.")
    curve = lorenz_curve(df, value=value, customer=customer)
    return float(1.0 - np.interp(1.0 - top, curve["customer_share"], curve["value_share"]))


def abc_classes(df, *, value="revenue", customer="customer_id", thresholds=(0.8, 0.95),
                labels=("A", "B", "C")):
    """ABC classes by cumulative share of value.

    Customers are ranked by value; a customer is A while the value of the customers ranked
    above them is below ``thresholds[0]`` of the total (so the customer who crosses 80% is
    still A), B while it is below ``thresholds[1]``, and C after.

    Returns the :func:`pareto_table` with a ``class`` column (ordered categorical).

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": list("abcde"), "revenue": [60.0, 20.0, 10.0, 6.0, 4.0]})
    >>> abc_classes(df)["class"].tolist()
    ['A', 'A', 'B', 'B', 'C']
    """
    cuts = list(thresholds)
    if (len(cuts) != len(labels) - 1 or any(not 0 < c <= 1 for c in cuts)
            or any(np.diff(cuts) <= 0)):
        raise DataError(f"thresholds={thresholds!r} must be increasing shares in (0, 1], one fewer "
                        f"than labels={labels!r}. Fix: e.g. thresholds=(0.8, 0.95).")
    table = pareto_table(df, value=value, customer=customer)
    before = (table["cumulative_share"] - table["share"]).to_numpy()
    position = np.searchsorted(np.asarray(cuts) - 1e-12, before, side="right")
    table["class"] = pd.Categorical(np.asarray(labels)[position], categories=list(labels),
                                    ordered=True)
    return table


# --------------------------------------------------------------------------- RFM
def rfm_table(transactions, *, customer="customer_id", date="ship_date", amount="revenue",
              as_of=None, customers=None):
    """Recency, frequency and monetary value per customer.

    ``recency`` is the number of whole days from the last purchase to ``as_of`` (default:
    the last date in the data), ``frequency`` the number of transactions, ``monetary``
    their total ``amount``. Vectorised: one pass over the rows, fit for tens of millions.

    Parameters
    ----------
    transactions : DataFrame
    customer, date, amount : str
        Column names.
    as_of : date-like, optional
        Reference date; transactions after it are an error.
    customers : list-like, optional
        Customers that must appear; a listed customer without transactions is an error.

    Returns
    -------
    DataFrame indexed by customer (sorted): recency (days, int), frequency (int), monetary (float).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "revenue": [10.0, 5.0, 8.0],
    ...                    "ship_date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-01-10"])})
    >>> rfm_table(tx)
                 recency  frequency  monetary
    customer_id
    a                  0          2      15.0
    b                 10          1       8.0
    """
    name = "transactions"
    codes, labels, order, dates, values = _transactions(transactions, customer, date, amount, name,
                                                        customers=customers)
    days = _period_numbers(dates, "D")
    end = _end_day(days, as_of, dates, name, date)
    k = len(labels)
    last = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, codes, days)
    table = pd.DataFrame({
        "recency": end - last,
        "frequency": np.bincount(codes, minlength=k),
        "monetary": np.bincount(codes, weights=values, minlength=k),
    }, index=labels)
    return table.iloc[order]


def _scores(values: pd.Series, bins: int) -> np.ndarray:
    """1..bins quantile scores from average ranks: ties share a score, order does not matter."""
    pct = values.rank(method="average", pct=True).to_numpy()
    return np.clip(np.ceil(pct * bins - 1e-9), 1, bins).astype(int)


def rfm_scores(rfm, *, recency="recency", frequency="frequency", monetary="monetary", bins=5):
    """Quantile scores 1..``bins`` for R, F and M (5 = best; recent buyers score high on R).

    Scores come from each customer's average rank, so tied values always get the same
    score and the result does not depend on row order; with distinct values each score
    holds ``n / bins`` customers. Many ties (e.g. most customers bought once) leave some
    scores empty rather than splitting equal customers arbitrarily.

    Returns a copy of ``rfm`` with r_score, f_score, m_score, rfm_cell ("545") and rfm_score (sum).

    Examples
    --------
    >>> rfm = pd.DataFrame({"recency": [1, 30, 60, 90, 200], "frequency": [9, 5, 5, 2, 1],
    ...                     "monetary": [900.0, 400.0, 300.0, 80.0, 20.0]}, index=list("abcde"))
    >>> rfm_scores(rfm)[["r_score", "f_score", "m_score", "rfm_cell"]]
       r_score  f_score  m_score rfm_cell
    a        5        5        5      555
    b        4        4        4      444
    c        3        4        3      343
    d        2        2        2      222
    e        1        1        1      111
    """
    require(rfm, columns=[recency, frequency, monetary], numeric=[recency, frequency, monetary],
            non_negative=[recency, frequency, monetary], no_nan=[recency, frequency, monetary],
            name="rfm")
    if int(bins) != bins or bins < 2:
        raise DataError(f"bins={bins!r} must be a whole number >= 2 (5 gives quintiles).")
    out = rfm.copy()
    out["r_score"] = _scores(-rfm[recency].astype(float), bins)
    out["f_score"] = _scores(rfm[frequency].astype(float), bins)
    out["m_score"] = _scores(rfm[monetary].astype(float), bins)
    out["rfm_cell"] = (out["r_score"].astype(str) + out["f_score"].astype(str)
                       + out["m_score"].astype(str))
    out["rfm_score"] = out["r_score"] + out["f_score"] + out["m_score"]
    return out


#: Default RFM segments: the first rule whose R and F score ranges contain a customer wins.
#: Covers all 25 (R, F) cells of a 1-5 scoring. Copy, edit and pass as ``rules=``.
RFM_SEGMENT_RULES = pd.DataFrame(
    [
        ("Champions", 5, 5, 4, 5, "Bought recently and often: reward, ask for referrals, offer new services first."),
        ("Loyal", 3, 4, 4, 5, "Buy often: keep service levels high, offer volume contracts and a named contact."),
        ("Can't Lose Them", 1, 2, 5, 5, "Used to buy very often but not lately: call them now, find out what went wrong."),
        ("At Risk", 1, 2, 3, 4, "Regular buyers going quiet: personal follow-up visit (回访) and a win-back offer."),
        ("Potential Loyalists", 4, 5, 2, 3, "Recent, moderately frequent: move them onto a monthly-settlement contract."),
        ("New Customers", 5, 5, 1, 1, "First purchase just now: onboard well, make the second shipment easy."),
        ("Promising", 4, 4, 1, 1, "Recent single purchase: a follow-up call and a trial of value-added services."),
        ("Need Attention", 3, 3, 3, 3, "Middling on both: a targeted offer before they slide."),
        ("About To Sleep", 3, 3, 1, 2, "Infrequent and fading: a low-cost reminder, no heavy spending."),
        ("Hibernating", 2, 2, 1, 2, "Low and long ago: include in mass campaigns only."),
        ("Lost", 1, 1, 1, 2, "Gone: do not spend on them unless they return."),
    ],
    columns=["segment", "r_min", "r_max", "f_min", "f_max", "strategy"],
)


def rfm_segments(scores, *, rules=None, r_score="r_score", f_score="f_score"):
    """Named RFM segments (Champions, Loyal, At Risk, Can't Lose Them, Hibernating, Lost, ...).

    Rules are a visible table (:data:`RFM_SEGMENT_RULES`): segment, r_min, r_max, f_min,
    f_max, strategy; the first matching row wins. Pass your own table as ``rules`` (it may
    add m_min and m_max columns to condition on the m_score too). Customers no rule covers
    get the segment "Other".

    Returns a copy of ``scores`` with segment and strategy columns.

    Examples
    --------
    >>> s = pd.DataFrame({"r_score": [5, 1, 2, 1], "f_score": [5, 5, 3, 1]}, index=list("abcd"))
    >>> rfm_segments(s)["segment"].tolist()
    ['Champions', "Can't Lose Them", 'At Risk', 'Lost']
    """
    rules = RFM_SEGMENT_RULES if rules is None else rules
    needed = ["segment", "r_min", "r_max", "f_min", "f_max"]
    require(rules, columns=needed, name="rules")
    use_m = "m_min" in rules.columns and "m_max" in rules.columns
    columns = [r_score, f_score, *(["m_score"] if use_m else [])]
    require(scores, columns=columns, numeric=columns, no_nan=columns, name="scores")
    r = scores[r_score].to_numpy()
    f = scores[f_score].to_numpy()
    m = scores["m_score"].to_numpy() if use_m else None
    segment = np.full(len(scores), "Other", dtype=object)
    strategy = np.full(len(scores), "No rule covers this cell: review the rules.", dtype=object)
    free = np.ones(len(scores), dtype=bool)
    for rule in rules.itertuples(index=False):
        hit = free & (r >= rule.r_min) & (r <= rule.r_max) & (f >= rule.f_min) & (f <= rule.f_max)
        if use_m:
            hit &= (m >= rule.m_min) & (m <= rule.m_max)
        segment[hit] = rule.segment
        strategy[hit] = getattr(rule, "strategy", "")
        free &= ~hit
    out = scores.copy()
    out["segment"] = pd.Categorical(segment, categories=list(dict.fromkeys(
        [*rules["segment"], *(["Other"] if free.any() else [])])))
    out["strategy"] = strategy
    return out


# --------------------------------------------------------------------------- value matrix
#: The four value classes by historical value x future potential value (course material
#: 004 §2.2-2.3), with a strategy for each, paraphrased.
VALUE_CLASSES = pd.DataFrame(
    [
        ("high_high", "Core customers (most valuable)",
         "Keep them at almost any cost: dedicated account team, value-added services and "
         "logistics redesign along their value chain."),
        ("low_high", "Growth customers",
         "Invest ahead of the revenue: build the relationship, win a larger share of their "
         "volume and grow them into core customers."),
        ("high_low", "Mature customers",
         "Maintain on the existing terms; study what limits their future before cutting "
         "service or walking away."),
        ("low_low", "Low-value customers",
         "Make them profitable (price by cost to serve, less credit, self-service); end the "
         "relationship only if that fails."),
    ],
    columns=["value_class", "name", "strategy"],
).set_index("value_class")


def _cut(values: pd.Series, cut, quantile, label):
    if cut is None:
        if not 0 < quantile < 1:
            raise DataError(f"{label}_quantile={quantile!r} must lie strictly between 0 and 1.")
        cut = float(values.quantile(quantile))
    return float(cut)


def value_matrix(customers, *, historical="historical_value", future="future_value",
                 historical_cut=None, future_cut=None, historical_quantile=0.8,
                 future_quantile=0.8):
    """Four value classes from historical value x future potential value.

    A customer is "high" on a dimension when its value is at or above the cut: by default
    the 80th percentile (the top 20%, in the spirit of the 20/80 rule), or any
    ``*_quantile``, or a fixed ``*_cut`` in money. Labels are ``<historical>_<future>``:
    low_low, low_high, high_high, high_low, as in ``crmkit.synth`` truth.

    Parameters
    ----------
    customers : DataFrame
        One row per customer (index = customer id) with the two value columns, e.g.
        historical revenue or margin and a CLV forecast from :func:`clv`.

    Returns
    -------
    DataFrame (same index): the two values, value_class, name, strategy; ``.attrs`` holds the cuts.

    Examples
    --------
    >>> c = pd.DataFrame({"historical_value": [10.0, 1.0, 9.0, 2.0],
    ...                   "future_value": [8.0, 9.0, 1.0, 2.0]}, index=list("abcd"))
    >>> value_matrix(c, historical_cut=5, future_cut=5)["value_class"].tolist()
    ['high_high', 'low_high', 'high_low', 'low_low']
    """
    require(customers, columns=[historical, future], numeric=[historical, future],
            no_nan=[historical, future], name="customers", min_rows=2)
    h = customers[historical].astype(float)
    f = customers[future].astype(float)
    h_cut = _cut(h, historical_cut, historical_quantile, "historical")
    f_cut = _cut(f, future_cut, future_quantile, "future")
    label = (np.where(h >= h_cut, "high", "low").astype(object) + "_"
             + np.where(f >= f_cut, "high", "low").astype(object))
    out = pd.DataFrame({historical: h, future: f}, index=customers.index)
    out["value_class"] = pd.Categorical(label, categories=list(VALUE_CLASSES.index))
    out["name"] = VALUE_CLASSES["name"].reindex(label).to_numpy()
    out["strategy"] = VALUE_CLASSES["strategy"].reindex(label).to_numpy()
    out.attrs["historical_cut"] = h_cut
    out.attrs["future_cut"] = f_cut
    return out


#: MVC / MGC / BZ and the rest (course material 004: strategic value, actual value, cost to serve).
MVC_CLASSES = pd.DataFrame(
    [
        ("MVC", "Most valuable customers", "Retain: they carry today's profit; protect with "
         "service guarantees and relationship (social and structural) bonds."),
        ("MGC", "Most growable customers", "Grow: the gap between potential and current value "
         "is largest; invest sales effort and tailored services."),
        ("maintain", "Other profitable customers", "Serve efficiently on standard terms."),
        ("BZ", "Below-zero customers", "Cost to serve exceeds revenue: reprice, move to "
         "cheaper channels, or let them go."),
    ],
    columns=["class", "name", "strategy"],
).set_index("class")


def mvc_mgc_bz(customers, *, value="historical_value", cost="cost_to_serve",
               potential="future_value", mvc_share=0.2, mgc_share=0.2):
    """MVC / MGC / BZ classes from actual value, cost to serve and potential (strategic) value.

    ``profit = value - cost``. BZ (below zero): profit < 0. MVC: the top ``mvc_share`` of
    all customers by profit (among those with profit >= 0). MGC: among the rest, the top
    ``mgc_share`` of all customers by growth room ``potential - profit``. Everyone else:
    ``maintain``.

    Examples
    --------
    >>> c = pd.DataFrame({"historical_value": [100.0, 20, 30, 10, 5],
    ...                   "cost_to_serve": [40.0, 10, 10, 15, 2],
    ...                   "future_value": [50.0, 90, 10, 5, 3]}, index=list("abcde"))
    >>> mvc_mgc_bz(c)["class"].tolist()
    ['MVC', 'MGC', 'maintain', 'BZ', 'maintain']
    """
    require(customers, columns=[value, cost, potential], numeric=[value, cost, potential],
            non_negative=[cost], no_nan=[value, cost, potential], name="customers")
    for label, share in [("mvc_share", mvc_share), ("mgc_share", mgc_share)]:
        if not 0 <= share <= 1:
            raise DataError(f"{label}={share!r} must be a share of customers in [0, 1].")
    n = len(customers)
    profit = (customers[value] - customers[cost]).astype(float)
    growth = customers[potential].astype(float) - profit
    label = np.full(n, "maintain", dtype=object)
    bz = (profit < 0).to_numpy()
    label[bz] = "BZ"
    order = np.lexsort((np.arange(n), -profit.to_numpy()))
    order = order[~bz[order]][: int(round(mvc_share * n))]
    label[order] = "MVC"
    rest = np.flatnonzero(label == "maintain")
    order = rest[np.lexsort((rest, -growth.to_numpy()[rest]))][: int(round(mgc_share * n))]
    label[order] = "MGC"
    out = pd.DataFrame({"profit": profit, "growth_room": growth}, index=customers.index)
    out["class"] = pd.Categorical(label, categories=list(MVC_CLASSES.index))
    out["name"] = MVC_CLASSES["name"].reindex(label).to_numpy()
    out["strategy"] = MVC_CLASSES["strategy"].reindex(label).to_numpy()
    return out


# --------------------------------------------------------------------------- key accounts
#: SF Express key-account tiers (course material 003 §五.2), checked in this order.
KEY_ACCOUNT_TIERS = pd.DataFrame(
    [
        ("strategic", "Strategic / important key account",
         "Serves brand building or important public bodies, whatever the revenue: senior "
         "sponsor, resident or dedicated account team, regular visits."),
        ("economic", "Economic key account",
         "Annual revenue at or above the threshold (5,000,000 RMB at SF Express): account "
         "manager, tailored pricing and service-level agreements."),
        ("potential", "Potential key account",
         "Large and growing, a likely target for competitors: consultative selling and "
         "investment to win a bigger share before they do."),
        ("regular", "Regular account", "Standard products and channels."),
    ],
    columns=["tier", "name", "strategy"],
).set_index("tier")


def key_account_tiers(transactions, *, customer="customer_id", date="ship_date",
                      amount="revenue", as_of=None, economic_threshold=5_000_000,
                      potential_threshold=None, growth_threshold=0.2, strategic=None,
                      window_days=365):
    """SF Express key-account tiers: strategic, economic, potential, regular.

    ``annual_revenue`` is the revenue in the ``window_days`` up to ``as_of``;
    ``previous_revenue`` the window before; ``growth`` their relative change.

    - **strategic**: customers listed in ``strategic`` (ids, or a boolean Series indexed
      by customer): important for brand or public reasons, whatever their revenue;
    - **economic**: ``annual_revenue >= economic_threshold`` (5,000,000 RMB a year at SF);
    - **potential**: below that but ``annual_revenue >= potential_threshold`` (default
      a fifth of the economic threshold) and growing by at least ``growth_threshold``;
    - **regular**: the rest.

    Returns one row per customer: annual_revenue, previous_revenue, growth, tier, name, strategy.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "b", "c"],
    ...                    "ship_date": pd.to_datetime(["2024-06-01", "2023-06-01", "2024-06-01", "2024-06-01"]),
    ...                    "revenue": [6e6, 1e6, 2e6, 1e5]})
    >>> key_account_tiers(tx, strategic=["c"])["tier"].tolist()
    ['economic', 'potential', 'strategic']
    """
    name = "transactions"
    codes, labels, order, dates, values = _transactions(transactions, customer, date, amount, name)
    days = _period_numbers(dates, "D")
    end = _end_day(days, as_of, dates, name, date)
    if economic_threshold <= 0 or window_days <= 0:
        raise DataError("economic_threshold and window_days must be positive.")
    potential_threshold = economic_threshold / 5 if potential_threshold is None else potential_threshold
    k = len(labels)
    age = end - days
    current = age < window_days
    previous = (age >= window_days) & (age < 2 * window_days)
    annual = np.bincount(codes[current], weights=values[current], minlength=k)
    before = np.bincount(codes[previous], weights=values[previous], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(before > 0, annual / before - 1.0, np.where(annual > 0, np.inf, 0.0))
    tier = np.full(k, "regular", dtype=object)
    tier[(annual >= potential_threshold) & (growth >= growth_threshold)] = "potential"
    tier[annual >= economic_threshold] = "economic"
    if strategic is not None:
        if isinstance(strategic, pd.Series) and pd.api.types.is_bool_dtype(strategic):
            ids = strategic.index[strategic.to_numpy()]
        else:
            ids = pd.Index(as_list(strategic))
        unknown = ids.difference(labels)
        if len(unknown):
            raise DataError(f"strategic: {len(unknown)} customers have no transactions, e.g. "
                            f"{unknown[0]!r}. Fix: check the ids.")
        tier[labels.get_indexer(ids)] = "strategic"
    out = pd.DataFrame({"annual_revenue": annual, "previous_revenue": before, "growth": growth},
                       index=labels)
    out["tier"] = pd.Categorical(tier, categories=list(KEY_ACCOUNT_TIERS.index))
    out["name"] = KEY_ACCOUNT_TIERS["name"].reindex(tier).to_numpy()
    out["strategy"] = KEY_ACCOUNT_TIERS["strategy"].reindex(tier).to_numpy()
    return out.iloc[order]


# --------------------------------------------------------------------------- plots
def _axes(ax, size=(7, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_pareto(table, ax=None, *, unit="RMB"):
    """Pareto chart from :func:`pareto_table`: cumulative share of value vs share of customers."""
    ax = _axes(ax)
    require(table, columns=["customer_share", "cumulative_share"], name="table")
    x = np.concatenate([[0.0], table["customer_share"].to_numpy()]) * 100
    y = np.concatenate([[0.0], table["cumulative_share"].to_numpy()]) * 100
    ax.plot(x, y, color="C0", label="cumulative share of value")
    ax.axvline(20, color="grey", linestyle=":", linewidth=1)
    top20 = float(np.interp(20, x, y))
    ax.axhline(top20, color="grey", linestyle=":", linewidth=1)
    ax.annotate(f"top 20% -> {top20:.0f}% of value", (20, top20), xytext=(30, top20 - 15),
                arrowprops={"arrowstyle": "->"})
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    ax.set_xlabel("customers, ranked by value (cumulative %)")
    ax.set_ylabel(f"value ({unit}), cumulative % of total")
    ax.set_title("Pareto curve: share of value from the top customers")
    return ax


def plot_lorenz(df, ax=None, *, value="revenue", customer="customer_id"):
    """Lorenz curve with the line of equality and the Gini coefficient in the legend."""
    ax = _axes(ax, (5, 5))
    curve = lorenz_curve(df, value=value, customer=customer)
    g = gini(df, value=value, customer=customer)
    ax.plot(curve["customer_share"] * 100, curve["value_share"] * 100, label=f"Lorenz curve (Gini {g:.2f})")
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", label="perfect equality")
    ax.set_xlabel("customers, smallest first (cumulative %)")
    ax.set_ylabel(f"{value}, cumulative % of total")
    ax.set_title("Lorenz curve of customer value")
    ax.legend(loc="upper left")
    return ax


def plot_rfm_segments(segments, ax=None, *, monetary="monetary", unit="RMB"):
    """Bar chart of customers and value share per RFM segment (from :func:`rfm_segments`)."""
    ax = _axes(ax, (8, 4))
    require(segments, columns=["segment", monetary], name="segments")
    grouped = segments.groupby("segment", observed=True).agg(customers=(monetary, "size"),
                                                            value=(monetary, "sum"))
    grouped = grouped.sort_values("value", ascending=True)
    y = np.arange(len(grouped))
    ax.barh(y - 0.2, grouped["customers"] / grouped["customers"].sum() * 100, height=0.4,
            label="share of customers")
    ax.barh(y + 0.2, grouped["value"] / grouped["value"].sum() * 100, height=0.4,
            label=f"share of {monetary} ({unit})")
    ax.set_yticks(y, grouped.index)
    ax.set_xlabel("% of total")
    ax.set_ylabel("RFM segment")
    ax.set_title("RFM segments: customers and value")
    ax.legend()
    return ax


def plot_value_matrix(matrix, ax=None, *, historical="historical_value", future="future_value",
                      unit="RMB"):
    """Scatter of historical vs future value (log scales) coloured by value class, with the cuts."""
    ax = _axes(ax, (6, 5))
    require(matrix, columns=[historical, future, "value_class"], name="matrix")
    for i, (label, group) in enumerate(matrix.groupby("value_class", observed=True)):
        ax.scatter(group[historical].clip(lower=1), group[future].clip(lower=1), s=10,
                   color=f"C{i}", label=f"{label} ({len(group)})", alpha=0.7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    if "historical_cut" in matrix.attrs:
        ax.axvline(max(matrix.attrs["historical_cut"], 1), color="grey", linestyle="--")
        ax.axhline(max(matrix.attrs["future_cut"], 1), color="grey", linestyle="--")
    ax.set_xlabel(f"historical value ({unit}, log scale)")
    ax.set_ylabel(f"future potential value ({unit}, log scale)")
    ax.set_title("Customer value matrix")
    ax.legend(title="value class", fontsize="small")
    return ax
