"""Interactive explorers (ipywidgets) built on the crmkit functions, each with a plain function underneath.

Four explorers, one per question a manager turns over in class:

- :func:`clv_explorer` over :func:`clv_table`, which calls :func:`crmkit.clv.clv_simple`;
- :func:`rfm_explorer` over :func:`rfm_segment_summary` (:func:`crmkit.value.rfm_scores`,
  :func:`crmkit.value.rfm_segments`);
- :func:`ipa_explorer` over :func:`ipa_table` (:func:`crmkit.satisfaction.ipa`);
- :func:`churn_threshold_explorer` over :func:`churn_threshold_table` and
  :func:`churn_threshold_curve` (:func:`crmkit.churn.evaluate`).

The plain functions are what papermill runs headless and what the tests call; the
explorers only add controls. Each explorer is an :class:`Explorer` (an ``ipywidgets.VBox``)
whose ``controls`` dict holds the sliders and menus, ``table`` (an HTML widget) shows the
plain function's result and ``chart`` (an Image widget) its picture; both are redrawn
when a control changes, in JupyterLab or when a script sets ``controls[name].value``.

Examples
--------
>>> clv_table(100, retention=0.8, discount_rate=0.0, horizon=3)["cumulative_clv"].round(2).tolist()
[100.0, 180.0, 244.0]
>>> explorer = clv_explorer(margin=100, retention=0.8, discount_rate=0.0, horizon=3)
>>> explorer.controls["retention"].value = 0.5
>>> round(float(explorer.result["cumulative_clv"].iloc[-1]), 2)
175.0
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
import pandas as pd

from crmkit.churn import evaluate
from crmkit.clv import clv_simple
from crmkit.errors import DataError, require
from crmkit.satisfaction import DIMENSIONS, ipa
from crmkit.value import RFM_SEGMENT_RULES, rfm_scores, rfm_segments, rfm_table

__all__ = [
    "Explorer",
    "clv_table",
    "clv_explorer",
    "threshold_rules",
    "rfm_segment_summary",
    "rfm_explorer",
    "ipa_table",
    "ipa_explorer",
    "churn_threshold_table",
    "churn_threshold_curve",
    "churn_threshold_explorer",
]


# --------------------------------------------------------------------------- the explorer frame
def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    return str(value)


def _shorten(table: pd.DataFrame) -> pd.DataFrame:
    return table if len(table) <= 20 else table.iloc[np.r_[0:10, len(table) - 5:len(table)]]


def _html(table: pd.DataFrame, digits: int = 3) -> str:
    return table.to_html(float_format=lambda x: f"{x:,.{digits}f}", border=0, na_rep="")


class Explorer(widgets.VBox):
    """An explorer: controls above, a headline, a chart and a table, redrawn when a control changes.

    Parameters
    ----------
    title : str
    controls : dict of name -> ipywidgets control; their values are passed by name to
    compute : callable(**values) -> DataFrame or result object with ``.summary()``
    draw : callable(result, ax, **values) drawing on a matplotlib Axes
    headline : callable(result, **values) -> HTML text, optional
    shown : callable(table) -> DataFrame, optional
        The rows to show; default: all, or the first 10 and last 5 of a longer table.

    Attributes
    ----------
    controls, headline, table, chart, error : the widgets
    result : the last value ``compute`` returned
    n_updates : how many times the explorer has redrawn
    """

    def __init__(self, title, controls, compute, draw, headline=None, shown=None):
        self.controls = dict(controls)
        self._title = title
        self._compute, self._draw = compute, draw
        self._headline = headline or (lambda result, **values: "")
        self.headline = widgets.HTML()
        self.table = widgets.HTML()
        self._shown = shown or _shorten
        self.chart = widgets.Image(format="png", layout=widgets.Layout(width="480px", height="auto",
                                                                       flex="0 0 auto"))
        self.error = widgets.HTML()
        self.result = None
        self.n_updates = 0
        boxes = [widgets.HTML(f"<b>{title}</b>"),
                 widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
                 self.error, self.headline, widgets.HBox([self.chart, self.table],
                                                                layout=widgets.Layout(align_items="flex-start"))]
        super().__init__(boxes)
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self.update()

    def _changed(self, change) -> None:
        self.update()

    def static_html(self) -> str:
        """The current headline, chart and table as plain HTML (no live controls)."""
        import base64

        settings = ", ".join(f"{name} = {_shown(value)}" for name, value in self.values().items())
        image = base64.b64encode(self.chart.value).decode("ascii")
        return (f"<div><p><b>{self._title}</b> (static view; open the notebook in JupyterLab to move "
                f"the controls)<br><small>{settings}</small></p><p>{self.headline.value}</p>"
                f"<img src='data:image/png;base64,{image}'/>{self.table.value}</div>")

    def _repr_mimebundle_(self, **kwargs):
        # JupyterLab shows the live widget; a page rendered without widget state (nbconvert's
        # HTML of an executed notebook) falls back to this static view.
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.static_html()
        return bundle

    def values(self) -> dict:
        """Current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        """Recompute with the current control values and redraw; a DataError is shown, not raised."""
        import matplotlib.pyplot as plt

        values = self.values()
        try:
            result = self._compute(**values)
        except DataError as error:
            self.error.value = f"<span style='color:#c0392b'>{error}</span>"
            return
        self.error.value = ""
        self.result = result
        table = result.summary() if hasattr(result, "summary") else result
        self.table.value = _html(self._shown(table))
        self.headline.value = self._headline(result, **values)
        fig, ax = plt.subplots(figsize=(6, 4))
        self._draw(result, ax, **values)
        self.chart.value = _png(fig)
        self.n_updates += 1


def _slider(kind, value, low, high, step, description, readout_format=None):
    style = {"description_width": "initial"}
    layout = widgets.Layout(width=f"{max(300, 8 * len(description) + 220)}px")  # room for the track
    if kind == "int":
        return widgets.IntSlider(value=value, min=low, max=high, step=step, description=description,
                                 continuous_update=False, style=style, layout=layout)
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=False, style=style, layout=layout,
                               readout_format=readout_format or ".2f")


# --------------------------------------------------------------------------- lifetime value
def clv_table(margin=1500.0, retention=0.9, discount_rate=0.01, horizon=120, *, timing="end"):
    """Period by period build-up of a customer's lifetime value (客户终身价值).

    ``cumulative_clv`` after period t is :func:`crmkit.clv.clv_simple` with ``periods=t``;
    ``expected_margin`` is what period t adds (margin x chance still a customer x discount).

    Returns
    -------
    DataFrame indexed by period (1..horizon): still_customer, expected_margin, cumulative_clv.

    Examples
    --------
    >>> clv_table(1500, retention=1.0, discount_rate=0.0, horizon=120)["cumulative_clv"].iloc[-1]
    np.float64(180000.0)
    """
    if int(horizon) != horizon or horizon < 1:
        raise DataError(f"horizon={horizon!r} must be a whole number of periods >= 1.")
    horizon = int(horizon)
    cumulative = np.array([clv_simple(margin, t, retention=retention, discount_rate=discount_rate, timing=timing)
                           for t in range(1, horizon + 1)])
    periods = pd.RangeIndex(1, horizon + 1, name="period")
    return pd.DataFrame({"still_customer": float(retention) ** (np.arange(horizon)),
                         "expected_margin": np.diff(np.r_[0.0, cumulative]),
                         "cumulative_clv": cumulative}, index=periods)


def clv_explorer(margin=1500.0, retention=0.98, discount_rate=0.006, horizon=120, *, unit="USD",
                 period="month"):
    """Lifetime-value calculator: margin, retention, discount rate and horizon (per ``period``).

    The defaults are the FedEx case (1,500 USD a month for 120 months) with 2% monthly
    churn and about 7% a year discounting; set retention to 1 and discount to 0 to get
    the source's own formula.
    """
    controls = {
        "margin": widgets.FloatText(value=float(margin), description=f"margin ({unit}/{period})",
                                    style={"description_width": "initial"}),
        "retention": _slider("float", retention, 0.0, 1.0, 0.005, f"retention per {period}", ".3f"),
        "discount_rate": _slider("float", discount_rate, 0.0, 0.05, 0.001, f"discount rate per {period}", ".3f"),
        "horizon": _slider("int", int(horizon), 1, max(240, int(horizon)), 1, f"horizon ({period}s)"),
    }

    def draw(result, ax, **values):
        ax.plot(result.index, result["cumulative_clv"], color="#1f4e79")
        ax.set(xlabel=f"{period}s as a customer", ylabel=f"cumulative lifetime value ({unit})",
               title="Lifetime value builds up, period by period")
        ax.set_ylim(bottom=0)

    def headline(result, **values):
        total = result["cumulative_clv"].iloc[-1]
        return (f"Lifetime value over {len(result)} {period}s: <b>{total:,.0f} {unit}</b> "
                f"(without churn or discounting: {values['margin'] * len(result):,.0f} {unit})")

    def yearly(table):  # one row a year once the horizon is long
        return table if len(table) <= 24 else table.iloc[11::12]

    return Explorer("Customer lifetime value calculator", controls,
                    lambda **v: clv_table(**v), draw, headline, shown=yearly)


# --------------------------------------------------------------------------- RFM
def threshold_rules(r_threshold=4, f_threshold=4, bins=5):
    """Four RFM segments from two cut-offs on the 1..``bins`` R and F scores, as a rules table
    for :func:`crmkit.value.rfm_segments`.

    Examples
    --------
    >>> threshold_rules(4, 3)[["segment", "r_min", "r_max", "f_min", "f_max"]]
                 segment  r_min  r_max  f_min  f_max
    0          Champions      4      5      3      5
    1            At Risk      1      3      3      5
    2  New or Occasional      4      5      1      2
    3        Hibernating      1      3      1      2
    """
    r, f = int(r_threshold), int(f_threshold)
    if not (2 <= r <= bins and 2 <= f <= bins):
        raise DataError(f"thresholds must lie in 2..{bins} (the score range), got r={r}, f={f}.")
    return pd.DataFrame(
        [("Champions", r, bins, f, bins, "recent and frequent: reward and grow"),
         ("At Risk", 1, r - 1, f, bins, "frequent but not lately: call them now"),
         ("New or Occasional", r, bins, 1, f - 1, "recent but infrequent: make the next shipment easy"),
         ("Hibernating", 1, r - 1, 1, f - 1, "neither: low-cost reminders only")],
        columns=["segment", "r_min", "r_max", "f_min", "f_max", "strategy"])


def rfm_segment_summary(rfm, *, r_threshold=4, f_threshold=4, bins=5, scheme="thresholds"):
    """Segment sizes and value for an RFM table (from :func:`crmkit.value.rfm_table`).

    ``scheme="thresholds"`` cuts R and F scores at the two thresholds into four segments
    (:func:`threshold_rules`); ``scheme="named"`` uses the eleven named segments of
    :data:`crmkit.value.RFM_SEGMENT_RULES` (the thresholds are then ignored).

    Returns
    -------
    DataFrame indexed by segment: customers, customer_share, revenue, revenue_share,
    revenue_per_customer, mean_recency (days), mean_frequency.

    Examples
    --------
    >>> rfm = pd.DataFrame({"recency": [1, 5, 200, 300], "frequency": [20, 2, 30, 1],
    ...                     "monetary": [900.0, 50.0, 700.0, 10.0]}, index=list("abcd"))
    >>> rfm_segment_summary(rfm, r_threshold=3, f_threshold=3, bins=4)["customers"].tolist()
    [1, 1, 1, 1]
    """
    if scheme not in ("thresholds", "named"):
        raise DataError(f"scheme={scheme!r} must be 'thresholds' or 'named'.")
    require(rfm, columns=["recency", "frequency", "monetary"], name="rfm")
    if scheme == "named" and bins != 5:
        raise DataError("the named segments are defined on 1-5 scores. Fix: pass bins=5 with scheme='named'.")
    rules = threshold_rules(r_threshold, f_threshold, bins) if scheme == "thresholds" else RFM_SEGMENT_RULES
    segments = rfm_segments(rfm_scores(rfm, bins=bins), rules=rules)
    g = segments.groupby("segment", observed=False)
    table = pd.DataFrame({"customers": g.size(), "revenue": g["monetary"].sum(),
                          "mean_recency": g["recency"].mean(), "mean_frequency": g["frequency"].mean()})
    table.insert(1, "customer_share", table["customers"] / table["customers"].sum())
    table.insert(3, "revenue_share", table["revenue"] / table["revenue"].sum())
    table.insert(4, "revenue_per_customer", table["revenue"] / table["customers"].replace(0, np.nan))
    table.index.name = "segment"
    return table


def rfm_explorer(shipments, *, customer="customer_id", date="ship_date", amount="revenue", as_of=None,
                 unit="RMB"):
    """RFM segment explorer: move the R and F thresholds (or the number of score bins) and watch
    segment sizes and their share of revenue change. The RFM table is computed once."""
    rfm = rfm_table(shipments, customer=customer, date=date, amount=amount, as_of=as_of)
    controls = {
        "bins": _slider("int", 5, 3, 10, 1, "score bins"),
        "r_threshold": _slider("int", 4, 2, 5, 1, "R score threshold"),
        "f_threshold": _slider("int", 4, 2, 5, 1, "F score threshold"),
        "scheme": widgets.Dropdown(options=["thresholds", "named"], value="thresholds", description="segments"),
    }

    def follow_bins(change):
        for key in ("r_threshold", "f_threshold"):
            controls[key].max = change["new"]

    controls["bins"].observe(follow_bins, names="value")

    def draw(result, ax, **values):
        y = np.arange(len(result))
        ax.barh(y - 0.2, result["customer_share"] * 100, height=0.4, color="#7f8c8d", label="customers")
        ax.barh(y + 0.2, result["revenue_share"] * 100, height=0.4, color="#1f4e79", label="revenue")
        ax.set_yticks(y, result.index.astype(str))
        ax.invert_yaxis()
        ax.set(xlabel="share of all customers / of revenue (%)", ylabel="RFM segment",
               title="RFM segments: size against value")
        ax.legend(fontsize=8)

    def headline(result, **values):
        top = result["revenue_share"].idxmax()
        return (f"{len(rfm):,} customers. Largest revenue share: <b>{top}</b>, "
                f"{result.loc[top, 'customer_share']:.0%} of customers bring "
                f"{result.loc[top, 'revenue_share']:.0%} of revenue ({unit} {result.loc[top, 'revenue']:,.0f}).")

    return Explorer("RFM segment explorer", controls, lambda **v: rfm_segment_summary(rfm, **v), draw, headline)


# --------------------------------------------------------------------------- importance-performance
_ALL = "(all)"  # the group menu's "every answer" choice

def ipa_table(surveys, *, importance="coef", cut="mean", dimensions=DIMENSIONS, by=None, group=None,
              outcome="overall_satisfaction"):
    """Importance-performance table (:func:`crmkit.satisfaction.ipa`), optionally for one group.

    ``by``/``group`` keep only the answers where ``surveys[by] == group`` (e.g. one survey
    wave, or the key accounts); ``group=None`` keeps all.

    Returns
    -------
    :class:`crmkit.satisfaction.IPAResult` (``.summary()``: performance, importance, quadrant).
    """
    data = surveys
    if by is not None and group is not None:
        require(surveys, columns=[by], name="surveys")
        data = surveys[surveys[by] == group]
        if data.empty:
            raise DataError(f"surveys: no answers with {by} == {group!r}. Fix: pick a group that exists.")
    dimensions = list(dimensions)
    if len(dimensions) < 2:
        raise DataError("an importance-performance grid needs at least 2 dimensions. Fix: select more.")
    return ipa(data, outcome, dimensions, importance=importance, cut=cut)


def ipa_explorer(surveys, *, by="wave", outcome="overall_satisfaction"):
    """Importance-performance explorer: importance measure, cut, dimensions and (if ``by`` is a
    column) one group of answers."""
    controls = {
        "importance": widgets.Dropdown(options=["coef", "correlation"], value="coef", description="importance"),
        "cut": widgets.Dropdown(options=["mean", "median"], value="mean", description="cut at"),
        "dimensions": widgets.SelectMultiple(options=list(DIMENSIONS), value=list(DIMENSIONS),
                                             description="dimensions", rows=6),
    }
    if by is not None and by in surveys.columns:
        groups = sorted(pd.unique(surveys[by].dropna()).tolist())
        controls["group"] = widgets.Dropdown(options=[("all", _ALL)] + [(str(g), g) for g in groups],
                                             value=_ALL, description=by)

    def compute(group=_ALL, **values):
        return ipa_table(surveys, by=by, group=None if group == _ALL else group, outcome=outcome, **values)

    def draw(result, ax, **values):
        result.plot(ax=ax)

    def headline(result, **values):
        focus = result.table.index[result.table["quadrant"] == "concentrate here"].tolist()
        return ("Concentrate here: <b>" + (", ".join(focus) if focus else "none") + "</b>")

    return Explorer("Importance-performance explorer", controls, compute, draw, headline)


# --------------------------------------------------------------------------- churn threshold
def _money(label, value):
    if not np.isfinite(value) or value < 0:
        raise DataError(f"{label}={value!r} must be a number >= 0.")
    return float(value)


def churn_threshold_table(y_true, scores, threshold=0.5, *, contact_cost=50.0, churner_value=2000.0,
                          save_rate=0.3):
    """Who a churn alert at ``threshold`` reaches, and what the retention campaign earns.

    Flagged customers are contacted at ``contact_cost`` each; a contacted churner is kept
    with probability ``save_rate`` and is then worth ``churner_value``. Counts come from
    :func:`crmkit.churn.evaluate` at that threshold.

    Returns
    -------
    DataFrame with one row (index: the threshold): flagged, caught_churners, missed_churners,
    recall, precision, contact_cost, value_saved, net_value.

    Examples
    --------
    >>> t = churn_threshold_table([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.8], 0.5, contact_cost=10,
    ...                           churner_value=100, save_rate=0.5)
    >>> t[["flagged", "caught_churners", "net_value"]].iloc[0].tolist()
    [2.0, 1.0, 30.0]
    """
    contact_cost = _money("contact_cost", contact_cost)
    churner_value = _money("churner_value", churner_value)
    if not 0 <= save_rate <= 1:
        raise DataError(f"save_rate={save_rate!r} is a share in [0, 1].")
    y = np.asarray(y_true)
    ev = evaluate(y, scores, threshold=threshold, n_bins=min(10, max(2, len(y) // 2)))
    caught = ev.confusion.loc["churned", "flagged"]
    flagged = caught + ev.confusion.loc["stayed", "flagged"]
    row = {"flagged": float(flagged), "caught_churners": float(caught),
           "missed_churners": float(ev.confusion.loc["churned", "not flagged"]),
           "recall": ev.recall, "precision": ev.precision,
           "contact_cost": flagged * contact_cost, "value_saved": caught * save_rate * churner_value}
    row["net_value"] = row["value_saved"] - row["contact_cost"]
    return pd.DataFrame([row], index=pd.Index([float(threshold)], name="threshold"))


def churn_threshold_curve(y_true, scores, *, contact_cost=50.0, churner_value=2000.0, save_rate=0.3):
    """The same measures at every distinct score used as the threshold (from the ROC points of
    :func:`crmkit.churn.evaluate`), to find the threshold with the best net value.

    Returns
    -------
    DataFrame indexed by threshold (highest first): flagged, caught_churners, recall,
    precision, contact_cost, value_saved, net_value.
    """
    contact_cost = _money("contact_cost", contact_cost)
    churner_value = _money("churner_value", churner_value)
    y = np.asarray(y_true)
    ev = evaluate(y, scores, n_bins=min(10, max(2, len(y) // 2)))
    positives = ev.base_rate * ev.n
    roc = ev.roc.iloc[1:]
    caught = roc["tpr"].to_numpy() * positives
    flagged = caught + roc["fpr"].to_numpy() * (ev.n - positives)
    table = pd.DataFrame({"flagged": np.round(flagged), "caught_churners": np.round(caught),
                          "recall": roc["tpr"].to_numpy(), "precision": roc["precision"].to_numpy()},
                         index=pd.Index(roc["threshold"].to_numpy(), name="threshold"))
    table["contact_cost"] = table["flagged"] * contact_cost
    table["value_saved"] = table["caught_churners"] * save_rate * churner_value
    table["net_value"] = table["value_saved"] - table["contact_cost"]
    return table


def churn_threshold_explorer(y_true, scores, *, threshold=None, contact_cost=50.0, churner_value=2000.0,
                             save_rate=0.3, unit="RMB"):
    """Churn-threshold explorer: threshold against churners caught and contact cost.

    ``scores`` are churn probabilities (e.g. from ``ChurnModel.predict_proba``); the
    threshold slider runs over their range.
    """
    s = np.asarray(scores, dtype=float)
    low, high = float(np.nanmin(s)), float(np.nanmax(s))
    start = float(np.quantile(s, 0.8)) if threshold is None else float(threshold)
    step = max((high - low) / 200, 1e-4)
    text = {"style": {"description_width": "initial"}}
    controls = {
        "threshold": _slider("float", start, low, high, step, "alert threshold", ".3f"),
        "contact_cost": widgets.FloatText(value=float(contact_cost), description=f"contact cost ({unit})", **text),
        "churner_value": widgets.FloatText(value=float(churner_value), description=f"value of a kept churner ({unit})",
                                           **text),
        "save_rate": _slider("float", save_rate, 0.0, 1.0, 0.05, "share of contacted churners kept"),
    }
    cache = {}

    def curve(contact_cost, churner_value, save_rate):
        key = (contact_cost, churner_value, save_rate)
        if key not in cache:
            cache.clear()
            cache[key] = churn_threshold_curve(y_true, s, contact_cost=contact_cost, churner_value=churner_value,
                                               save_rate=save_rate)
        return cache[key]

    def compute(threshold, **money):
        return churn_threshold_table(y_true, s, threshold, **money)

    def draw(result, ax, threshold, **money):
        c = curve(**money)
        ax.plot(c.index, c["net_value"], color="#1f4e79", label="net value of the campaign")
        ax.plot(c.index, c["contact_cost"], color="#c0392b", ls="--", label="contact cost")
        ax.axvline(threshold, color="grey", lw=1)
        ax.axhline(0, color="black", lw=0.6)
        ax.set(xlabel="alert threshold (churn probability)", ylabel=f"{unit}",
               title="Choosing the churn alert threshold")
        ax.legend(fontsize=8)

    def headline(result, threshold, **money):
        r = result.iloc[0]
        c = curve(**money)
        best = c["net_value"].idxmax()
        return (f"At {threshold:.3f}: contact <b>{r['flagged']:,.0f}</b> customers, catch "
                f"<b>{r['caught_churners']:,.0f}</b> churners (recall {r['recall']:.0%}), net "
                f"<b>{r['net_value']:,.0f} {unit}</b>. Best threshold {best:.3f}: net "
                f"{c.loc[best, 'net_value']:,.0f} {unit}.")

    return Explorer("Churn-threshold explorer", controls, compute, draw, headline,
                    shown=lambda table: table.reset_index().iloc[0].to_frame("value").rename_axis("measure"))
