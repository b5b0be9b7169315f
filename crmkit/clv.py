"""Customer lifetime value (客户终身价值): simple formula, BTYD summary, BG/NBD and Gamma-Gamma.

Three levels, from the blackboard to the research paper:

1. :func:`clv_simple`: margin per period x periods, with retention and discounting.
2. :func:`clv_summary`: the frequency / recency / T / monetary_value summary of the
   "buy till you die" (BTYD) literature (Fader, Hardie & Lee 2005), equal to
   ``lifetimes.utils.summary_data_from_transaction_data`` but vectorised for millions
   of rows.
3. :class:`BetaGeo` (BG/NBD purchase model) and :class:`GammaGamma` (spend model),
   fitted by maximum likelihood with scipy, combined by :func:`clv`.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way:
an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
http://www.brucehardie.com/notes/025/
Gupta, S. & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing 17(1).

Examples
--------
>>> clv_simple(1500, periods=12 * 10)   # FedEx: 1,500 USD a month for ten years
180000.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

from crmkit.errors import DataError, as_dates, as_list, as_timestamp, require, require_frame

__all__ = [
    "clv_simple",
    "clv_summary",
    "calibration_holdout_summary",
    "BetaGeo",
    "GammaGamma",
    "clv",
    "holdout_comparison",
    "plot_holdout",
]

_UNIT_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_FREQ_NS = {"D": 86_400 * 10**9, "h": 3_600 * 10**9, "W": 7 * 86_400 * 10**9}
_FREQ_ALIASES = {"D": "D", "d": "D", "h": "h", "H": "h", "W": "W", "w": "W", "W-SUN": "W"}


# --------------------------------------------------------------------------- helpers
def _check_freq(freq: str) -> str:
    if freq not in _FREQ_ALIASES:
        raise DataError(
            f"freq={freq!r} is not supported. Fix: use 'D' (days), 'W' (weeks, Monday to "
            f"Sunday, as pandas' 'W') or 'h' (hours)."
        )
    return _FREQ_ALIASES[freq]


def _naive_dates(values: pd.Series) -> pd.Series:
    """Datetime Series without time zone (wall-clock time kept)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_localize(None)
    return values


def _period_numbers(values, freq: str) -> np.ndarray:
    """Integer period numbers (days, hours or Monday-start weeks since 1970) of datetimes."""
    if isinstance(values, pd.Timestamp):
        values = pd.Series([values])
    values = _naive_dates(pd.Series(values) if not isinstance(values, pd.Series) else values)
    array = values.to_numpy()
    unit, count = np.datetime_data(array.dtype)
    per_unit = _UNIT_NS[unit] * count
    if freq == "W":
        days = np.floor_divide(array.view("i8"), _FREQ_NS["D"] // per_unit)
        return np.floor_divide(days + 3, 7)  # 1970-01-01 was a Thursday; weeks start Monday
    return np.floor_divide(array.view("i8"), _FREQ_NS[freq] // per_unit)


def _transactions(transactions, customer, date, amount, name, *, customers=None):
    """Check a transaction table and return (codes, labels, dates, amounts).

    ``codes`` are int64 positions into ``labels`` (the customer ids, sorted).
    """
    amount_cols = as_list(amount)
    require(transactions, columns=[customer, date, *amount_cols], numeric=amount_cols,
            non_negative=amount_cols, no_nan=[customer, date, *amount_cols], name=name)
    dates = _naive_dates(as_dates(transactions[date], column=date, name=name))
    codes, labels = pd.factorize(transactions[customer], sort=False)
    codes = codes.astype(np.int64, copy=False)
    labels = pd.Index(labels, name=customer)
    order = labels.argsort()
    if customers is not None:
        wanted = pd.Index(as_list(customers) if isinstance(customers, str) else list(customers))
        missing = wanted.difference(labels)
        if len(missing):
            raise DataError(
                f"{name}: {len(missing)} of {len(wanted)} customers have no transactions, "
                f"e.g. {missing[0]!r}. Fix: a customer with no purchase has no recency or "
                f"frequency; analyse such customers separately (e.g. as prospects) or drop them."
            )
    values = transactions[amount].to_numpy(dtype=float) if amount is not None else None
    return codes, labels, order, dates, values


def _future_check(periods: np.ndarray, end_period: int, dates: pd.Series, name: str, column: str,
                  end: pd.Timestamp, what: str) -> None:
    bad = periods > end_period
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{name}: column {column!r} has {int(bad.sum())} dates after {what} "
            f"{end.date()} of {len(periods)} rows, e.g. {dates.iloc[position]} "
            f"(row {dates.index[position]}). Fix: filter the transactions to the observation "
            f"window first, or use calibration_holdout_summary() for a holdout split."
        )


def _summarise(codes, n_customers, periods, values, end_period, scale):
    """Core BTYD aggregation on integer periods (vectorised, one sort)."""
    first = np.full(n_customers, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n_customers, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, codes, periods)
    np.maximum.at(last, codes, periods)
    low = int(first.min())
    span = int(last.max()) - low + 1
    key = codes * span + (periods - low)
    key.sort()
    distinct = np.empty(len(key), dtype=bool)
    distinct[0] = True
    np.not_equal(key[1:], key[:-1], out=distinct[1:])
    n_periods = np.bincount(key[distinct] // span, minlength=n_customers)
    del key, distinct
    frequency = (n_periods - 1).astype(float)
    out = {
        "frequency": frequency,
        "recency": (last - first) / scale,
        "T": (end_period - first) / scale,
    }
    if values is not None:
        total = np.bincount(codes, weights=values, minlength=n_customers)
        in_first = periods == first[codes]
        first_total = np.bincount(codes[in_first], weights=values[in_first], minlength=n_customers)
        with np.errstate(invalid="ignore", divide="ignore"):
            monetary = np.where(frequency > 0, (total - first_total) / frequency, 0.0)
        out["monetary_value"] = monetary
    return out


# --------------------------------------------------------------------------- level 1
def clv_simple(margin_per_period, periods, retention=1.0, discount_rate=0.0, *, timing="end"):
    """Lifetime value of one customer from a margin per period, retention and a discount rate.

    ``CLV = sum_{t=1..periods} margin * retention**(t-1) / (1 + discount_rate)**k`` with
    ``k = t`` when margins arrive at the end of each period (``timing="end"``) or
    ``k = t - 1`` at the start (``timing="start"``, the Gupta & Lehmann 2003 convention).
    The customer is present in the first period; ``retention`` is the chance of staying
    from one period to the next. Rates are per period (convert an annual rate to monthly
    with ``(1 + annual) ** (1 / 12) - 1``).

    Parameters
    ----------
    margin_per_period : float
        Margin (or revenue) the customer brings in each period, >= 0.
    periods : int or None
        Number of periods; None means an infinite horizon (needs retention < 1 or a rate > 0).
    retention : float, default 1.0
        Per-period retention rate in [0, 1].
    discount_rate : float, default 0.0
        Per-period discount rate, >= 0.
    timing : {"end", "start"}
        When in each period the margin arrives.

    Returns
    -------
    float

    Examples
    --------
    >>> clv_simple(1500, 120)                       # FedEx: 1,500 x 12 x 10
    180000.0
    >>> round(clv_simple(100, None, retention=0.8, discount_rate=0.1, timing="start"), 2)
    366.67
    """
    for label, value in [("margin_per_period", margin_per_period), ("retention", retention),
                         ("discount_rate", discount_rate)]:
        if not np.isfinite(value) or value < 0:
            raise DataError(f"{label}={value!r} must be a non-negative number. Fix: pass e.g. {label}=0.1.")
    if retention > 1:
        raise DataError(f"retention={retention!r} is a share and must lie in [0, 1]. Fix: pass 0.8 for 80%.")
    if timing not in ("end", "start"):
        raise DataError(f"timing={timing!r} must be 'end' or 'start'.")
    shift = 1 if timing == "end" else 0
    ratio = retention / (1.0 + discount_rate)
    if periods is None:
        if ratio >= 1:
            raise DataError("An infinite horizon needs retention < 1 or discount_rate > 0. "
                            "Fix: pass a finite number of periods.")
        return float(margin_per_period / (1.0 + discount_rate) ** shift / (1.0 - ratio))
    if periods < 0 or int(periods) != periods:
        raise DataError(f"periods={periods!r} must be a whole number >= 0 (or None for no end).")
    t = np.arange(1, int(periods) + 1)
    flows = margin_per_period * retention ** (t - 1) / (1.0 + discount_rate) ** (t - 1 + shift)
    return float(flows.sum())


# --------------------------------------------------------------------------- level 2
def clv_summary(transactions, *, customer="customer_id", date="ship_date", amount=None,
                observation_end=None, freq="D", customers=None):
    """BTYD summary per customer: frequency, recency, T and (with ``amount``) monetary_value.

    Exactly the quantities of Fader, Hardie & Lee (2005) as computed by lifetimes'
    ``summary_data_from_transaction_data``: transactions are grouped into periods of
    ``freq``; ``frequency`` is the number of periods with a purchase after the first
    (repeat purchases), ``recency`` the time from the first to the last purchase period,
    ``T`` the time from the first purchase period to ``observation_end``, and
    ``monetary_value`` the mean spend per repeat period (0 without repeats).

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction (e.g. shipments).
    customer, date, amount : str
        Column names; ``amount=None`` leaves out monetary_value.
    observation_end : date-like, optional
        End of the observation window; default the last transaction date. Transactions
        after it are an error (use :func:`calibration_holdout_summary` to split).
    freq : {"D", "W", "h"}
        Time unit of recency and T.
    customers : list-like, optional
        Customers that must appear; a listed customer without transactions is an error.

    Returns
    -------
    DataFrame indexed by customer (sorted), float columns frequency, recency, T[, monetary_value].

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "a"],
    ...                    "ship_date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-03", "2024-01-05"]),
    ...                    "revenue": [1.0, 2.0, 3.0, 4.0]})
    >>> clv_summary(tx, amount="revenue")
                 frequency  recency    T  monetary_value
    customer_id
    a                  1.0      4.0  4.0             6.0
    b                  0.0      0.0  2.0             0.0
    """
    name = "transactions"
    freq = _check_freq(freq)
    codes, labels, order, dates, values = _transactions(transactions, customer, date, amount, name,
                                                        customers=customers)
    periods = _period_numbers(dates, freq)
    if observation_end is None:
        end_period = int(periods.max())
    else:
        end = as_timestamp(observation_end, what="observation_end")
        end_period = int(_period_numbers(pd.Series([end]).astype("datetime64[ns]"), freq)[0])
        _future_check(periods, end_period, dates, name, date, end, "observation_end")
    out = _summarise(codes, len(labels), periods, values, end_period, 1.0)
    table = pd.DataFrame(out, index=labels)
    return table.iloc[order]


def calibration_holdout_summary(transactions, calibration_end, observation_end=None, *,
                                customer="customer_id", date="ship_date", amount=None, freq="D"):
    """Split transactions at ``calibration_end``: BTYD summary before, repeat purchases after.

    Equal to lifetimes' ``calibration_and_holdout_data``: the calibration summary
    (``frequency_cal``, ``recency_cal``, ``T_cal``[, ``monetary_value_cal``]) covers
    transactions up to and including ``calibration_end``; ``frequency_holdout`` counts the
    purchase periods in (calibration_end, observation_end], ``monetary_value_holdout`` (with
    ``amount``) the mean holdout transaction value; ``duration_holdout`` is the
    holdout length in ``freq`` units. Only customers seen in calibration are kept.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "a", "b"],
    ...                    "ship_date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-03",
    ...                                                 "2024-01-12", "2024-01-13"])})
    >>> print(calibration_holdout_summary(tx, "2024-01-07", "2024-01-14").to_string())
                 frequency_cal  recency_cal  T_cal  frequency_holdout  duration_holdout
    customer_id
    a                      1.0          4.0    6.0                1.0               7.0
    b                      0.0          0.0    4.0                1.0               7.0
    """
    name = "transactions"
    freq = _check_freq(freq)
    money = as_list(amount)
    require(transactions, columns=[customer, date, *money], numeric=money, non_negative=money,
            no_nan=[customer, date, *money], name=name)
    cal_end = as_timestamp(calibration_end, what="calibration_end")
    dates = _naive_dates(as_dates(transactions[date], column=date, name=name))
    if observation_end is None:
        obs_end = dates.max()
    else:
        obs_end = as_timestamp(observation_end, what="observation_end")
    if obs_end <= cal_end:
        raise DataError(f"observation_end {obs_end} must be after calibration_end {cal_end}.")
    in_cal = (dates <= cal_end).to_numpy()
    if not in_cal.any():
        raise DataError(f"{name}: no transactions on or before calibration_end {cal_end.date()}. "
                        f"Fix: choose a later calibration_end.")
    after = (dates > obs_end).to_numpy()
    if after.any():
        _future_check(after.astype(np.int64), 0, dates, name, date, obs_end, "observation_end")
    cal = clv_summary(transactions.loc[in_cal], customer=customer, date=date, amount=amount,
                      observation_end=cal_end, freq=freq)
    cal.columns = [f"{c}_cal" for c in cal.columns]
    hold = transactions.loc[~in_cal, [customer]].copy()
    hold["_period"] = _period_numbers(dates[~in_cal], freq)
    counts = hold.drop_duplicates().groupby(customer, observed=True).size()
    cal["frequency_holdout"] = counts.reindex(cal.index).fillna(0).astype(float).to_numpy()
    if amount is not None:
        hold[amount] = transactions.loc[~in_cal, amount].to_numpy(dtype=float)
        spend = hold.groupby(customer, observed=True)[amount].mean()
        cal["monetary_value_holdout"] = spend.reindex(cal.index).fillna(0.0).to_numpy()
    end_p = _period_numbers(pd.Series([obs_end]).astype("datetime64[ns]"), freq)[0]
    cal_p = _period_numbers(pd.Series([cal_end]).astype("datetime64[ns]"), freq)[0]
    cal["duration_holdout"] = float(end_p - cal_p)
    return cal


def _btyd_columns(summary, frequency, recency, T, name):
    require(summary, columns=[frequency, recency, T], numeric=[frequency, recency, T],
            non_negative=[frequency, recency, T], no_nan=[frequency, recency, T], name=name)
    x = summary[frequency].to_numpy(dtype=float)
    t_x = summary[recency].to_numpy(dtype=float)
    big_t = summary[T].to_numpy(dtype=float)
    bad = t_x > big_t + 1e-9
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{name}: {int(bad.sum())} rows have {recency} > {T}, e.g. row "
                        f"{summary.index[i]} ({t_x[i]} > {big_t[i]}). Fix: recency is time from "
                        f"first to last purchase and cannot exceed T; rebuild with clv_summary().")
    bad = (x > 0) & (t_x <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{name}: {int(bad.sum())} rows have repeat purchases but {recency} = 0, "
                        f"e.g. row {summary.index[i]}. Fix: rebuild the summary with clv_summary().")
    return x, t_x, big_t


# --------------------------------------------------------------------------- BG/NBD
def _bgnbd_data(x, t_x, big_t):
    """Arrays for the BG/NBD likelihood: terms that depend on x only are summed per unique x."""
    rep = x > 0
    xu, counts = np.unique(x, return_counts=True)
    return {"xu": xu, "wu": counts.astype(float), "total": float(len(x)),
            "T0": big_t[~rep], "x": x[rep], "t_x": t_x[rep], "T": big_t[rep]}


def _bgnbd_loglik(log_params, d):
    """Total BG/NBD log-likelihood and gradient w.r.t. log-parameters (FHL 2005, eq. 6).

    LL_i = A1 + A2 + log(exp(A3) + [x > 0] exp(A4)) with
    A1 = lnG(r+x) - lnG(r) + r ln(alpha), A2 = lnG(a+b) + lnG(b+x) - lnG(b) - lnG(a+b+x),
    A3 = -(r+x) ln(alpha+T), A4 = ln(a) - ln(b+x-1) - (r+x) ln(alpha+t_x).
    Sums use ``np.sum`` of products rather than BLAS dot products, which are slower for
    one-dimensional arrays on a busy machine.
    """
    r, alpha, a, b = np.exp(log_params)
    xu, wu, total = d["xu"], d["wu"], d["total"]
    # A1 + A2: functions of x only, summed over the distinct frequencies
    psi_ab, psi_abx = special.digamma(a + b), special.digamma(a + b + xu)
    ll = np.sum(wu * (special.gammaln(r + xu) - special.gammaln(r) + special.gammaln(a + b)
                      + special.gammaln(b + xu) - special.gammaln(b) - special.gammaln(a + b + xu)))
    ll += r * np.log(alpha) * total
    d_r = np.sum(wu * (special.digamma(r + xu) - special.digamma(r))) + np.log(alpha) * total
    d_alpha = r / alpha * total
    d_a = np.sum(wu * (psi_ab - psi_abx))
    d_b = np.sum(wu * (psi_ab + special.digamma(b + xu) - special.digamma(b) - psi_abx))
    # customers without repeat purchases: the tail is A3 = -r ln(alpha + T)
    l0 = np.log(alpha + d["T0"])
    ll -= r * l0.sum()
    d_r -= l0.sum()
    d_alpha -= r * np.sum(1.0 / (alpha + d["T0"]))
    # repeat customers: log(exp(A3) + exp(A4)), with weights w3 + w4 = 1
    x, t_x, big_t = d["x"], d["t_x"], d["T"]
    rx = r + x
    l_t = np.log(alpha + big_t)
    l_tx = np.log(alpha + t_x)
    bx1 = b + x - 1.0
    a3 = -rx * l_t
    a4 = np.log(a) - np.log(bx1) - rx * l_tx
    high = np.maximum(a3, a4)
    e3, e4 = np.exp(a3 - high), np.exp(a4 - high)
    norm = e3 + e4
    w4 = e4 / norm
    w3 = 1.0 - w4
    ll += np.sum(high + np.log(norm))
    d_r -= np.sum(w3 * l_t + w4 * l_tx)
    d_alpha -= np.sum(rx * (w3 / (alpha + big_t) + w4 / (alpha + t_x)))
    d_a += np.sum(w4) / a
    d_b -= np.sum(w4 / bx1)
    return float(ll), np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])


def _collapse(*columns):
    """Unique rows of the given columns and their counts (weights)."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


def _fit(negloglik, start, names):
    # L-BFGS-B on log-parameters, boxed to exp(+-30): unbounded BFGS can take one huge step
    # into a region where the likelihood underflows and never come back.
    result = optimize.minimize(negloglik, np.log(start), jac=True, method="L-BFGS-B",
                               bounds=[(-30.0, 30.0)] * len(start),
                               options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000, "maxcor": 20})
    if not np.all(np.isfinite(result.x)):
        raise DataError("The model did not converge (parameters ran off to infinity). "
                        "Fix: check the summary has enough repeat buyers and a sensible time unit.")
    params = np.exp(result.x)
    # standard errors from a numerical Hessian of the analytic gradient (natural parameters)
    h = 1e-5
    k = len(params)
    hess = np.empty((k, k))
    for j in range(k):
        up, down = params.copy(), params.copy()
        up[j] *= 1 + h
        down[j] *= 1 - h
        g_up = negloglik(np.log(up))[1] / up
        g_down = negloglik(np.log(down))[1] / down
        hess[:, j] = (g_up - g_down) / (2 * h * params[j])
    hess = (hess + hess.T) / 2
    try:
        variance = np.diag(np.linalg.inv(hess))
    except np.linalg.LinAlgError:
        variance = np.full(k, np.nan)
    # a non-positive variance means the optimum is flat or on a boundary: no standard error
    se = np.sqrt(np.where(variance > 0, variance, np.nan))
    return pd.Series(params, index=names), pd.Series(se, index=names), -float(result.fun), result


def _converged(result) -> bool:
    inside = np.all(np.abs(result.x) < 29.0)  # not stopped at the box around log-parameters
    return bool(result.success and inside)


def _summary_frame(params, se):
    z = 1.959963984540054
    return pd.DataFrame({"estimate": params, "se": se, "low": params - z * se,
                         "high": params + z * se}).rename_axis("parameter")


class BetaGeo:
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

    While active, a customer buys at a Poisson rate (gamma heterogeneity: ``r``, ``alpha``);
    after any purchase they drop out with a probability (beta heterogeneity: ``a``, ``b``).

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [0, 2, 5, 1, 0, 3], "recency": [0, 10, 30, 5, 0, 20],
    ...                         "T": [40, 40, 40, 35, 30, 38]})
    >>> model = BetaGeo().fit(summary)
    >>> list(model.params_.index)
    ['r', 'alpha', 'a', 'b']
    """

    def __init__(self):
        self.params_ = None

    def fit(self, summary, *, frequency="frequency", recency="recency", T="T"):
        """Fit to a BTYD summary (one row per customer); returns self."""
        require_frame(summary, name="summary", min_rows=2)
        x, t_x, big_t = _btyd_columns(summary, frequency, recency, T, "summary")
        if not (x > 0).any():
            raise DataError("summary: no customer has a repeat purchase (frequency > 0), so "
                            "the purchase rate cannot be estimated. Fix: use a longer window.")
        scale = float(np.max(big_t)) or 1.0  # fit in scaled time for stable numbers
        data = _bgnbd_data(x, t_x / scale, big_t / scale)

        def negloglik(log_params):
            value, grad = _bgnbd_loglik(log_params, data)
            return -value, -grad

        start = np.array([1.0, 1.0, 1.0, 1.0])
        params, se, ll, res = _fit(negloglik, start, ["r", "alpha", "a", "b"])
        # alpha is a time scale: undo the scaling (the likelihood changes by r*log(scale) per row)
        params["alpha"] *= scale
        se["alpha"] *= scale
        self.params_ = params
        self.standard_errors_ = se
        self.log_likelihood_ = ll - float(np.sum(x) * np.log(scale))
        self.n_customers_ = len(x)
        self.converged_ = _converged(res)
        self._data = (x, t_x, big_t, summary.index)
        return self

    def _check_fitted(self):
        if self.params_ is None:
            raise DataError("This model is not fitted yet. Fix: call .fit(summary) first.")

    def summary(self):
        """Parameter estimates with standard errors and 95% intervals (a DataFrame)."""
        self._check_fitted()
        return _summary_frame(self.params_, self.standard_errors_)

    def _columns(self, summary, frequency, recency, T):
        self._check_fitted()
        if summary is None:
            x, t_x, big_t, index = self._data
            return x, t_x, big_t, index
        x, t_x, big_t = _btyd_columns(summary, frequency, recency, T, "summary")
        return x, t_x, big_t, summary.index

    def expected_purchases(self, t, summary=None, *, frequency="frequency", recency="recency", T="T"):
        """Expected purchases in the next ``t`` time units, per customer (FHL 2005, eq. 10)."""
        x, t_x, big_t, index = self._columns(summary, frequency, recency, T)
        t = np.asarray(t, dtype=float)
        if np.any(t < 0):
            raise DataError("t must be >= 0 (a length of time in the summary's unit).")
        r, alpha, a, b = self.params_.to_numpy()
        z = t / (alpha + big_t + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        first = (a + b + x - 1.0) / (a - 1.0)
        second = 1.0 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp
        bx1 = np.where(x > 0, b + x - 1.0, 1.0)
        odds = np.where(x > 0, a / bx1 * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0.0)
        return pd.Series(first * second / (1.0 + odds), index=index, name="expected_purchases")

    def probability_alive(self, summary=None, *, frequency="frequency", recency="recency", T="T"):
        """Probability each customer is still active at the end of observation (FHL 2005, eq. 11)."""
        x, t_x, big_t, index = self._columns(summary, frequency, recency, T)
        r, alpha, a, b = self.params_.to_numpy()
        bx1 = np.where(x > 0, b + x - 1.0, 1.0)
        log_odds = np.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        p = np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds)), 1.0)
        return pd.Series(p, index=index, name="probability_alive")

    def expected_purchases_population(self, t):
        """Expected purchases of a new customer in a period of length ``t`` (FHL 2005, eq. 9)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t = np.asarray(t, dtype=float)
        hyp = special.hyp2f1(r, b, a + b - 1.0, t / (alpha + t))
        return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp)

    def probability_of_purchases(self, n, t):
        """P(X(t) = n) for a new customer, n = 0, 1, ... (FHL 2005, eq. 8)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t = np.asarray(t, dtype=float)
        n = int(n)
        lbeta_ab = special.betaln(a, b)
        log_p_t = np.log(t / (alpha + t)) if n > 0 else 0.0
        term1 = np.exp(special.betaln(a, b + n) - lbeta_ab + special.gammaln(r + n)
                       - special.gammaln(r) - special.gammaln(n + 1)
                       + r * np.log(alpha / (alpha + t)) + n * log_p_t)
        if n == 0:
            return term1
        j = np.arange(n)
        inner = np.exp(special.gammaln(r + j) - special.gammaln(r) - special.gammaln(j + 1)
                       + np.multiply.outer(np.log(t / (alpha + t)), j))
        partial = (alpha / (alpha + t)) ** r * inner.sum(axis=-1)
        return term1 + np.exp(special.betaln(a + 1, b + n - 1) - lbeta_ab) * (1.0 - partial)

    def repeat_table(self, max_frequency=7):
        """Customers by number of repeat purchases: actual vs expected under the model."""
        self._check_fitted()
        x, _, big_t, _ = self._data
        rows = []
        tail_expected = np.ones(len(big_t))
        for n in range(max_frequency):
            p = self.probability_of_purchases(n, big_t)
            tail_expected = tail_expected - p
            rows.append((str(n), int(np.sum(x == n)), float(p.sum())))
        rows.append((f"{max_frequency}+", int(np.sum(x >= max_frequency)), float(tail_expected.sum())))
        return pd.DataFrame(rows, columns=["repeat_purchases", "actual", "expected"]).set_index(
            "repeat_purchases")

    def plot(self, ax=None, max_frequency=7):
        """Bar chart of customers by repeat purchases, actual vs model; returns the Axes."""
        import matplotlib.pyplot as plt

        table = self.repeat_table(max_frequency)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        positions = np.arange(len(table))
        ax.bar(positions - 0.2, table["actual"], width=0.4, label="actual")
        ax.bar(positions + 0.2, table["expected"], width=0.4, label="BG/NBD expected")
        ax.set_xticks(positions, table.index)
        ax.set_xlabel("repeat purchases in the calibration period (count)")
        ax.set_ylabel("customers (count)")
        ax.set_title("BG/NBD fit: customers by number of repeat purchases")
        ax.legend()
        return ax


# --------------------------------------------------------------------------- Gamma-Gamma
def _gg_loglik(log_params, x, m, w):
    """Gamma-Gamma log-likelihood of mean spend and its gradient (Fader & Hardie 2013, eq. 3)."""
    p, q, g = np.exp(log_params)
    px = p * x
    lgm = np.log(g + x * m)
    ll = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(g)
          + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * lgm)
    psi = special.digamma(px + q)
    d_p = x * (psi - special.digamma(px) + np.log(m) + np.log(x) - lgm)
    d_q = psi - special.digamma(q) + np.log(g) - lgm
    d_g = q / g - (px + q) / (g + x * m)
    grad = np.array([np.sum(w * d_p) * p, np.sum(w * d_q) * q, np.sum(w * d_g) * g])
    return float(np.sum(w * ll)), grad


class GammaGamma:
    """Gamma-Gamma model of average spend per transaction (Fader & Hardie 2013).

    Fitted on customers with at least one repeat purchase (``frequency > 0``) and their
    mean repeat spend ``monetary_value``. Assumes spend is independent of frequency.

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [1, 2, 3, 1, 4, 2, 0],
    ...                         "monetary_value": [20.0, 35.0, 28.0, 15.0, 40.0, 22.0, 0.0]})
    >>> model = GammaGamma().fit(summary)
    >>> list(model.params_.index)
    ['p', 'q', 'gamma']
    """

    def __init__(self):
        self.params_ = None

    def fit(self, summary, *, frequency="frequency", monetary_value="monetary_value"):
        """Fit to a summary with frequency and monetary_value columns; returns self."""
        require(summary, columns=[frequency, monetary_value], numeric=[frequency, monetary_value],
                non_negative=[frequency, monetary_value], no_nan=[frequency, monetary_value],
                name="summary")
        x = summary[frequency].to_numpy(dtype=float)
        m = summary[monetary_value].to_numpy(dtype=float)
        rep = x > 0
        bad = rep & (m <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"summary: {int(bad.sum())} repeat customers have {monetary_value} = 0, "
                            f"e.g. row {summary.index[i]}. Fix: the Gamma-Gamma model needs positive "
                            f"spend; drop zero-value transactions or those customers.")
        if rep.sum() < 3:
            raise DataError(f"summary: only {int(rep.sum())} customers have repeat purchases; the "
                            f"Gamma-Gamma model needs several. Fix: use a longer window.")
        (ux, um), w = _collapse(x[rep], m[rep])
        scale = float(np.mean(m[rep]))  # spend in units of its mean for stable numbers

        def negloglik(log_params):
            value, grad = _gg_loglik(log_params, ux, um / scale, w)
            return -value, -grad

        params, se, ll, res = _fit(negloglik, np.array([1.0, 1.0, 1.0]), ["p", "q", "gamma"])
        params["gamma"] *= scale
        se["gamma"] *= scale
        self.params_ = params
        self.standard_errors_ = se
        self.log_likelihood_ = ll - float(np.sum(w)) * np.log(scale)
        self.n_customers_ = int(rep.sum())
        self.converged_ = _converged(res)
        return self

    def summary(self):
        """Parameter estimates with standard errors and 95% intervals (a DataFrame)."""
        if self.params_ is None:
            raise DataError("This model is not fitted yet. Fix: call .fit(summary) first.")
        return _summary_frame(self.params_, self.standard_errors_)

    def expected_spend(self, summary, *, frequency="frequency", monetary_value="monetary_value"):
        """Expected mean spend per future transaction, per customer (Fader & Hardie 2013, eq. 5).

        Customers without repeat purchases get the population mean ``p * gamma / (q - 1)``.
        """
        if self.params_ is None:
            raise DataError("This model is not fitted yet. Fix: call .fit(summary) first.")
        require(summary, columns=[frequency, monetary_value], numeric=[frequency, monetary_value],
                non_negative=[frequency, monetary_value], no_nan=[frequency, monetary_value],
                name="summary")
        p, q, g = self.params_.to_numpy()
        x = summary[frequency].to_numpy(dtype=float)
        m = summary[monetary_value].to_numpy(dtype=float)
        value = p * (g + x * m) / (p * x + q - 1.0)
        return pd.Series(value, index=summary.index, name="expected_spend")


# --------------------------------------------------------------------------- CLV
def clv(purchases, spend, summary, *, horizon=12, period_length=30.0, discount_rate=0.01,
        margin=1.0, frequency="frequency", recency="recency", T="T",
        monetary_value="monetary_value"):
    """Discounted expected value of each customer's future purchases (BG/NBD x Gamma-Gamma).

    ``CLV_i = sum_{k=1..horizon} margin * spend_i * (E[X_i(k L)] - E[X_i((k-1) L)]) / (1+d)^k``
    with ``L = period_length`` in the summary's time unit (30 days by default, so
    ``horizon=12`` is a year of monthly cash flows and ``discount_rate`` is monthly).
    The same sum as lifetimes' ``customer_lifetime_value``.

    Parameters
    ----------
    purchases : BetaGeo
        Fitted purchase model.
    spend : GammaGamma
        Fitted spend model.
    summary : DataFrame
        BTYD summary (e.g. from :func:`clv_summary` with ``amount``).

    Returns
    -------
    DataFrame per customer: probability_alive, expected_purchases (over the horizon),
    expected_spend, clv.
    """
    if not isinstance(purchases, BetaGeo) or not isinstance(spend, GammaGamma):
        raise DataError("clv needs a fitted BetaGeo and a fitted GammaGamma model, in that order.")
    if horizon < 1 or int(horizon) != horizon or period_length <= 0 or discount_rate < 0 or margin < 0:
        raise DataError("horizon must be a whole number >= 1, period_length > 0, "
                        "discount_rate >= 0 and margin >= 0.")
    columns = dict(frequency=frequency, recency=recency, T=T)
    money = spend.expected_spend(summary, frequency=frequency, monetary_value=monetary_value)
    total = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for k in range(1, int(horizon) + 1):
        current = purchases.expected_purchases(k * period_length, summary, **columns).to_numpy()
        total += (current - previous) / (1.0 + discount_rate) ** k
        previous = current
    out = pd.DataFrame({
        "probability_alive": purchases.probability_alive(summary, **columns).to_numpy(),
        "expected_purchases": previous,
        "expected_spend": money.to_numpy(),
        "clv": margin * money.to_numpy() * total,
    }, index=summary.index)
    return out


def holdout_comparison(purchases, cal_holdout, *, max_frequency=7, bins=None):
    """Mean predicted vs actual holdout purchases, by calibration repeat purchases.

    ``cal_holdout`` comes from :func:`calibration_holdout_summary`; ``purchases`` is a
    :class:`BetaGeo` fitted on its ``*_cal`` columns. By default one row per calibration
    frequency 0 .. ``max_frequency - 1`` plus a row pooling ``max_frequency`` and more (the
    layout of Fader, Hardie & Lee 2005, Figure 4); for frequent buyers pass ``bins``, the
    left edges of frequency classes (e.g. ``[0, 10, 25, 50, 100]``). Columns: customers,
    actual and predicted mean holdout purchases.

    Examples
    --------
    >>> cal = pd.DataFrame({"frequency_cal": [0, 2, 5, 1, 0, 3], "recency_cal": [0, 10, 30, 5, 0, 20],
    ...                     "T_cal": [40, 40, 40, 35, 30, 38], "frequency_holdout": [0, 1, 4, 0, 1, 2],
    ...                     "duration_holdout": 20})
    >>> model = BetaGeo().fit(cal, frequency="frequency_cal", recency="recency_cal", T="T_cal")
    >>> table = holdout_comparison(model, cal, bins=[0, 1, 3])
    >>> table.index.tolist(), table["customers"].tolist()
    (['0', '1-2', '3+'], [2, 2, 2])
    """
    require(cal_holdout, columns=["frequency_cal", "recency_cal", "T_cal", "frequency_holdout",
                                  "duration_holdout"], name="cal_holdout")
    predicted = purchases.expected_purchases(
        cal_holdout["duration_holdout"].to_numpy(), cal_holdout,
        frequency="frequency_cal", recency="recency_cal", T="T_cal")
    x = cal_holdout["frequency_cal"].to_numpy()
    if bins is None:
        edges = np.arange(int(max_frequency) + 1)
    else:
        edges = np.asarray(sorted(bins), dtype=float)
        if len(edges) < 1 or edges[0] > x.min():
            raise DataError(f"bins={bins!r}: the first edge must be at most the smallest "
                            f"frequency_cal ({x.min():g}). Fix: start the bins at 0.")
    order = np.searchsorted(edges, x, side="right") - 1
    names = []
    for i, low in enumerate(edges):
        if i == len(edges) - 1:
            names.append(f"{low:g}+")
        elif edges[i + 1] - low == 1:
            names.append(f"{low:g}")
        else:
            names.append(f"{low:g}-{edges[i + 1] - 1:g}")
    frame = pd.DataFrame({"order": order, "group": np.asarray(names, dtype=object)[order],
                          "actual": cal_holdout["frequency_holdout"].to_numpy(),
                          "predicted": predicted.to_numpy()})
    table = (frame.groupby(["order", "group"]).agg(customers=("actual", "size"),
                                                   actual=("actual", "mean"),
                                                   predicted=("predicted", "mean"))
             .reset_index("order", drop=True).rename_axis("repeat_purchases_cal"))
    return table


def plot_holdout(table, ax=None):
    """Line chart of :func:`holdout_comparison`: actual vs predicted mean holdout purchases."""
    import matplotlib.pyplot as plt

    require(table, columns=["actual", "predicted"], name="table")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    positions = np.arange(len(table))
    ax.plot(positions, table["actual"], marker="o", label="actual")
    ax.plot(positions, table["predicted"], marker="s", linestyle="--", label="BG/NBD predicted")
    ax.set_xticks(positions, table.index)
    ax.set_xlabel("repeat purchases in the calibration period (count)")
    ax.set_ylabel("mean purchases in the holdout period (count)")
    ax.set_title("Holdout check: predicted vs actual purchases")
    ax.legend()
    return ax
