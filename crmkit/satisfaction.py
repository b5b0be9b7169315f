"""Customer satisfaction (客户满意度) from surveys: reliability, scores, index, NPS, drivers, IPA, SERVQUAL gaps.

Survey items follow the bundled layout: Likert items ``<dimension>_<k>`` (1-5) for each
service dimension, one expectation item ``expect_<dimension>`` per dimension,
``overall_satisfaction`` (1-7), ``recommend`` (0-10) and ``intention_to_stay`` (1-5).
Pass your own column names and scales by keyword.

Examples
--------
>>> import pandas as pd
>>> items = pd.DataFrame({"q1": [1, 2, 4, 5, 3], "q2": [2, 2, 4, 5, 3], "q3": [1, 3, 5, 4, 3]})
>>> round(cronbach_alpha(items), 3)
0.945
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from crmkit.errors import DataError, as_flags, as_list, require, require_columns, require_frame, require_in_range

__all__ = [
    "DIMENSIONS",
    "DIMENSION_LABELS",
    "item_columns",
    "cronbach_alpha",
    "alpha_interval",
    "item_analysis",
    "reliability",
    "dimension_scores",
    "satisfaction_index",
    "nps",
    "drivers",
    "DriverResult",
    "ipa",
    "IPAResult",
    "servqual_gaps",
    "experience_before",
]

#: The six service-quality dimensions of the bundled survey.
DIMENSIONS = ("timeliness", "condition", "information", "staff", "handling", "price")

#: English and Chinese names of the dimensions, for tables and plots.
DIMENSION_LABELS = {
    "timeliness": "timeliness 时效",
    "condition": "condition 货物完好",
    "information": "information 信息查询",
    "staff": "staff contact 员工服务",
    "handling": "problem handling 问题处理",
    "price": "price/value 价格",
}

#: Plot labels: English only, because CJK fonts are missing on many machines.
PLOT_LABELS = {"timeliness": "timeliness", "condition": "condition", "information": "information",
               "staff": "staff contact", "handling": "problem handling", "price": "price/value"}

QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


def item_columns(surveys: pd.DataFrame, dimension: str, *, name: str = "surveys") -> list[str]:
    """Columns named ``<dimension>_<k>`` (k = 1, 2, ...), in item order.

    >>> item_columns(pd.DataFrame(columns=["staff_2", "staff_1", "staff_x", "price_1"]), "staff")
    ['staff_1', 'staff_2']
    """
    require_frame(surveys, name=name, min_rows=0)
    pattern = re.compile(rf"^{re.escape(dimension)}_(\d+)$")
    found = sorted((int(m.group(1)), c) for c in surveys.columns
                   if isinstance(c, str) and (m := pattern.match(c)))
    if not found:
        shown = ", ".join(map(repr, list(surveys.columns)[:12]))
        raise DataError(
            f"{name}: no item columns for dimension {dimension!r} (expected names like "
            f"'{dimension}_1', '{dimension}_2'). Columns present: {shown}. "
            f"Fix: rename your items or pass items={{'{dimension}': [...]}}."
        )
    return [c for _, c in found]


def _item_map(surveys, dimensions, items, name):
    """{dimension: [item columns]} from ``items`` (dict) or the ``<dimension>_<k>`` naming."""
    if items is not None:
        if not isinstance(items, dict) or not items:
            raise DataError("items must be a dict {dimension: [item columns]}. Fix: e.g. items={'speed': ['q1', 'q2']}.")
        mapping = {d: as_list(cols) for d, cols in items.items()}
        require_columns(surveys, [c for cols in mapping.values() for c in cols], name=name)
        return mapping
    dimensions = as_list(dimensions)
    if not dimensions:
        raise DataError("no dimensions given. Fix: pass dimensions=['timeliness', ...].")
    return {d: item_columns(surveys, d, name=name) for d in dimensions}


def _check_items(frame: pd.DataFrame, columns, *, scale, name: str, min_items: int = 2,
                 missing: str = "raise") -> pd.DataFrame:
    """Validate Likert items and return a float copy (listwise-deleted if asked)."""
    columns = as_list(columns)
    require_frame(frame, name=name)
    if len(columns) < min_items:
        raise DataError(
            f"{name}: {len(columns)} item column(s) given ({', '.join(map(repr, columns)) or 'none'}); "
            f"at least {min_items} are needed. Fix: a scale's reliability needs two or more items."
        )
    if missing not in ("raise", "listwise"):
        raise DataError(f"missing must be 'raise' or 'listwise', got {missing!r}.")
    require(frame, columns=columns, numeric=columns, name=name)
    data = frame[columns].astype(float)
    if missing == "listwise":
        data = data.dropna()
    else:
        require(frame, no_nan=columns, name=name)
    if scale is not None:
        low, high = scale
        require_in_range(data, columns, low, high, name=name)
    if len(data) < 2:
        raise DataError(f"{name}: {len(data)} complete response(s); at least 2 are needed. Fix: collect more responses.")
    sd = data.std(ddof=1)
    constant = sd.index[~(sd > 0)]
    if len(constant):
        raise DataError(
            f"{name}: item {constant[0]!r} is constant (every response is {data[constant[0]].iloc[0]:g}); "
            f"a constant item carries no information and breaks correlations. "
            f"Fix: drop it from the scale or check the data export."
        )
    return data


def _alpha(data: pd.DataFrame) -> float:
    cov = data.cov().to_numpy()
    k = cov.shape[0]
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


def cronbach_alpha(items: pd.DataFrame, columns=None, *, scale=None, missing: str = "raise") -> float:
    """Cronbach's alpha of a multi-item scale: k/(k-1) · (1 - Σ item variances / variance of the sum).

    Parameters
    ----------
    items : DataFrame
        One row per respondent; the item columns (all columns if ``columns`` is None).
    scale : (low, high), optional
        Allowed answers, e.g. ``(1, 5)``; values outside raise DataError.
    missing : {"raise", "listwise"}
        Reject missing answers, or drop incomplete responses first.

    Returns
    -------
    float
        Alpha (Cronbach 1951); equals ``pingouin.cronbach_alpha`` on complete data.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]})
    >>> round(cronbach_alpha(items, scale=(1, 5)), 4)
    0.9474
    """
    require_frame(items, name="items")
    columns = list(items.columns) if columns is None else as_list(columns)
    data = _check_items(items, columns, scale=scale, name="items", missing=missing)
    return _alpha(data)


def alpha_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) confidence interval for Cronbach's alpha from ``n`` respondents and ``k`` items.

    >>> [round(x, 3) for x in alpha_interval(0.8, n=100, k=4)]
    [0.727, 0.857]
    """
    if n < 2 or k < 2:
        raise DataError(f"alpha_interval needs n >= 2 and k >= 2, got n={n}, k={k}.")
    a = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.isf(a / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - a / 2, df1, df2)
    return float(low), float(high)


def item_analysis(items: pd.DataFrame, columns=None, *, scale=None, missing: str = "raise") -> pd.DataFrame:
    """Per item: mean, SD, corrected item-total correlation and alpha if the item is deleted.

    The corrected item-total correlation correlates an item with the sum of the *other*
    items; an item whose deletion raises alpha is a candidate to rewrite or drop.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [5, 1, 4, 2, 3]})
    >>> item_analysis(items).round(2)
          mean    sd  item_total_r  alpha_if_deleted
    item
    a      3.0  1.58          0.35             -0.62
    b      3.2  1.30          0.51             -0.86
    c      3.0  1.58         -0.28              0.91
    """
    require_frame(items, name="items")
    columns = list(items.columns) if columns is None else as_list(columns)
    data = _check_items(items, columns, scale=scale, name="items", missing=missing)
    total = data.sum(axis=1)
    rows = []
    for c in columns:
        rest = total - data[c]
        r = float(np.corrcoef(data[c], rest)[0, 1]) if rest.std() > 0 else np.nan
        others = [x for x in columns if x != c]
        a = _alpha(data[others]) if len(others) >= 2 else np.nan
        rows.append((c, data[c].mean(), data[c].std(ddof=1), r, a))
    out = pd.DataFrame(rows, columns=["item", "mean", "sd", "item_total_r", "alpha_if_deleted"])
    return out.set_index("item")


def reliability(surveys: pd.DataFrame, dimensions=DIMENSIONS, *, items: dict | None = None,
                scale=(1, 5), level: float = 0.95, missing: str = "raise") -> pd.DataFrame:
    """Cronbach's alpha with a Feldt interval for each dimension's items.

    Returns one row per dimension: ``n_items``, ``n``, ``alpha``, ``low``, ``high`` and
    the weakest item (lowest corrected item-total correlation).

    Examples
    --------
    >>> s = pd.DataFrame({"speed_1": [1, 2, 4, 5, 3], "speed_2": [2, 2, 4, 5, 3]})
    >>> reliability(s, ["speed"])[["n_items", "n", "alpha"]].round(3)
               n_items  n  alpha
    dimension
    speed            2  5  0.976
    """
    name = "surveys"
    require_frame(surveys, name=name)
    mapping = _item_map(surveys, dimensions, items, name)
    rows = []
    for dim, cols in mapping.items():
        data = _check_items(surveys, cols, scale=scale, name=name, missing=missing)
        a = _alpha(data)
        low, high = alpha_interval(a, len(data), len(cols), level)
        ia = item_analysis(data)
        rows.append((dim, len(cols), len(data), a, low, high, ia["item_total_r"].idxmin(),
                     ia["item_total_r"].min()))
    out = pd.DataFrame(rows, columns=["dimension", "n_items", "n", "alpha", "low", "high",
                                      "weakest_item", "weakest_item_total_r"])
    return out.set_index("dimension")


def dimension_scores(surveys: pd.DataFrame, dimensions=DIMENSIONS, *, items: dict | None = None,
                     scale=(1, 5), id: str = "response_id") -> pd.DataFrame:
    """Each respondent's score on each dimension: the mean of its items (on the item scale).

    Returns one row per response (index ``id`` if that column exists), one column per dimension.

    Examples
    --------
    >>> s = pd.DataFrame({"response_id": ["R1", "R2"], "speed_1": [1, 4], "speed_2": [3, 5]})
    >>> dimension_scores(s, ["speed"])
                 speed
    response_id
    R1             2.0
    R2             4.5
    """
    name = "surveys"
    require_frame(surveys, name=name)
    mapping = _item_map(surveys, dimensions, items, name)
    every = [c for cols in mapping.values() for c in cols]
    require(surveys, columns=every, numeric=every, no_nan=every, name=name)
    if scale is not None:
        require_in_range(surveys, every, scale[0], scale[1], name=name)
    out = pd.DataFrame({d: surveys[cols].astype(float).mean(axis=1) for d, cols in mapping.items()})
    if id in surveys.columns:
        out.index = pd.Index(surveys[id].to_numpy(), name=id)
    else:
        out.index.name = "response"
    out.columns.name = None
    return out


DEFAULT_SCALES = {"overall_satisfaction": (1, 7), "recommend": (0, 10), "intention_to_stay": (1, 5)}


def satisfaction_index(surveys: pd.DataFrame, weights: dict | None = None, *, dimensions=DIMENSIONS,
                       items: dict | None = None, scales: dict | None = None, item_scale=(1, 5),
                       id: str = "response_id") -> pd.DataFrame:
    """A 0-100 customer satisfaction index per respondent (ACSI-style rescaling).

    Every component is rescaled to 0-100 as ``100 · (x - low) / (high - low)`` (the
    ACSI reports its indices this way, Fornell et al. 1996) and combined with the stated
    ``weights``. Default weights: overall satisfaction 0.5 and the service dimensions
    sharing the other 0.5 equally (1/12 each for six dimensions). The weights are
    returned in ``result.attrs["weights"]``.

    Parameters
    ----------
    weights : dict, optional
        ``{component: weight}``; a component is a dimension name or a column such as
        ``"overall_satisfaction"``. Weights are normalised to sum to 1.
    scales : dict, optional
        ``{column: (low, high)}`` for non-dimension components
        (defaults: overall_satisfaction 1-7, recommend 0-10, intention_to_stay 1-5).

    Returns
    -------
    DataFrame
        One row per response: each component on 0-100 and ``index``.

    Examples
    --------
    >>> s = pd.DataFrame({"overall_satisfaction": [7, 1], "speed_1": [5, 1], "speed_2": [5, 3]})
    >>> satisfaction_index(s, dimensions=["speed"])["index"].tolist()
    [100.0, 12.5]
    """
    name = "surveys"
    require_frame(surveys, name=name)
    dims = list(items) if items is not None else as_list(dimensions)
    if weights is None:
        weights = {"overall_satisfaction": 0.5, **{d: 0.5 / len(dims) for d in dims}}
    if not isinstance(weights, dict) or not weights:
        raise DataError("weights must be a non-empty dict {component: weight}.")
    bad = {k: v for k, v in weights.items() if not (np.isfinite(v) and v >= 0)}
    if bad or sum(weights.values()) <= 0:
        raise DataError(f"weights must be non-negative numbers with a positive sum, got {weights}.")
    scales = {**DEFAULT_SCALES, **(scales or {})}
    dim_parts = [k for k in weights if k in dims]
    columns = [k for k in weights if k not in dims]
    for c in columns:
        if c not in scales:
            require_columns(surveys, [c], name=name)
            raise DataError(f"no scale known for component {c!r}. Fix: pass scales={{{c!r}: (low, high)}}.")
    require(surveys, columns=columns, numeric=columns, no_nan=columns, name=name)
    for c in columns:
        require_in_range(surveys, [c], *scales[c], name=name)
    out = pd.DataFrame(index=surveys.index)
    if dim_parts:
        sub_items = {d: items[d] for d in dim_parts} if items is not None else None
        scores = dimension_scores(surveys, dim_parts, items=sub_items, scale=item_scale, id="__none__")
        for d in dim_parts:
            out[d] = 100 * (scores[d].to_numpy() - item_scale[0]) / (item_scale[1] - item_scale[0])
    for c in columns:
        low, high = scales[c]
        out[c] = 100 * (surveys[c].astype(float) - low) / (high - low)
    total = sum(weights.values())
    w = {k: v / total for k, v in weights.items()}
    out["index"] = sum(out[k] * w[k] for k in weights)
    out.index = pd.Index(surveys[id].to_numpy(), name=id) if id in surveys.columns else out.index.rename("response")
    out.attrs["weights"] = w
    return out


def nps(scores, *, column: str = "recommend", by=None, level: float = 0.95) -> pd.DataFrame:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), with an interval.

    The interval is the normal approximation with the multinomial variance of a
    difference of two shares, Var = (p₊ + p₋ - (p₊ - p₋)²)/n.

    Parameters
    ----------
    scores : Series or DataFrame
        0-10 answers to "how likely are you to recommend us?"; a DataFrame needs ``column``.
    by : str or list, optional
        Group columns of the DataFrame.

    Returns
    -------
    DataFrame
        ``n``, ``promoters``, ``passives``, ``detractors`` (shares), ``nps`` (-100..100),
        ``low``, ``high``; one row per group.

    Examples
    --------
    >>> nps(pd.Series([10, 9, 8, 7, 6, 0, 10, 10]))[["n", "promoters", "detractors", "nps"]]
       n  promoters  detractors   nps
    0  8        0.5        0.25  25.0
    """
    if isinstance(scores, pd.Series):
        if by is not None:
            raise DataError("by= needs a DataFrame. Fix: pass the survey table and column=.")
        frame = scores.to_frame(name=column)
    else:
        frame = scores
    name = "surveys"
    by = as_list(by)
    require(frame, columns=[column, *by], numeric=[column], no_nan=[column, *by], name=name)
    require_in_range(frame, [column], 0, 10, name=name)
    values = frame[column].astype(float)
    not_int = values != np.round(values)
    if not_int.any():
        raise DataError(f"{name}: column {column!r} has {int(not_int.sum())} non-integer answers, "
                        f"e.g. {values[not_int].iloc[0]}. Fix: NPS uses whole numbers 0-10.")
    z = stats.norm.ppf(0.5 + level / 2)
    work = pd.DataFrame({"pro": values >= 9, "det": values <= 6})
    for b in by:
        work[b] = frame[b]
    grouped = work.groupby(by, observed=True) if by else [((), work)]
    rows = []
    for key, g in grouped:
        n = len(g)
        p, d = g["pro"].mean(), g["det"].mean()
        se = np.sqrt(max(p + d - (p - d) ** 2, 0) / n)
        rows.append((*(key if isinstance(key, tuple) else (key,)), n, p, 1 - p - d, d,
                     100 * (p - d), 100 * max(p - d - z * se, -1), 100 * min(p - d + z * se, 1)))
    out = pd.DataFrame(rows, columns=[*by, "n", "promoters", "passives", "detractors", "nps", "low", "high"])
    return out.set_index(by) if by else out


def _standardise(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    sd = frame.std(ddof=1)
    flat = sd.index[~(sd > 0)]
    if len(flat):
        raise DataError(f"{name}: {flat[0]!r} is constant across respondents; it cannot explain differences. "
                        f"Fix: drop it from the analysis.")
    return (frame - frame.mean()) / sd


@dataclass
class DriverResult:
    """Key-driver analysis: effect of each service dimension on overall satisfaction."""

    table: pd.DataFrame
    method: str
    outcome: str
    model: object = field(repr=False)
    n: int = 0
    se_type: str = "classical"

    def summary(self) -> pd.DataFrame:
        """One row per dimension, strongest first: coef, se, low, high, p_value, rank,
        correlation (derived importance), importance (share of the positive effects)."""
        return self.table.copy()

    def plot(self, ax=None):
        """Dot-and-interval plot of the effects, strongest on top. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 3.5))
        t = self.table.iloc[::-1]
        y = np.arange(len(t))
        ax.errorbar(t["coef"], y, xerr=[t["coef"] - t["low"], t["high"] - t["coef"]], fmt="o",
                    color="#1f4e79", ecolor="grey", capsize=3)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [PLOT_LABELS.get(d, d) for d in t.index])
        unit = ("points of overall satisfaction per SD of the dimension score" if self.method == "ols"
                else "log-odds of higher satisfaction per SD of the dimension score")
        ax.set_xlabel(f"effect ({unit}), 95% CI\nstandard errors: {self.se_type}", fontsize=9)
        ax.set_ylabel("service dimension")
        ax.set_title(f"What drives {self.outcome.replace('_', ' ')} ({'OLS' if self.method == 'ols' else 'ordinal logit'}, n={self.n})")
        return ax


def drivers(surveys: pd.DataFrame, outcome: str = "overall_satisfaction", dimensions=DIMENSIONS, *,
            method: str = "ols", items: dict | None = None, scale=(1, 5), outcome_scale=(1, 7),
            cluster: str | None = "customer_id", level: float = 0.95) -> DriverResult:
    """Which service dimensions move overall satisfaction (key-driver analysis).

    Regresses ``outcome`` on the standardised dimension scores (mean of each dimension's
    items, z-scored), so each coefficient is the change in the outcome for a one-SD
    better score on that dimension, holding the others fixed.

    ``method="ols"`` uses statsmodels OLS (coefficient in outcome points, e.g. 1-7);
    ``method="ordinal"`` fits an ordered logit (statsmodels ``OrderedModel``), the
    better-founded model for a 1-5/1-7 rating, with coefficients in log-odds.
    Derived importance is the correlation of each dimension with the outcome, and
    ``importance`` each positive coefficient's share of their sum.

    When the same customer answers several survey waves, their answers are not
    independent; with ``cluster`` (default ``"customer_id"``, used when that column
    exists) the intervals are cluster-robust by customer. ``cluster=None`` gives
    classical standard errors. ``result.se_type`` says which were used.

    Returns
    -------
    DriverResult
        ``.summary()`` (one row per dimension, strongest first), ``.plot()``, ``.model``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = pd.DataFrame({f"{d}_{k}": rng.integers(1, 6, 200) for d in ["a", "b"] for k in (1, 2)})
    >>> s["overall_satisfaction"] = np.clip(np.round(s["a_1"] * 0.8 + 1), 1, 7)
    >>> drivers(s, dimensions=["a", "b"]).summary().index.tolist()
    ['a', 'b']
    """
    name = "surveys"
    if method not in ("ols", "ordinal"):
        raise DataError(f"method must be 'ols' or 'ordinal', got {method!r}.")
    require(surveys, columns=[outcome], numeric=[outcome], no_nan=[outcome], name=name, min_rows=2)
    if outcome_scale is not None:
        require_in_range(surveys, [outcome], *outcome_scale, name=name)
    scores = dimension_scores(surveys, dimensions, items=items, scale=scale, id="__none__")
    if scores.shape[1] < 1:
        raise DataError("drivers needs at least one dimension.")
    y = surveys[outcome].astype(float).to_numpy()
    if np.std(y) == 0:
        raise DataError(f"{name}: outcome {outcome!r} is constant; nothing to explain. Fix: check the column.")
    if len(y) <= scores.shape[1] + 2:
        raise DataError(f"{name}: {len(y)} responses for {scores.shape[1]} dimensions; too few to estimate. "
                        f"Fix: collect more responses.")
    z = _standardise(scores, name).reset_index(drop=True)
    fit_kw, se_type = {}, "classical"
    if cluster is not None and cluster in surveys.columns:
        require(surveys, no_nan=[cluster], name=name)
        groups = pd.factorize(surveys[cluster])[0]
        if groups.max() + 1 < len(groups):
            fit_kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
            se_type = f"cluster-robust by {cluster} ({groups.max() + 1:,} clusters)"
    corr = pd.Series({d: float(np.corrcoef(scores[d], y)[0, 1]) for d in scores.columns})
    if method == "ols":
        model = sm.OLS(y, sm.add_constant(z)).fit(**fit_kw)
        params, bse, pv = model.params[z.columns], model.bse[z.columns], model.pvalues[z.columns]
        ci = model.conf_int(alpha=1 - level).loc[z.columns]
    else:
        from statsmodels.miscmodels.ordinal_model import OrderedModel

        levels = np.sort(np.unique(y))
        if len(levels) < 3:
            raise DataError(f"{name}: outcome {outcome!r} has {len(levels)} distinct value(s); an ordinal "
                            f"model needs at least 3. Fix: use method='ols' or a finer outcome.")
        endog = pd.Series(pd.Categorical(y, categories=levels, ordered=True))
        model = OrderedModel(endog, z, distr="logit").fit(method="bfgs", disp=False, maxiter=500, **fit_kw)
        params, bse, pv = model.params[z.columns], model.bse[z.columns], model.pvalues[z.columns]
        ci = model.conf_int(alpha=1 - level).loc[z.columns]
    table = pd.DataFrame({"coef": params, "se": bse, "low": ci.iloc[:, 0], "high": ci.iloc[:, 1],
                          "p_value": pv, "correlation": corr})
    positive = table["coef"].clip(lower=0)
    table["importance"] = positive / positive.sum() if positive.sum() > 0 else np.nan
    table = table.sort_values("coef", ascending=False)
    table.insert(5, "rank", np.arange(1, len(table) + 1))
    table.index.name = "dimension"
    return DriverResult(table=table, method=method, outcome=outcome, model=model, n=len(y), se_type=se_type)


@dataclass
class IPAResult:
    """Importance-performance analysis: one point per dimension, four quadrants."""

    table: pd.DataFrame
    importance_cut: float
    performance_cut: float
    importance_label: str
    performance_label: str

    def summary(self) -> pd.DataFrame:
        """One row per dimension: performance (with a 95% t interval), importance, quadrant."""
        return self.table.copy()

    def plot(self, ax=None):
        """The IPA grid: performance on x, importance on y, quadrant names in the corners. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 5.5))
        t = self.table
        colours = {"concentrate here": "#c0392b", "keep up the good work": "#27ae60",
                   "low priority": "#7f8c8d", "possible overkill": "#e67e22"}
        for dim, row in t.iterrows():
            if "performance_low" in row:
                ax.plot([row["performance_low"], row["performance_high"]], [row["importance"]] * 2,
                        color=colours[row["quadrant"]], lw=1.2, alpha=0.7)
            ax.scatter(row["performance"], row["importance"], s=70, color=colours[row["quadrant"]], zorder=3)
            ax.annotate(PLOT_LABELS.get(dim, dim), (row["performance"], row["importance"]),
                        textcoords="offset points", xytext=(6, 4), fontsize=9)
        ax.axvline(self.performance_cut, color="grey", ls="--", lw=1)
        ax.axhline(self.importance_cut, color="grey", ls="--", lw=1)
        lo = t.get("performance_low", t["performance"]).min()
        hi = t.get("performance_high", t["performance"]).max()
        xpad = max(hi - lo, 0.1) * 0.25
        ypad = max(t["importance"].max() - t["importance"].min(), 0.01) * 0.35
        ax.set_xlim(lo - xpad, hi + xpad)
        ax.set_ylim(t["importance"].min() - ypad, t["importance"].max() + ypad)
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        for (hi_imp, hi_perf), label in QUADRANTS.items():
            ax.text(x1 if hi_perf else x0, y1 if hi_imp else y0, label, ha="right" if hi_perf else "left",
                    va="top" if hi_imp else "bottom", fontsize=9, style="italic", color=colours[label])
        ax.set_xlabel(self.performance_label)
        ax.set_ylabel(self.importance_label)
        ax.set_title("Importance-performance analysis of service dimensions\n(bars: 95% interval of performance)", fontsize=11)
        return ax


def ipa(surveys: pd.DataFrame, outcome: str = "overall_satisfaction", dimensions=DIMENSIONS, *,
        importance: str = "coef", items: dict | None = None, scale=(1, 5), outcome_scale=(1, 7),
        cut: str = "mean") -> IPAResult:
    """Importance-performance analysis (Martilla & James 1977) of the service dimensions.

    Performance is the mean dimension score (on the item scale); importance is derived
    from the data: the OLS driver coefficient (``importance="coef"``) or the correlation
    with the outcome (``"correlation"``). The grid is cut at the mean of each axis
    (``cut="mean"``) or the median (``"median"``). Quadrants: high importance and low
    performance = "concentrate here"; high/high = "keep up the good work";
    low/low = "low priority"; low importance, high performance = "possible overkill".
    Performance comes with a 95% interval: when the dimensions' intervals overlap the
    cut, their side of the performance axis is not established by the data.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = pd.DataFrame({f"{d}_{k}": rng.integers(1, 6, 200) for d in ["a", "b"] for k in (1, 2)})
    >>> s["overall_satisfaction"] = np.clip(np.round(s["a_1"] * 0.8 + 1), 1, 7)
    >>> ipa(s, dimensions=["a", "b"]).summary()["quadrant"].tolist()
    ['keep up the good work', 'low priority']
    """
    if importance not in ("coef", "correlation"):
        raise DataError(f"importance must be 'coef' or 'correlation', got {importance!r}.")
    if cut not in ("mean", "median"):
        raise DataError(f"cut must be 'mean' or 'median', got {cut!r}.")
    result = drivers(surveys, outcome, dimensions, items=items, scale=scale, outcome_scale=outcome_scale)
    scores = dimension_scores(surveys, dimensions, items=items, scale=scale, id="__none__")
    half = stats.t.ppf(0.975, len(scores) - 1) * scores.std(ddof=1) / np.sqrt(len(scores))
    table = pd.DataFrame({"performance": scores.mean(), "performance_low": scores.mean() - half,
                          "performance_high": scores.mean() + half,
                          "importance": result.table[importance].reindex(scores.columns)})
    table.index.name = "dimension"
    agg = np.mean if cut == "mean" else np.median
    icut, pcut = float(agg(table["importance"])), float(agg(table["performance"]))
    table["quadrant"] = [QUADRANTS[(imp >= icut, perf >= pcut)]
                         for imp, perf in zip(table["importance"], table["performance"])]
    ilabel = ("importance: effect on overall satisfaction (points per SD)" if importance == "coef"
              else "importance: correlation with overall satisfaction (r)")
    plabel = f"performance: mean score ({scale[0]}-{scale[1]} scale)" if scale else "performance: mean score"
    return IPAResult(table=table.sort_values("importance", ascending=False), importance_cut=icut,
                     performance_cut=pcut, importance_label=ilabel, performance_label=plabel)


def servqual_gaps(surveys: pd.DataFrame, dimensions=DIMENSIONS, *, items: dict | None = None,
                  expectation: str = "expect_{dimension}", scale=(1, 5), level: float = 0.95) -> pd.DataFrame:
    """SERVQUAL-style gap scores: perception minus expectation per dimension (Parasuraman et al. 1988).

    Perception is the dimension score (mean of its items); expectation the column named by
    ``expectation`` (a format string). A negative gap means the service falls short of what
    customers expected. The interval is the paired t interval of the mean gap.

    Returns
    -------
    DataFrame
        One row per dimension, largest shortfall first: ``n``, ``perception``,
        ``expectation``, ``gap``, ``low``, ``high``, ``p_value`` (paired t-test).

    Examples
    --------
    >>> s = pd.DataFrame({"speed_1": [3, 4, 2], "speed_2": [3, 4, 4], "expect_speed": [5, 4, 5]})
    >>> servqual_gaps(s, ["speed"])[["perception", "expectation", "gap"]].round(2)
               perception  expectation   gap
    dimension
    speed            3.33         4.67 -1.33
    """
    name = "surveys"
    require_frame(surveys, name=name, min_rows=2)
    scores = dimension_scores(surveys, dimensions, items=items, scale=scale, id="__none__")
    expect_cols = {d: expectation.format(dimension=d) for d in scores.columns}
    cols = list(expect_cols.values())
    require(surveys, columns=cols, numeric=cols, no_nan=cols, name=name)
    if scale is not None:
        require_in_range(surveys, cols, *scale, name=name)
    rows = []
    for d, c in expect_cols.items():
        e = surveys[c].astype(float).to_numpy()
        p = scores[d].to_numpy()
        gap = p - e
        n = len(gap)
        mean, se = gap.mean(), gap.std(ddof=1) / np.sqrt(n)
        t = stats.t.ppf(0.5 + level / 2, n - 1)
        pval = float(stats.ttest_rel(p, e).pvalue) if se > 0 else np.nan
        rows.append((d, n, p.mean(), e.mean(), mean, mean - t * se, mean + t * se, pval))
    out = pd.DataFrame(rows, columns=["dimension", "n", "perception", "expectation", "gap", "low", "high", "p_value"])
    return out.set_index("dimension").sort_values("gap")


def experience_before(surveys: pd.DataFrame, shipments: pd.DataFrame, *, window_days: int = 90,
                      customer: str = "customer_id", date: str = "date", ship_date: str = "ship_date",
                      on_time: str = "on_time", damaged: str = "damaged", lost: str = "lost",
                      id: str = "response_id") -> pd.DataFrame:
    """What each respondent experienced before answering: shipments and failure shares in a window.

    For each survey response, counts the customer's shipments sent in the ``window_days``
    days before the survey date (the survey day excluded) and the shares that were late,
    damaged or lost. Links the operational KPIs to what customers then say.

    Returns
    -------
    DataFrame
        One row per response: ``shipments``, ``late_share``, ``damaged_share``,
        ``lost_share`` (NaN when the customer sent nothing in the window).

    Examples
    --------
    >>> sv = pd.DataFrame({"response_id": ["R1"], "customer_id": ["A"], "date": pd.to_datetime(["2024-03-01"])})
    >>> sh = pd.DataFrame({"customer_id": ["A", "A", "A"], "ship_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-03-05"]),
    ...                    "on_time": [False, True, False], "damaged": [False] * 3, "lost": [False] * 3})
    >>> experience_before(sv, sh)[["shipments", "late_share"]]
                 shipments  late_share
    response_id
    R1                   2         0.5
    """
    from crmkit.errors import as_dates

    require(surveys, columns=[customer, date], dates=[date], no_nan=[customer, date], name="surveys")
    require(shipments, columns=[customer, ship_date, on_time, damaged, lost], dates=[ship_date],
            no_nan=[customer, ship_date, on_time, damaged, lost], name="shipments")
    if not (isinstance(window_days, (int, np.integer)) and window_days > 0):
        raise DataError(f"window_days must be a positive whole number of days, got {window_days!r}.")
    codes, uniques = pd.factorize(pd.concat([shipments[customer].astype(str), surveys[customer].astype(str)],
                                            ignore_index=True))
    ship_code, survey_code = codes[: len(shipments)], codes[len(shipments):]
    ship_day = as_dates(shipments[ship_date], column=ship_date, name="shipments").to_numpy("datetime64[D]").astype(np.int64)
    survey_day = as_dates(surveys[date], column=date, name="surveys").to_numpy("datetime64[D]").astype(np.int64)
    span = int(max(ship_day.max(), survey_day.max()) - min(ship_day.min(), survey_day.min()) + window_days + 2)
    base = int(min(ship_day.min(), survey_day.min())) - window_days - 1
    key = ship_code.astype(np.int64) * span + (ship_day - base)
    order = np.argsort(key, kind="stable")
    key = key[order]
    flags = np.column_stack([~as_flags(shipments[on_time], column=on_time, name="shipments").to_numpy(dtype=bool),
                             as_flags(shipments[damaged], column=damaged, name="shipments").to_numpy(dtype=bool),
                             as_flags(shipments[lost], column=lost, name="shipments").to_numpy(dtype=bool)])[order]
    cum = np.vstack([np.zeros((1, 3)), np.cumsum(flags, axis=0)])
    hi_key = survey_code.astype(np.int64) * span + (survey_day - base)          # exclusive: before the survey day
    lo_key = hi_key - window_days
    hi = np.searchsorted(key, hi_key, side="left")
    lo = np.searchsorted(key, lo_key, side="left")
    count = hi - lo
    sums = cum[hi] - cum[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(count[:, None] > 0, sums / np.maximum(count, 1)[:, None], np.nan)
    out = pd.DataFrame({"shipments": count, "late_share": shares[:, 0], "damaged_share": shares[:, 1],
                        "lost_share": shares[:, 2]})
    out.index = pd.Index(surveys[id].to_numpy(), name=id) if id in surveys.columns else surveys.index.rename("response")
    return out
