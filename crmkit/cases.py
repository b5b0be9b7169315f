"""Case-study facts as data (UPS, FedEx, SF Express, Hope Optical, retention economics), each with its source.

The course teaches through cases. Notebooks cite the figures from here rather than
retyping them, so every number a student sees points back to the course file it came
from (``source``) and carries a ``note`` wherever that file is inconsistent, vague or
incomplete. Facts and figures come from the Chinese course material; the wording here
is our own.

The most important note: the FedEx lifetime-value example prints 1,500 x 12 x 10 as
360,000 USD; the arithmetic gives 180,000 USD (:func:`fedex_lifetime_value` recomputes it
with :func:`crmkit.clv.clv_simple`).

Examples
--------
>>> fact("fedex.monthly_revenue")
1500
>>> cite("fedex.monthly_revenue")
'1,500 USD a month (course material 002)'
>>> case_facts("ups")["value"].tolist()[:1]
[100]
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crmkit.clv import clv_simple
from crmkit.errors import DataError

__all__ = [
    "SOURCES",
    "CASES",
    "Fact",
    "FACTS",
    "case_facts",
    "fact",
    "cite",
    "fedex_lifetime_value",
    "IMPLEMENTATION_STEPS",
    "CRM_ELEMENTS",
    "SF_VALUE_ADDED_SERVICES",
    "SF_KEY_ACCOUNT_TYPES",
    "SF_KEY_ACCOUNT_PROBLEMS",
    "SF_KEY_ACCOUNT_STRATEGIES",
    "HOPE_FUNNEL_STAGES",
]

#: The course files, by the short number the notebooks cite, with what each one is.
SOURCES = pd.DataFrame(
    [
        ("000", "000_f1d71a3e0d5a2330.txt", "lecture slides: introduction to logistics CRM (UPS case, "
         "FedEx CRM system, 7 implementation steps)"),
        ("001", "001_c099344bc297a2d8.txt", "research note on CRM in express delivery (customer database "
         "functions, churn early warning)"),
        ("002", "002_fcae765f768db8da.txt", "textbook chapter 1, CRM overview (Hope Optical, FedEx, "
         "retention and satisfaction figures)"),
        ("003", "003_a708959d93353c32.txt", "SF Express case collection (key accounts, value-added "
         "services)"),
        ("004", "004_dd9a8194b5e13576.txt", "essays on 3PL CRM (customer lifetime value, 20/80, KPIs, "
         "retention figures)"),
    ],
    columns=["source", "file", "content"],
).set_index("source")

#: The cases and the notebook that works each one.
CASES = pd.DataFrame(
    [
        ("ups", "UPS", "联合包裹", "000", "09_case_ups"),
        ("fedex", "FedEx", "联邦快递", "002, 000", "10_case_fedex"),
        ("sf_express", "SF Express", "顺丰速运", "003", "11_case_sf_express"),
        ("hope_optical", "Hope Optical", "霍普光通信", "002", "08_crm_economics"),
        ("retention", "Retention economics", "客户保持的经济性", "002, 004", "08_crm_economics"),
    ],
    columns=["case", "name", "chinese", "sources", "notebook"],
).set_index("case")


@dataclass(frozen=True)
class Fact:
    """One figure from the course material.

    ``value`` is a number or a short text; a range in the source (``20~30``) is kept as
    ``low`` and ``high`` with ``value`` None. ``note`` says where the source is
    inconsistent, vague or incomplete.
    """

    key: str
    value: object
    unit: str
    description: str
    source: str
    note: str = ""
    low: float | None = None
    high: float | None = None

    @property
    def case(self) -> str:
        return self.key.split(".", 1)[0]


_FEDEX_LTV_NOTE = ("The source writes 1500美元×12×10=360000美元; the product is 180,000 USD. "
                   "Compute it (fedex_lifetime_value) rather than copy the printed figure.")

#: Every fact, keyed "<case>.<name>".
FACTS: tuple[Fact, ...] = (
    # ---- UPS (000) ----
    Fact("ups.existing_customers_satisfied", 100, "% of existing customers",
         "UPS holds that the most important thing is to make the customers it already has 100% "
         "satisfied", "000"),
    Fact("ups.new_business_line", "lending to customers (客户贷款服务)", "text",
         "from the customer information it collects, UPS opened a new line of business: loans to "
         "its customers", "000"),
    Fact("ups.history_years", 93, "years",
         "UPS China's managing director: its CRM thinking came from 93 years of history and "
         "trial, not from buying software", "000",
         "The year of the statement is not given, so 93 years cannot be dated."),
    Fact("ups.lessons", "CRM as culture; design service from the customer's convenience; "
         "deeper two-way communication", "text",
         "the answers the slides give to the case questions", "000"),
    # ---- FedEx (002; lessons from 000) ----
    Fact("fedex.monthly_revenue", 1500, "USD a month",
         "revenue a single customer brings FedEx each month in its lifetime-value example", "002"),
    Fact("fedex.lifetime_years", 10, "years", "assumed customer lifetime in the example", "002"),
    Fact("fedex.printed_lifetime_value", 360000, "USD",
         "lifetime value of that customer as printed in the source", "002", _FEDEX_LTV_NOTE),
    Fact("fedex.self_service_share", 2 / 3, "share of shipment volume",
         "share of FedEx volume handled through its self-service shipping software (Power Ship, "
         "FedEx Ship, FedEx interNetShip)", "002"),
    Fact("fedex.self_service_versions", 3, "software versions",
         "Power Ship for DOS, FedEx Ship for Windows, FedEx interNetShip on the web", "002"),
    Fact("fedex.cosmos_start_decade", 1960, "decade",
         "COSMOS customer-service system begun in the 1960s, inspired by airline reservation "
         "systems", "002"),
    Fact("fedex.active_tracking_decade", 1980, "decade",
         "active tracking and status display added to COSMOS in the early 1980s", "002"),
    Fact("fedex.virtualorder_year", 1997, "year", "VirtualOrder web system launched", "002"),
    Fact("fedex.taiwan_employees", 700, "employees", "staff of the FedEx Taiwan branch", "002"),
    Fact("fedex.taiwan_call_centre_staff", 80, "employees",
         "of whom work in the call centre (answering and making calls, collecting customer "
         "information)", "002"),
    Fact("fedex.call_centre_class_months", 1, "months", "classroom training of call-centre staff", "002"),
    Fact("fedex.call_centre_practice_months", 2, "months",
         "practical training of call-centre staff before they take calls", "002"),
    Fact("fedex.courier_class_weeks", 2, "weeks",
         "classroom training of new couriers (after personality tests), followed by station "
         "training", "002"),
    Fact("fedex.courier_shadowing_months", 0.5, "months",
         "new couriers ride with an experienced courier before working alone", "002"),
    Fact("fedex.lessons", "tools kept apart become technology islands (技术孤岛); CRM is not the "
         "tool itself", "text", "two mistakes the slides say firms repeat when they implement CRM",
         "000"),
    # ---- SF Express (003) ----
    Fact("sf_express.economic_key_account_revenue", 5_000_000, "RMB a year",
         "threshold of annual business revenue for an economic big customer (经济大客户)", "003"),
    Fact("sf_express.key_account_types", 3, "types",
         "economic big customers, important (strategic) customers, potential big customers", "003",
         "Section 三.1 of the same file lists four kinds (economic, group, strategic, important); "
         "section 五.2 lists three and calls important customers strategic. We use the three of "
         "五.2 and fold 'group' customers into economic ones."),
    Fact("sf_express.key_account_industries", "apparel; IT; international trade and freight "
         "forwarding; electromechanical equipment", "text",
         "industries where SF's big customers concentrate", "003"),
    Fact("sf_express.value_added_services", 8, "services",
         "value-added services (cash on delivery, insured value, virtual address, signed-receipt "
         "return, special warehouse entry, night pick-up, refund when late, fresh-food express)",
         "003",
         "Listed only in a table of contents; the pages describing each service are not in the "
         "file, so no prices or take-up rates are given."),
    Fact("sf_express.pricing_orientations", 3, "orientations",
         "cost-, demand- and competition-oriented pricing; SF often uses cost-plus pricing", "003"),
    Fact("sf_express.key_account_problems", 4, "problems",
         "one-size marketing, little marketing experience, slow handling of feedback, too few "
         "key-account staff", "003"),
    # ---- Hope Optical (002) ----
    Fact("hope_optical.opportunities_per_month", None, "opportunities a month per salesperson",
         "sales opportunities each salesperson handles in a month", "002", "", 20, 30),
    Fact("hope_optical.funnel_stages", 4, "stages",
         "intent, pre-sales follow-up, business negotiation, signed", "002"),
    Fact("hope_optical.signing_rate_uplift", 0.10, "share",
         "rise in the signing rate after sales automation", "002",
         "The source says the signing rate 'rose 10%' without saying whether that is 10 "
         "percentage points or 10% of the old rate; the funnel model takes either."),
    Fact("hope_optical.average_deal", 500_000, "RMB", "average amount of a signed deal (约50万元)",
         "002"),
    Fact("hope_optical.crm_investment", None, "RMB",
         "the company's information-system investment ('数十万元')", "002",
         "Only 'several hundred thousand' (数十万元) is given; 100,000 to 900,000 RMB is the range "
         "the phrase covers.", 100_000, 900_000),
    Fact("hope_optical.annual_sales", 100_000_000, "RMB a year", "annual sales, 'close to' 100 million",
         "002"),
    Fact("hope_optical.assets", 40_000_000, "RMB", "total assets, 'over' 40 million", "002"),
    Fact("hope_optical.rollout_months", 3, "phases of about a month",
         "installation, trial run with tuning, full operation with reports", "002"),
    # ---- retention economics (002, 004) ----
    Fact("retention.keep_vs_win_cost", 1 / 5, "cost ratio",
         "keeping an existing customer costs 1/5 of winning a new one", "002",
         "004 puts winning a customer at 5 to 8 times the cost of keeping one; the two agree "
         "only at the low end (5x)."),
    Fact("retention.win_vs_keep_cost", None, "cost multiple",
         "winning a new customer costs 5 to 8 times keeping an existing one", "004",
         "See retention.keep_vs_win_cost: 002 gives 5x.", 5, 8),
    Fact("retention.retention_uplift", 0.05, "share",
         "a rise in the customer retention rate ...", "002",
         "Whether the 5% is points or a relative rise is not said."),
    Fact("retention.profit_gain_from_retention", 0.80, "share of profit",
         "... can raise profit by up to 80%", "002",
         "A claim without a model or data; notebook 08 tests it on the simulated company."),
    Fact("retention.satisfaction_uplift_doubles_profit", 0.05, "share",
         "raising customer satisfaction by 5% doubles profit", "002",
         "A claim without a model or data; notebook 08 tests it."),
    Fact("retention.very_satisfied_purchase_multiple", 6, "times",
         "a very satisfied customer's purchase intention is 6 times a merely satisfied one's", "002"),
    Fact("retention.leave_for_lack_of_care", 2 / 3, "share of leavers",
         "customers who leave their supplier because of too little care", "002"),
    Fact("retention.acsi_value_growth_multiple", 2, "times (more than)",
         "ACSI: market value of the most-satisfying firms grew more than twice as much as the "
         "least-satisfying firms'", "002"),
    Fact("retention.ceo_share", 0.93, "share of CEOs",
         "CEOs who see customer management as the most important factor of success", "002"),
    Fact("retention.sell_existing_success", 0.50, "success rate",
         "selling to an existing customer succeeds half the time", "004"),
    Fact("retention.sell_new_success", 0.15, "success rate", "selling to a new customer", "004"),
    Fact("retention.top_customer_share", 0.20, "share of customers",
         "the 20/80 rule: 20% of customers bring 80% of ...", "004",
         "003 says 80% of revenue (收益), 004 says 80% of profit (利润); crmkit measures revenue."),
    Fact("retention.top_customer_value_share", 0.80, "share of revenue or profit",
         "... 80% of the firm's revenue or profit", "004, 003",
         "See retention.top_customer_share."),
)

_BY_KEY = {f.key: f for f in FACTS}

#: The seven steps of implementing CRM in a logistics firm (000), with what each delivers.
IMPLEMENTATION_STEPS = pd.DataFrame(
    [
        (1, "establish the need", "明确实施的必要性", "a business case: which customer problems cost money now"),
        (2, "audit the base", "审查实施基础", "what data, systems and people already exist"),
        (3, "set goals", "制定实施目标", "measurable targets (retention, satisfaction, cost to serve)"),
        (4, "map the processes", "梳理业务流程", "every customer touchpoint from order to complaint"),
        (5, "design the structure", "进行结构设计", "one customer database, roles, who owns which account"),
        (6, "roll out", "全面实施", "staged launch with training and incentives"),
        (7, "evaluate performance", "绩效评价", "compare the goals of step 3 with what happened"),
    ],
    columns=["step", "name", "chinese", "deliverable"],
).set_index("step")

#: The four elements of a logistics CRM system (000).
CRM_ELEMENTS = pd.DataFrame(
    [
        ("concept", "理念", "the customer at the centre: service and analysis aimed at the customer's final value"),
        ("mechanism", "机制", "a management system: database, analysis, choice of target customers, evaluation"),
        ("technology", "技术", "internet, e-commerce, databases and analysis, call centres"),
        ("strategy", "策略", "from product-centred to customer-centred operations"),
    ],
    columns=["element", "chinese", "meaning"],
).set_index("element")

#: SF Express value-added services (003), and the shipments column a notebook uses to study
#: each one in the bundled data (for "refund when late": the on_time flag that would trigger
#: the refund; None when the simulated company has no such data).
SF_VALUE_ADDED_SERVICES = pd.DataFrame(
    [
        ("cash on delivery", "代收货款", "cod"),
        ("insured value", "保价", "insured"),
        ("virtual address", "虚拟地址", None),
        ("signed-receipt return", "签单返还", "signed_receipt_return"),
        ("special warehouse entry", "特殊入仓", None),
        ("night pick-up", "夜晚收件", None),
        ("refund when late", "超时退费", "on_time"),
        ("fresh-food express", "生鲜速配", "cold_chain"),
    ],
    columns=["service", "chinese", "shipments_column"],
).set_index("service")

#: SF Express big-customer types (003 §五.2).
SF_KEY_ACCOUNT_TYPES = pd.DataFrame(
    [
        ("economic", "经济大客户", "annual business revenue of at least 5,000,000 RMB", "economic"),
        ("strategic", "重要客户 / 战略客户", "serves brand building or important state bodies", "strategic"),
        ("potential", "潜在大客户", "has growth potential and is a likely target of competitors", "potential"),
    ],
    columns=["type", "chinese", "rule", "tier"],
).set_index("type")

#: Problems in SF Express's big-customer marketing (003 §三).
SF_KEY_ACCOUNT_PROBLEMS = (
    "one marketing approach for all industries",
    "little modern marketing experience (forecasting, market research)",
    "slow reaction to customer requests and feedback",
    "too few dedicated key-account staff, no project management",
)

#: Strategies the source proposes (003 §四-五).
SF_KEY_ACCOUNT_STRATEGIES = (
    "service innovation and differentiation",
    "pricing: cost-plus, demand- or competition-oriented",
    "direct selling channels (on-site or online)",
    "relationship marketing as the core strategy",
    "consultative selling",
    "visit plans by account type and regular satisfaction questionnaires (征询函)",
)

#: The four stages of the Hope Optical sales funnel (002).
HOPE_FUNNEL_STAGES = ("intent 意向", "pre-sales follow-up 售前跟踪", "negotiation 商务谈判", "signed 签单")


def _get(key: str) -> Fact:
    try:
        return _BY_KEY[key]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(key, list(_BY_KEY), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"no case fact {key!r}.{hint} Fix: list the keys with case_facts().index.") from None


def case_facts(case: str | None = None) -> pd.DataFrame:
    """The facts of one case (or all), one row per fact.

    Parameters
    ----------
    case : str, optional
        One of ``CASES.index`` ("ups", "fedex", "sf_express", "hope_optical", "retention").

    Returns
    -------
    DataFrame indexed by key: case, value, low, high, unit, description, source, file, note.

    Examples
    --------
    >>> case_facts("fedex").loc["fedex.printed_lifetime_value", "value"]
    360000
    """
    if case is not None and case not in CASES.index:
        raise DataError(f"case={case!r} is not one of {list(CASES.index)}. Fix: pass one of them or None.")
    rows = [f for f in FACTS if case is None or f.case == case]
    index = pd.Index([f.key for f in rows], name="key")
    table = pd.DataFrame({
        "case": [f.case for f in rows],
        "value": pd.Series([f.value for f in rows], index=index, dtype=object),
        "low": [float("nan") if f.low is None else float(f.low) for f in rows],
        "high": [float("nan") if f.high is None else float(f.high) for f in rows],
        "unit": [f.unit for f in rows],
        "description": [f.description for f in rows],
        "source": [f.source for f in rows],
        "file": [", ".join(SOURCES.loc[s.strip(), "file"] for s in f.source.split(",")) for f in rows],
        "note": [f.note for f in rows],
    }, index=index)
    return table


def fact(key: str):
    """The value of one fact; a range comes back as ``(low, high)``.

    Examples
    --------
    >>> fact("hope_optical.opportunities_per_month")
    (20, 30)
    """
    f = _get(key)
    return (f.low, f.high) if f.value is None else f.value


def _number(x) -> str:
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{int(x):,}" if isinstance(x, (int, float)) else str(x)


def cite(key: str) -> str:
    """A fact as a short phrase with its source, for notebook text.

    Examples
    --------
    >>> cite("hope_optical.opportunities_per_month")
    '20 to 30 opportunities a month per salesperson (course material 002)'
    """
    f = _get(key)
    shown = f"{_number(f.low)} to {_number(f.high)}" if f.value is None else _number(f.value)
    return f"{shown} {f.unit} (course material {f.source})"


def fedex_lifetime_value(monthly_revenue=None, years=None, *, retention=1.0, annual_discount_rate=0.0):
    """The FedEx lifetime-value example recomputed, next to the figure the source prints.

    Uses :func:`crmkit.clv.clv_simple` with monthly periods. With the defaults (no churn,
    no discounting) this is the source's own formula, 1,500 x 12 x 10.

    Parameters
    ----------
    monthly_revenue, years : float, optional
        Default to the case figures (1,500 USD, 10 years).
    retention : float
        Monthly retention rate (1.0 = the customer never leaves, as in the source).
    annual_discount_rate : float
        Converted to a monthly rate.

    Returns
    -------
    DataFrame with one row per quantity: printed, computed, printed / computed.

    Examples
    --------
    >>> fedex_lifetime_value()["value"].tolist()
    [360000.0, 180000.0, 2.0]
    """
    monthly = fact("fedex.monthly_revenue") if monthly_revenue is None else monthly_revenue
    years = fact("fedex.lifetime_years") if years is None else years
    if annual_discount_rate < 0 or annual_discount_rate != annual_discount_rate:
        raise DataError(f"annual_discount_rate={annual_discount_rate!r} must be >= 0 (0.08 for 8%).")
    monthly_rate = (1 + annual_discount_rate) ** (1 / 12) - 1
    computed = clv_simple(monthly, int(round(years * 12)), retention=retention, discount_rate=monthly_rate)
    printed = float(fact("fedex.printed_lifetime_value"))
    return pd.DataFrame(
        {"value": [printed, computed, printed / computed if computed else float("nan")],
         "unit": ["USD", "USD", "ratio"]},
        index=pd.Index(["printed in source (002)", "computed", "printed / computed"], name="quantity"),
    )
