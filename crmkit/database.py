"""The integrated customer database: one view of each customer, joined from every department.

The course material (001 §3.1) asks a logistics customer database for four things: an
integrated *dynamic query* after every transaction, telling new customers from returning
and loyal ones, early warning of churn from changes in transaction behaviour (see
:mod:`crmkit.churn`), and consumption-behaviour profiles for personalised service. This
module does the first, second and fourth, from the shipments, complaints and surveys tables.

Examples
--------
>>> view = customer_view(load_dataset("customers"), load_dataset("shipments"),
...                      load_dataset("complaints"), load_dataset("surveys"))
>>> view.index.name, len(view), view["status"].value_counts().idxmax()
('customer_id', 2000, 'loyal')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crmkit.errors import DataError, as_dates, as_flags, require

__all__ = [
    "FAILURES",
    "VALUE_ADDED",
    "customer_view",
    "customer_status",
    "new_vs_returning",
    "customer_card",
    "CustomerCard",
    "behaviour_profile",
]

#: Service-failure flags on a shipment: late, damaged or lost.
FAILURES = ("late", "damaged", "lost")
#: Value-added service flags on a shipment (增值服务).
VALUE_ADDED = ("cod", "insured", "signed_receipt_return", "cold_chain")


def _as_of(dates: pd.Series, as_of) -> pd.Timestamp:
    """The reference date: given, or the last date in the data."""
    return dates.max() if as_of is None else pd.Timestamp(as_of)


def _shipment_facts(shipments: pd.DataFrame, customer: str, date: str, as_of,
                    columns=("revenue",)) -> pd.DataFrame:
    """Shipments up to ``as_of``: the customer, parsed date and the named columns (with
    ``on_time``, also a 'late' flag; a lost parcel counts as late)."""
    columns = list(columns)
    require(shipments, columns=[customer, *columns], numeric=[c for c in columns if c == "revenue"],
            dates=[date], no_nan=[customer, date], name="shipments")
    facts = shipments[[customer, *columns]].copy()
    facts[date] = as_dates(shipments[date], column=date, name="shipments")
    facts = facts[facts[date] <= _as_of(facts[date], as_of)]
    if facts.empty:
        raise DataError(f"shipments: no shipment on or before {as_of}. Fix: choose a later as_of date.")
    if "on_time" in columns:
        facts["late"] = ~as_flags(facts["on_time"], column="on_time", name="shipments").astype(bool)
    return facts


def customer_status(shipments: pd.DataFrame, *, customer: str = "customer_id", date: str = "ship_date",
                    as_of=None, new_days: int = 90, lapsed_days: int = 90,
                    loyal_months: int = 10) -> pd.DataFrame:
    """Tell new, returning, loyal and lapsed customers apart, by rules you can see and change.

    - **new**: first shipment within the last ``new_days`` days;
    - **lapsed**: no shipment in the last ``lapsed_days`` days;
    - **loyal**: shipped in at least ``loyal_months`` of the last 12 calendar months;
    - **returning**: every other active customer.

    Returns one row per customer: first and last shipment, active months in the last year,
    and ``status``.

    >>> status = customer_status(load_dataset("shipments"))
    >>> sorted(status["status"].unique())
    ['lapsed', 'loyal', 'new', 'returning']
    """
    facts = _shipment_facts(shipments, customer, date, as_of, columns=())
    as_of = _as_of(facts[date], as_of)
    last_year = facts[facts[date] > as_of - pd.DateOffset(months=12)]
    active_months = (last_year[date].dt.to_period("M").groupby(last_year[customer], observed=True)
                     .nunique().rename("active_months_last_year"))
    table = facts.groupby(customer, observed=True)[date].agg(first_shipment="min", last_shipment="max")
    table = table.join(active_months).fillna({"active_months_last_year": 0})
    table["active_months_last_year"] = table["active_months_last_year"].astype(int)
    status = pd.Series("returning", index=table.index)
    status[table["active_months_last_year"] >= loyal_months] = "loyal"
    status[table["first_shipment"] > as_of - pd.Timedelta(days=new_days)] = "new"
    status[table["last_shipment"] <= as_of - pd.Timedelta(days=lapsed_days)] = "lapsed"
    table["status"] = status
    return table


def customer_view(customers: pd.DataFrame, shipments: pd.DataFrame, complaints: pd.DataFrame | None = None,
                  surveys: pd.DataFrame | None = None, *, customer: str = "customer_id",
                  date: str = "ship_date", as_of=None, **status_rules) -> pd.DataFrame:
    """One row per customer joining profile, shipping history, service failures, complaints
    and the latest survey answer: the single customer view (客户统一视图).

    Customers without shipments keep a row (zero counts), so nobody drops out of the view.
    Complaints and surveys are optional; their columns appear only when they are given.
    ``status_rules`` (``new_days``, ``lapsed_days``, ``loyal_months``) go to :func:`customer_status`.
    """
    require(customers, columns=[customer], no_nan=[customer], name="customers")
    duplicated = customers[customer].duplicated()
    if duplicated.any():
        raise DataError(
            f"customers: column {customer!r} has {int(duplicated.sum())} duplicated ids, "
            f"e.g. {customers.loc[duplicated, customer].iloc[0]!r}. Fix: keep one row per customer.")
    facts = _shipment_facts(shipments, customer, date, as_of, columns=("revenue", "on_time", "damaged", "lost"))
    as_of = _as_of(facts[date], as_of)
    grouped = facts.groupby(customer, observed=True)
    history = grouped.agg(n_shipments=("revenue", "size"), revenue=("revenue", "sum"),
                          late=("late", "sum"), damaged=("damaged", "sum"), lost=("lost", "sum"))
    history["on_time_rate"] = 1 - history["late"] / history["n_shipments"]
    view = customers.set_index(customer).join(history).join(
        customer_status(facts, customer=customer, date=date, as_of=as_of, **status_rules))
    counts = ["n_shipments", "late", "damaged", "lost"]
    view[counts] = view[counts].fillna(0).astype(int)
    view["revenue"] = view["revenue"].fillna(0.0)
    view["status"] = view["status"].fillna("no_shipments")
    view["days_since_last_shipment"] = (as_of - view["last_shipment"]).dt.days
    if complaints is not None:
        view = view.join(_complaint_history(complaints, customer, as_of))
        view[["n_complaints", "open_complaints"]] = view[["n_complaints", "open_complaints"]].fillna(0).astype(int)
    if surveys is not None:
        view = view.join(_latest_survey(surveys, customer, as_of))
    view.index.name = customer
    return view


def _complaint_history(complaints: pd.DataFrame, customer: str, as_of) -> pd.DataFrame:
    require(complaints, columns=[customer, "resolved"], dates=["date"], name="complaints", min_rows=0)
    dated = complaints.assign(date=as_dates(complaints["date"], column="date", name="complaints"))
    dated = dated[dated["date"] <= as_of]
    open_ = ~dated["resolved"].astype(bool)
    return pd.DataFrame({
        "n_complaints": dated.groupby(customer, observed=True).size(),
        "open_complaints": open_.groupby(dated[customer], observed=True).sum(),
        "last_complaint": dated.groupby(customer, observed=True)["date"].max(),
    })


def _latest_survey(surveys: pd.DataFrame, customer: str, as_of) -> pd.DataFrame:
    """The latest overall satisfaction and recommend answers (whichever the survey has)."""
    answers = [column for column in ("overall_satisfaction", "recommend") if column in surveys.columns]
    if not answers:
        raise DataError("surveys: no column 'overall_satisfaction' or 'recommend' to show in the customer "
                        "view. Fix: rename your overall question to one of them, or leave surveys out.")
    require(surveys, columns=[customer], dates=["date"], name="surveys", min_rows=0)
    dated = surveys.assign(date=as_dates(surveys["date"], column="date", name="surveys"))
    latest = dated[dated["date"] <= as_of].sort_values("date").groupby(customer, observed=True).tail(1)
    return (latest.set_index(customer)[["date", *answers]]
            .rename(columns={"date": "last_survey", "overall_satisfaction": "last_satisfaction",
                             "recommend": "last_recommend"}))


def new_vs_returning(shipments: pd.DataFrame, *, customer: str = "customer_id", date: str = "ship_date",
                     freq: str = "M") -> pd.DataFrame:
    """Per period: how many shipping customers are new (first shipment ever) and how many return,
    with revenue from each.

    >>> new_vs_returning(load_dataset("shipments"), freq="Q").columns.tolist()
    ['new_customers', 'returning_customers', 'new_revenue', 'returning_revenue', 'new_share']
    """
    facts = _shipment_facts(shipments, customer, date, None)
    period = facts[date].dt.to_period(freq)
    first_period = period.groupby(facts[customer], observed=True).transform("min")
    kind = (period == first_period).map({True: "new", False: "returning"})
    totals = (facts.groupby([period.rename("period"), kind.rename("kind")], observed=True)
              .agg(customers=(customer, "nunique"), revenue=("revenue", "sum"))
              .unstack("kind", fill_value=0)
              .reindex(columns=pd.MultiIndex.from_product([["customers", "revenue"], ["new", "returning"]]),
                       fill_value=0))
    table = pd.DataFrame({
        "new_customers": totals[("customers", "new")],
        "returning_customers": totals[("customers", "returning")],
        "new_revenue": totals[("revenue", "new")].astype(float),
        "returning_revenue": totals[("revenue", "returning")].astype(float),
    })
    table[["new_customers", "returning_customers"]] = table[["new_customers", "returning_customers"]].astype(int)
    table["new_share"] = table["new_customers"] / (table["new_customers"] + table["returning_customers"])
    return table


@dataclass
class CustomerCard:
    """What a service agent sees when a customer calls: profile, recent shipments, complaints, survey."""

    profile: pd.Series
    recent_shipments: pd.DataFrame
    complaints: pd.DataFrame
    latest_survey: pd.Series | None

    def summary(self) -> pd.DataFrame:
        """The profile as a two-column table (field, value) for display."""
        return self.profile.rename("value").rename_axis("field").to_frame()


def customer_card(customer_id, customers: pd.DataFrame, shipments: pd.DataFrame,
                  complaints: pd.DataFrame | None = None, surveys: pd.DataFrame | None = None, *,
                  customer: str = "customer_id", date: str = "ship_date", recent: int = 5,
                  as_of=None) -> CustomerCard:
    """The *dynamic query* (动态查询): everything about one customer, as of a moment.

    >>> card = customer_card("C00001", load_dataset("customers"), load_dataset("shipments"))
    >>> card.profile["n_shipments"] > 0
    np.True_
    """
    if customer_id not in set(customers[customer]):
        raise DataError(f"customers: no customer with {customer} = {customer_id!r}. "
                        f"Fix: check the id (ids look like {customers[customer].iloc[0]!r}).")
    one = customers[customers[customer] == customer_id]
    own_shipments = shipments[shipments[customer] == customer_id]
    own_complaints = None if complaints is None else complaints[complaints[customer] == customer_id]
    own_surveys = None if surveys is None else surveys[surveys[customer] == customer_id]
    if own_shipments.empty:
        raise DataError(f"shipments: customer {customer_id!r} has no shipments. "
                        f"Fix: pick a customer who has shipped, or look at the customers table alone.")
    view = customer_view(one, own_shipments, own_complaints, own_surveys,
                         customer=customer, date=date, as_of=as_of)
    profile = view.iloc[0]
    history = own_shipments.assign(**{date: as_dates(own_shipments[date], column=date, name="shipments")})
    history = history[history[date] <= _as_of(history[date], as_of)]
    survey = None
    if own_surveys is not None and not own_surveys.empty:
        survey = own_surveys.sort_values("date").iloc[-1]
    return CustomerCard(
        profile=profile,
        recent_shipments=history.sort_values(date).tail(recent).reset_index(drop=True),
        complaints=(own_complaints.sort_values("date").reset_index(drop=True)
                    if own_complaints is not None else pd.DataFrame()),
        latest_survey=survey,
    )


def behaviour_profile(shipments: pd.DataFrame, *, by: str = "customer_id", date: str = "ship_date",
                      service: str = "service") -> pd.DataFrame:
    """Consumption-behaviour profile (消费行为) per customer or group: service mix, value-added
    services used, weekend share, average weight and revenue per shipment.

    Shares are fractions of the group's shipments, ready for personalised offers (a customer who
    never insures high-value parcels, one who ships mostly at weekends ...).

    >>> float(behaviour_profile(load_dataset("shipments"), by="service").loc["cold_chain", "share_cold_chain"])
    1.0
    """
    flags = [flag for flag in VALUE_ADDED if flag in shipments.columns]
    require(shipments, columns=[by, service, "weight_kg", "revenue", *flags], dates=[date],
            numeric=["weight_kg", "revenue"], name="shipments")
    dates = as_dates(shipments[date], column=date, name="shipments")
    frame = pd.DataFrame({
        by: shipments[by],
        "weekend": dates.dt.day_of_week >= 5,
        "weight_kg": shipments["weight_kg"],
        "revenue": shipments["revenue"],
        **{f"share_{flag}": shipments[flag].astype(bool) for flag in flags},
    })
    grouped = frame.groupby(by, observed=True)
    profile = grouped.mean().rename(columns={"weekend": "share_weekend", "weight_kg": "mean_weight_kg",
                                             "revenue": "mean_revenue"})
    profile.insert(0, "n_shipments", grouped.size())
    mix = pd.crosstab(shipments[by], shipments[service], normalize="index").add_prefix("service_")
    profile = profile.join(mix)
    profile["main_service"] = mix.idxmax(axis=1).str.removeprefix("service_")
    profile.index.name = by
    return profile
