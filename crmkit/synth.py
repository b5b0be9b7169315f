"""The simulated company, Jadeheron Express (玉鹭速运), seeded, with its ground truth.

:func:`simulate` builds one fictional express/3PL company: its customers, every
waybill they shipped, the complaints they made and the satisfaction surveys they
answered, plus ``truth``, the hidden parameters that produced those tables. The
company, its customers and its staff are made up; any likeness to a real firm is
an accident.

The causal story (written out in ``datasets/README.md``):

* each customer has a yearly revenue potential (a lognormal body plus a few
  large accounts) that sets its waybills a month and kilograms a waybill, so a
  fifth of the customers bring roughly four fifths of the revenue;
* every waybill can be late, damaged or lost, with probabilities that depend on
  the service, the destination, the season and the customer's lanes;
* failures lower the customer's perception of timeliness, condition and
  information, and so its latent satisfaction; complaints follow failures, and
  a complaint resolved quickly cancels part of the failure's effect;
* the customer's perceptions of six service-quality dimensions drive its latent
  satisfaction and its survey answers (three Likert items per dimension with
  known loadings, overall satisfaction, recommend, intention to stay);
* low satisfaction, a high price and a weak contract raise the monthly hazard
  that the customer decides to leave; after the decision its volume falls over
  4 to 12 weeks until it leaves (the early-warning signal of the course).

Examples
--------
>>> company = simulate(n_customers=200, months=6, seed=7)
>>> sorted(company.tables())
['complaints', 'customers', 'shipments', 'surveys']
>>> company.customers.columns[:3].tolist()
['customer_id', 'name', 'industry']
>>> round(float(company.shipments["on_time"].mean()), 1)
0.9
"""

from __future__ import annotations

import argparse
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crmkit.errors import DataError

__all__ = [
    "COMPANY_NAME",
    "COMPANY_NAME_ZH",
    "BUNDLED_SEED",
    "INDUSTRIES",
    "DEFAULT_INDUSTRY_MIX",
    "SEGMENTS",
    "TIERS",
    "CONTRACTS",
    "SERVICES",
    "REGIONS",
    "CITIES",
    "CHANNELS",
    "CATEGORIES",
    "DIMENSIONS",
    "VALUE_CLASSES",
    "Company",
    "Truth",
    "simulate",
    "failure_exposure",
    "write_csv",
]

#: The fictional company every notebook studies.
COMPANY_NAME = "Jadeheron Express"
COMPANY_NAME_ZH = "玉鹭速运"
#: The seed of the bundled datasets/ run.
BUNDLED_SEED = 20240101

INDUSTRIES = ("apparel", "it_electronics", "ecommerce", "electromechanical",
              "cold_chain_food", "pharma", "trade_forwarding")
DEFAULT_INDUSTRY_MIX = {"apparel": 0.17, "it_electronics": 0.14, "ecommerce": 0.27,
                        "electromechanical": 0.13, "cold_chain_food": 0.10, "pharma": 0.07,
                        "trade_forwarding": 0.12}
SEGMENTS = ("B2B", "B2C")
TIERS = ("strategic", "economic", "potential", "regular")
CONTRACTS = ("monthly_settlement", "pay_per_shipment")
SERVICES = ("standard", "express", "same_day", "cold_chain", "freight")
REGIONS = ("east", "south", "north", "central", "west", "northeast")
CHANNELS = ("phone", "online", "app", "account_manager")
CATEGORIES = ("delay", "damage", "loss", "courier_attitude", "billing", "other")
DIMENSIONS = ("timeliness", "condition", "information", "staff", "handling", "price")
VALUE_CLASSES = ("low_low", "low_high", "high_high", "high_low")

# city, region, weight as a customer location, weight as a destination
_CITY_TABLE = [
    ("Shanghai", "east", 10, 10), ("Hangzhou", "east", 6, 5), ("Suzhou", "east", 6, 4),
    ("Nanjing", "east", 4, 4), ("Ningbo", "east", 3, 3),
    ("Shenzhen", "south", 9, 7), ("Guangzhou", "south", 8, 8), ("Dongguan", "south", 5, 3),
    ("Xiamen", "south", 2, 2),
    ("Beijing", "north", 7, 9), ("Tianjin", "north", 3, 3), ("Qingdao", "north", 2, 3),
    ("Wuhan", "central", 3, 4), ("Zhengzhou", "central", 2, 3), ("Changsha", "central", 2, 3),
    ("Chengdu", "west", 3, 5), ("Chongqing", "west", 2, 4), ("Xi'an", "west", 2, 3),
    ("Shenyang", "northeast", 1, 3), ("Dalian", "northeast", 1, 2),
]
CITIES = tuple(c[0] for c in _CITY_TABLE)
_CITY_REGION = np.array([REGIONS.index(c[1]) for c in _CITY_TABLE])
_CITY_HOME_W = np.array([c[2] for c in _CITY_TABLE], float)
_CITY_DEST_W = np.array([c[3] for c in _CITY_TABLE], float)
_REMOTE_REGIONS = np.array([REGIONS.index("west"), REGIONS.index("northeast")])

# --- industry profiles ------------------------------------------------------------------
# size shift (log scale), service mix (standard, express, same_day, cold_chain, freight),
# B2C share, P(cash on delivery), P(insured), P(signed-receipt return),
# fragility (damage multiplier), seasonal amplitude
_IND = {
    "apparel":           (0.00, (0.55, 0.30, 0.05, 0.00, 0.10), 0.35, 0.22, 0.08, 0.08, 0.7, 1.3),
    "it_electronics":    (0.30, (0.28, 0.50, 0.10, 0.00, 0.12), 0.12, 0.08, 0.55, 0.35, 1.5, 0.8),
    "ecommerce":         (-0.25, (0.66, 0.24, 0.07, 0.00, 0.03), 0.45, 0.35, 0.06, 0.03, 0.9, 1.6),
    "electromechanical": (0.35, (0.25, 0.20, 0.03, 0.00, 0.52), 0.04, 0.03, 0.35, 0.50, 1.3, 0.6),
    "cold_chain_food":   (0.05, (0.08, 0.15, 0.05, 0.67, 0.05), 0.20, 0.15, 0.12, 0.15, 1.2, 1.0),
    "pharma":            (0.45, (0.10, 0.30, 0.10, 0.45, 0.05), 0.04, 0.02, 0.50, 0.60, 1.0, 0.3),
    "trade_forwarding":  (0.55, (0.15, 0.25, 0.02, 0.03, 0.55), 0.02, 0.02, 0.40, 0.45, 1.0, 0.7),
}
_IND_SIZE = np.array([_IND[k][0] for k in INDUSTRIES])
_IND_MIX = np.array([_IND[k][1] for k in INDUSTRIES])
_IND_B2C = np.array([_IND[k][2] for k in INDUSTRIES])
_IND_COD = np.array([_IND[k][3] for k in INDUSTRIES])
_IND_INS = np.array([_IND[k][4] for k in INDUSTRIES])
_IND_SRR = np.array([_IND[k][5] for k in INDUSTRIES])
_IND_FRAGILE = np.array([_IND[k][6] for k in INDUSTRIES])
_IND_SEASON = np.array([_IND[k][7] for k in INDUSTRIES])
_COLD_INDUSTRIES = np.array([INDUSTRIES.index("cold_chain_food"), INDUSTRIES.index("pharma")])

# month-of-year volume profile (Jan..Dec): Spring Festival dip, 618 and Double 11 peaks
_SEASON = np.array([1.02, 0.72, 1.00, 0.98, 1.00, 1.10, 0.96, 0.96, 1.02, 1.00, 1.30, 1.12])
_WEEKDAY = np.array([1.12, 1.12, 1.12, 1.12, 1.12, 0.80, 0.60])  # Mon..Sun
_WEEKDAY = _WEEKDAY / _WEEKDAY.mean()

# --- services ------------------------------------------------------------------------------
# list price = base + rate * kg (RMB); cost = base + rate * kg; weight factor vs the customer's
# typical kg; late logit; damage probability; loss probability; promised days (same city,
# same region, other region)
_SVC_PRICE_BASE = np.array([10.0, 18.0, 38.0, 30.0, 90.0])
_SVC_PRICE_RATE = np.array([1.6, 3.6, 6.0, 5.0, 0.95])
_SVC_COST_BASE = np.array([7.0, 12.0, 30.0, 24.0, 66.0])
_SVC_COST_RATE = np.array([1.0, 2.2, 3.8, 3.3, 0.60])
_SVC_WEIGHT = np.array([1.0, 0.6, 0.4, 1.2, 12.0])
_SVC_LATE = np.array([-2.75, -3.05, -2.45, -2.95, -2.55])
_SVC_DAMAGE = np.array([0.0080, 0.0070, 0.0050, 0.0100, 0.0120])
_SVC_LOSS = np.array([0.0021, 0.0015, 0.0008, 0.0014, 0.0024])
_SVC_PROMISE = np.array([[1, 2, 3], [1, 1, 2], [0, 0, 0], [1, 1, 2], [2, 3, 4]])

_IND_PIECE_KG = np.array([12.0, 6.0, 2.5, 35.0, 10.0, 8.0, 25.0])   # kg per piece (carton, pallet share)
_BODY_MEDIAN, _BODY_SD = 55_000.0, 0.75       # yearly revenue (RMB) of an ordinary customer
_LARGE_SHARE, _LARGE_MEDIAN, _LARGE_SD = 0.015, 8_000_000.0, 0.5   # large accounts
_TIER_PRICE = np.array([0.74, 0.72, 0.86, 0.95])

_FIRST_PARTS = ("An", "Bao", "Chang", "Da", "Feng", "Fu", "Guang", "Hai", "Heng", "Hong", "Hua",
                "Jia", "Jin", "Kai", "Lan", "Long", "Ming", "Ning", "Pei", "Qi", "Rui", "Sheng",
                "Tai", "Tian", "Wan", "Xin", "Yao", "Yi", "Yong", "Yu", "Ze", "Zhi")
_SECOND_PARTS = ("bo", "cheng", "da", "fan", "feng", "hang", "hui", "jie", "kang", "lin", "mao",
                 "nuo", "pu", "qiao", "rong", "shan", "tong", "wei", "xiang", "yuan", "ze", "zhou")
_IND_NOUN = {"apparel": "Garments", "it_electronics": "Electronics", "ecommerce": "E-Shop",
             "electromechanical": "Machinery", "cold_chain_food": "Fresh Foods",
             "pharma": "Pharmaceutical", "trade_forwarding": "Trading"}
_KA_MANAGERS = ("Chen Yuxi", "Fang Jiarui", "Gao Minghao", "Lin Shuyan", "Song Kaiwen",
                "Tang Ruoxi", "Xu Haoran", "Zhou Wanqing")
_SERVICE_REPS = ("Bai Lu", "Cao Yifan", "Deng Qian", "Du Zihan", "Guo Xin", "He Jing", "Hu Tao",
                 "Jiang Wen", "Kong Lei", "Liang Yue", "Lu Siqi", "Ma Chao", "Pan Yu", "Qin Shu",
                 "Shi Rui", "Wei Ning")

# --- the satisfaction model --------------------------------------------------------------------
#: weight of each dimension's perception in latent satisfaction
_DRIVER_WEIGHTS = {"timeliness": 0.50, "condition": 0.37, "handling": 0.26, "information": 0.17,
                   "price": 0.10, "staff": 0.02}
_ITEM_LOADINGS = np.array([[0.86, 0.82, 0.76], [0.84, 0.80, 0.74], [0.82, 0.78, 0.72],
                           [0.83, 0.79, 0.73], [0.85, 0.80, 0.75], [0.84, 0.79, 0.72]])
_ITEM_CUTS = np.array([-1.95, -1.10, -0.25, 0.80])      # Likert 1-5 on the latent response
_EXPECT_CUTS = np.array([-2.40, -1.70, -0.80, 0.15])
_OVERALL_CUTS = np.array([-2.30, -1.65, -1.00, -0.30, 0.45, 1.35])   # 1-7
_RECOMMEND_CUTS = np.linspace(-2.9, 0.75, 10)                           # 0-10
_STAY_CUTS = np.array([-2.0, -1.15, -0.30, 0.75])                      # 1-5
_SMOOTH = 5.0         # pseudo-shipments in the failure shares (shrinks small customers' shares)
_WINDOW = 3           # months of experience that count
_HALO = 0.5           # weight of the general attitude in every dimension perception
# effect of a failure share on a dimension perception (per unit share)
_EXPERIENCE = {"late": {"timeliness": -10.0, "information": -2.0},
               "damaged": {"condition": -25.0},
               "lost": {"condition": -30.0, "information": -15.0}}
_PRICE_PERCEPTION = -0.45     # price perception per 0.1 of price index above list
_BAD_HANDLING = -1.1          # handling perception per unit share of badly handled complaints
_RECOVERY_MAX = 0.6           # share of a failure's effect a quick resolution cancels ...
_RECOVERY_HOURS = 48.0        # ... decaying with resolution time (e-folding, hours)
_COMPANY_RATES = {"late": 0.075, "damaged": 0.009, "lost": 0.0018}   # p in the failure shares
_COMPLAINT_P = {"late": 0.10, "damaged": 0.45, "lost": 0.75}

# --- the churn model: yearly hazard = exp(intercept + sum(coef * covariate)) ----------------
_CHURN = {"intercept": -1.80, "latent_satisfaction": -0.70, "price_index_10pct": 0.30,
          "monthly_settlement": -0.35, "key_account": -0.60, "segment_b2c": 0.35}
_CHURN_DEFINITIONS = {
    "intercept": "log yearly hazard of a B2B, pay-per-shipment, non-key customer at latent "
                 "satisfaction 0 paying list price",
    "latent_satisfaction": "latent satisfaction at the end of the previous month (truth scale)",
    "price_index_10pct": "(price_index - 1) / 0.1: how many tenths above the list price the "
                         "customer pays (negative = discount)",
    "monthly_settlement": "1 if the contract is monthly settlement, else 0",
    "key_account": "1 if the tier is strategic or economic, else 0",
    "segment_b2c": "1 if the segment is B2C, else 0",
}


@dataclass(frozen=True)
class Truth:
    """The hidden parameters behind a simulated company.

    Attributes
    ----------
    customers : DataFrame, index customer_id
        value_class (historical value _ future potential value, each "high" in the top 20%),
        historical_value (revenue in the period, RMB), future_value (expected revenue in the
        24 months after the period, 0 once the customer has decided to leave),
        latent_satisfaction (last active month), mean_satisfaction (over active months),
        large_account, target_revenue (yearly revenue potential at list price), base_volume
        (waybills a month), typical_kg, growth (log growth a year), price_index (price
        relative to list), late_propensity (the customer's lanes, logit shift), churned,
        decline_start (the decision to leave: volume starts to fall), decline_weeks,
        churn_date (the day it left; NaT if it had not left by the end of the period).
    loadings : DataFrame
        item, dimension, loading on the latent-response scale.
    driver_effects : DataFrame, index dimension
        effect: the population OLS coefficient of overall_satisfaction (1-7 as a number) on the
        z-scored dimension mean scores; effect_std: the same divided by the SD of overall
        satisfaction; latent_weight: the weight in latent satisfaction; rank.
    failure_effects : DataFrame, index failure
        effect on latent satisfaction of a unit share of failed shipments (and per
        percentage point), and how the share is measured.
    churn_effects : DataFrame, index covariate
        coefficients of the yearly log-hazard the churn decisions were drawn from.
    satisfaction : DataFrame
        monthly panel: customer_id, month, active, latent_satisfaction, the six perceptions.
    params : dict
        everything else the generator used (seed, dates, recovery, complaint probabilities).
    """

    customers: pd.DataFrame
    loadings: pd.DataFrame
    driver_effects: pd.DataFrame
    failure_effects: pd.DataFrame
    churn_effects: pd.DataFrame
    satisfaction: pd.DataFrame
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Company:
    """A simulated company: four tables and the truth that generated them."""

    customers: pd.DataFrame
    shipments: pd.DataFrame
    complaints: pd.DataFrame
    surveys: pd.DataFrame
    truth: Truth
    name: str = COMPANY_NAME
    name_zh: str = COMPANY_NAME_ZH

    def tables(self) -> dict:
        """The four observable tables by name."""
        return {"customers": self.customers, "shipments": self.shipments,
                "complaints": self.complaints, "surveys": self.surveys}

    def to_csv(self, directory) -> dict:
        """Write the four tables as CSV into ``directory``; return {name: sha256}."""
        return write_csv(self, directory)


# ---------------------------------------------------------------------------------------------
# checks

def _check_count(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise DataError(f"simulate: {name} must be a whole number, got {type(value).__name__} "
                        f"{value!r}. Fix: pass e.g. {name}={2000 if name == 'n_customers' else 24}.")
    if value <= 0:
        raise DataError(f"simulate: {name} must be positive, got {value}. "
                        f"Fix: pass a number of at least 1.")
    return int(value)


def _check_seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise DataError(f"simulate: seed must be a whole number (int), got {type(seed).__name__} "
                        f"{seed!r}. Fix: pass e.g. seed={BUNDLED_SEED}; the same seed gives the same data.")
    if seed < 0:
        raise DataError(f"simulate: seed must be 0 or more, got {seed}. Fix: pass a non-negative int.")
    return int(seed)


def _check_start(start) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(start)
    except (ValueError, TypeError) as error:
        raise DataError(f"simulate: start {start!r} is not a date ({error}). "
                        f"Fix: write it as 'YYYY-MM-DD', e.g. start='2024-01-01'.") from None
    if stamp is pd.NaT or pd.isna(stamp):
        raise DataError(f"simulate: start {start!r} is not a date. Fix: write it as 'YYYY-MM-DD'.")
    if stamp.tz is not None:
        stamp = stamp.tz_localize(None)
    if not pd.Timestamp("1990-01-01") <= stamp <= pd.Timestamp("2100-01-01"):
        raise DataError(f"simulate: start {stamp.date()} is outside 1990-2100. Fix: pick a date in that range.")
    return stamp.normalize()


def _check_mix(mix) -> np.ndarray:
    if mix is None:
        mix = DEFAULT_INDUSTRY_MIX
    if isinstance(mix, pd.Series):
        mix = mix.to_dict()
    if not isinstance(mix, dict) or not mix:
        raise DataError(f"simulate: industry_mix must be a non-empty dict of industry -> share, "
                        f"got {type(mix).__name__}. Fix: e.g. industry_mix={{'pharma': 1.0}}; "
                        f"industries: {', '.join(INDUSTRIES)}.")
    unknown = [k for k in mix if k not in INDUSTRIES]
    if unknown:
        raise DataError(f"simulate: industry_mix has {len(unknown)} unknown "
                        f"industr{'y' if len(unknown) == 1 else 'ies'}, e.g. {unknown[0]!r}. "
                        f"Fix: use only {', '.join(INDUSTRIES)}.")
    weights = np.zeros(len(INDUSTRIES))
    for key, value in mix.items():
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise DataError(f"simulate: industry_mix[{key!r}] must be a number, got {value!r}. "
                            f"Fix: give each industry a share such as 0.2.") from None
        if not np.isfinite(value) or value < 0:
            raise DataError(f"simulate: industry_mix[{key!r}] must be a share of 0 or more, got {value}. "
                            f"Fix: give each industry a non-negative share.")
        weights[INDUSTRIES.index(key)] = value
    if weights.sum() <= 0:
        raise DataError("simulate: industry_mix shares add up to 0. Fix: give at least one industry a positive share.")
    return weights / weights.sum()


# ---------------------------------------------------------------------------------------------
# helpers

def _ordinal(latent: np.ndarray, cuts: np.ndarray, low: int) -> np.ndarray:
    """Cut a latent response into categories low, low+1, ... at ``cuts``."""
    return (np.searchsorted(cuts, latent) + low).astype(np.int64)


def _pick(rng, cum: np.ndarray) -> np.ndarray:
    """One categorical draw per row of cumulative probabilities ``cum`` (rows x categories)."""
    u = rng.random(cum.shape[0])
    return np.minimum((u[:, None] >= cum).sum(axis=1), cum.shape[1] - 1)


def _draw_city(rng, weights: np.ndarray, size: int) -> np.ndarray:
    cum = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(weights) - 1)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _to_dates(days: np.ndarray) -> np.ndarray:
    """Integer day numbers (days since 1970-01-01, -1 << 40 for missing) to datetime64[us]."""
    out = days.astype("datetime64[D]").astype("datetime64[us]")
    return out


def _trailing(panel: np.ndarray, t: int) -> np.ndarray:
    return panel[:, max(0, t - _WINDOW + 1): t + 1].sum(axis=1)


def _perceptions(base: np.ndarray, noise: np.ndarray, shares: dict, bad_handling: np.ndarray) -> np.ndarray:
    """Dimension perceptions (customers x 6) from the baseline, month noise and experience."""
    theta = base + noise
    for failure, effects in _EXPERIENCE.items():
        for dim, coef in effects.items():
            theta[:, DIMENSIONS.index(dim)] += coef * shares[failure]
    theta[:, DIMENSIONS.index("handling")] += _BAD_HANDLING * bad_handling
    return theta


def _latent_satisfaction(theta: np.ndarray, person: np.ndarray) -> np.ndarray:
    weights = np.array([_DRIVER_WEIGHTS[d] for d in DIMENSIONS])
    return theta @ weights + person


def _survey_answers(rng, theta, sat, price_z, key, person_bias):
    """Likert items, expectations and outcomes for respondents with perceptions ``theta``."""
    n = theta.shape[0]
    items = np.empty((n, len(DIMENSIONS), 3), dtype=np.int64)
    for d in range(len(DIMENSIONS)):
        for k in range(3):
            lam = _ITEM_LOADINGS[d, k]
            latent = lam * theta[:, d] + math.sqrt(1 - lam ** 2) * rng.standard_normal(n) + person_bias
            items[:, d, k] = _ordinal(latent, _ITEM_CUTS, 1)
    expect = np.empty((n, len(DIMENSIONS)), dtype=np.int64)
    for d in range(len(DIMENSIONS)):
        latent = 0.35 * key + 0.25 * person_bias + 0.8 * rng.standard_normal(n)
        expect[:, d] = _ordinal(latent, _EXPECT_CUTS, 1)
    overall = _ordinal(sat + 0.45 * rng.standard_normal(n), _OVERALL_CUTS, 1)
    recommend = _ordinal(0.9 * sat + 0.6 * rng.standard_normal(n), _RECOMMEND_CUTS, 0)
    stay = _ordinal(0.75 * sat - 0.20 * price_z + 0.6 * rng.standard_normal(n), _STAY_CUTS, 1)
    return items, expect, overall, recommend, stay


def _driver_truth(items: np.ndarray, overall: np.ndarray) -> np.ndarray:
    """OLS slopes of overall on the z-scored dimension mean scores (the estimand)."""
    scores = items.mean(axis=2)
    z = (scores - scores.mean(axis=0)) / scores.std(axis=0)
    design = np.column_stack([np.ones(len(z)), z])
    coef, *_ = np.linalg.lstsq(design, overall.astype(float), rcond=None)
    return coef[1:]


# ---------------------------------------------------------------------------------------------

def simulate(n_customers: int = 2000, months: int = 24, start="2024-01-01", seed: int = BUNDLED_SEED,
             *, industry_mix: dict | None = None) -> Company:
    """Simulate the company: customers, shipments, complaints, surveys and the hidden truth.

    Parameters
    ----------
    n_customers : int
        Customers who are or become clients during the period (about 70% are clients at
        ``start``, the rest sign up during it).
    months : int
        Length of the period in months.
    start : str or date
        First day of the period, e.g. ``"2024-01-01"``.
    seed : int
        Seed of numpy's ``default_rng``; the same arguments give the same bytes.
    industry_mix : dict, optional
        Share of customers by industry (keys from ``INDUSTRIES``); defaults to
        ``DEFAULT_INDUSTRY_MIX``.

    Returns
    -------
    Company
        ``.customers``, ``.shipments``, ``.complaints``, ``.surveys`` (DataFrames in the
        bundled schema) and ``.truth`` (:class:`Truth`).

    Examples
    --------
    >>> company = simulate(n_customers=100, months=3, seed=1)
    >>> company.truth.driver_effects.index.tolist()[:2]
    ['timeliness', 'condition']
    """
    n = _check_count(n_customers, "n_customers")
    months = _check_count(months, "months")
    if months > 240:
        raise DataError(f"simulate: months must be at most 240 (20 years), got {months}. Fix: simulate a shorter period.")
    seed = _check_seed(seed)
    start = _check_start(start)
    mix = _check_mix(industry_mix)

    rng = np.random.default_rng(seed)
    aux_rng = np.random.default_rng([seed, 1])

    month_starts = np.array([(start + pd.DateOffset(months=k)).to_datetime64() for k in range(months + 1)],
                            dtype="datetime64[D]").astype(np.int64)
    start_day, end_day = int(month_starts[0]), int(month_starts[-1]) - 1   # end_day inclusive
    month_of_year = np.array([(start + pd.DateOffset(months=k)).month - 1 for k in range(months)])
    no_day = np.int64(2 ** 40)

    # ---- customers -------------------------------------------------------------------------
    ind = rng.choice(len(INDUSTRIES), size=n, p=mix)
    z = rng.standard_normal(n)
    b2c = rng.random(n) < _IND_B2C[ind] * np.where(z > 1.0, 0.3, 1.0)
    large = ~b2c & (rng.random(n) < _LARGE_SHARE)
    # yearly revenue the customer would bring at list-adjusted prices: a lognormal body and a
    # small group of large accounts (the heavy tail the 20/80 rule and key-account rules see)
    log_size = np.where(large, np.log(_LARGE_MEDIAN) + _LARGE_SD * z,
                        np.log(_BODY_MEDIAN) + _BODY_SD * z + _IND_SIZE[ind] - 1.0 * b2c)
    target_revenue = np.exp(log_size)
    volume = 2.4 * (target_revenue / _BODY_MEDIAN) ** 0.6 * np.exp(0.2 * rng.standard_normal(n))  # waybills a month
    growth = np.clip(rng.normal(0.04, 0.22, n), -0.5, 0.8)                           # log growth a year
    existing = rng.random(n) < 0.70
    signup = np.where(existing,
                      start_day - rng.integers(30, 6 * 365, n),
                      start_day + (rng.random(n) * max(1, end_day - start_day - 20)).astype(np.int64))
    first_day = np.maximum(signup, start_day)
    home = _draw_city(rng, _CITY_HOME_W, n)
    region = _CITY_REGION[home]

    mixes = _IND_MIX[ind] * np.exp(0.35 * rng.standard_normal((n, len(SERVICES))))
    mixes[:, SERVICES.index("cold_chain")] *= (_IND_MIX[ind][:, SERVICES.index("cold_chain")] > 0)
    mixes /= mixes.sum(axis=1, keepdims=True)
    # the customer's typical consignment weight follows from its revenue per waybill
    per_waybill = target_revenue / (12 * volume)
    mix_base = (mixes * _SVC_PRICE_BASE).sum(axis=1)
    mix_rate = (mixes * _SVC_PRICE_RATE * _SVC_WEIGHT).sum(axis=1) * math.exp(0.18)
    typical_kg = np.maximum(0.5, (per_waybill - mix_base) / mix_rate) * np.exp(0.15 * rng.standard_normal(n))
    piece_kg = _IND_PIECE_KG[ind] * np.exp(0.3 * rng.standard_normal(n))

    # the company's view: estimated yearly revenue and growth, used to assign the tier
    est_revenue = target_revenue * np.exp(0.3 * rng.standard_normal(n))
    est_growth = growth + 0.12 * rng.standard_normal(n)
    strategic_ind = np.isin(ind, [INDUSTRIES.index(k) for k in ("it_electronics", "pharma",
                                                               "cold_chain_food", "electromechanical")])
    tier = np.full(n, 3)
    tier[(est_growth > 0.2) & (est_revenue > 6e4) & ~b2c] = 2
    tier[est_revenue >= 5e6] = 1
    tier[(est_revenue > 8e5) & strategic_ind] = 0
    key = tier <= 1
    price_index = np.clip(_TIER_PRICE[tier] + 0.07 * b2c - 0.02 * np.clip(log_size - np.log(_BODY_MEDIAN), -2, 4)
                          + 0.07 * rng.standard_normal(n), 0.55, 1.30)
    monthly = np.where(tier < 3, True, np.where(b2c, rng.random(n) < 0.08, rng.random(n) < 0.55 + 0.1 * z))
    cod_p = np.clip(_IND_COD[ind] * (1.6 * b2c + 0.7) * np.exp(0.4 * rng.standard_normal(n)), 0, 0.8)
    ins_p = np.clip(_IND_INS[ind] * (1 + 0.8 * key + 0.3 * (tier == 2)) * np.exp(0.4 * rng.standard_normal(n)), 0, 0.9)
    srr_p = np.clip(_IND_SRR[ind] * (1 + 0.6 * key) * (1 - 0.8 * b2c) * np.exp(0.4 * rng.standard_normal(n)), 0, 0.9)
    urgent_p = np.clip(0.05 * np.exp(0.5 * rng.standard_normal(n)) * (1 + 0.5 * key), 0, 0.4)
    late_re = 0.5 * rng.standard_normal(n)
    damage_re = np.exp(0.2 * rng.standard_normal(n))
    cost_factor = np.exp(0.12 * rng.standard_normal(n)) * (1 + 0.08 * np.isin(region, _REMOTE_REGIONS))
    pickup_cost = 3.0 + 18.0 / np.sqrt(volume)

    # baseline perceptions: general attitude (halo) + dimension-specific part
    attitude = rng.standard_normal(n)
    base_theta = _HALO * attitude[:, None] + math.sqrt(1 - _HALO ** 2) * rng.standard_normal((n, len(DIMENSIONS)))
    price_z10 = (price_index - 1.0) / 0.1
    base_theta[:, DIMENSIONS.index("price")] += _PRICE_PERCEPTION * (price_z10 - np.mean(price_z10))
    base_theta[:, DIMENSIONS.index("staff")] += 0.25 * key
    person = 0.45 * rng.standard_normal(n)
    person_bias = 0.25 * rng.standard_normal(n)   # how generously the customer answers surveys

    cust_ids = _ids("C", n, 5)

    # ---- month by month -------------------------------------------------------------------
    p_bar = dict(_COMPANY_RATES)
    panels = {k: np.zeros((n, months)) for k in ("n", "late", "damaged", "lost", "complaints", "bad")}
    theta_panel = np.zeros((n, months, len(DIMENSIONS)))
    sat_panel = np.zeros((n, months))
    active_panel = np.zeros((n, months), dtype=bool)
    decision_day = np.full(n, no_day)
    churn_day = np.full(n, no_day)
    decline_weeks = np.zeros(n, dtype=np.int64)
    hazard_x = np.column_stack([np.zeros(n), price_z10, monthly, key, b2c]).astype(float)
    coefs = np.array([_CHURN[k] for k in ("latent_satisfaction", "price_index_10pct", "monthly_settlement",
                                           "key_account", "segment_b2c")])
    sat_prev = _latent_satisfaction(base_theta.copy(), person)

    chunks = []
    complaint_chunks = []
    n_ship_total = 0
    for t in range(months):
        d0, d1 = int(month_starts[t]), int(month_starts[t + 1])
        days_in = d1 - d0
        present = (first_day < d1) & (churn_day >= d0)
        active_panel[:, t] = present

        # churn decisions this month
        at_risk = present & (decision_day == no_day)
        hazard_x[:, 0] = sat_prev
        yearly = np.exp(_CHURN["intercept"] + hazard_x @ coefs)
        from_day = np.maximum(first_day, d0)
        exposure = (d1 - from_day) / 365.25
        decide = at_risk & (rng.random(n) < 1 - np.exp(-yearly * np.clip(exposure, 0, None)))
        n_dec = int(decide.sum())
        if n_dec:
            dec = from_day[decide] + (rng.random(n_dec) * (d1 - from_day[decide])).astype(np.int64)
            weeks = rng.integers(4, 13, n_dec)
            decision_day[decide] = dec
            decline_weeks[decide] = weeks
            churn_day[decide] = dec + 7 * weeks

        # daily shipment counts for the customers present this month
        idx = np.flatnonzero(present)
        day = d0 + np.arange(days_in)
        rate = (volume[idx] / 30.44)[:, None] * np.ones(days_in)
        season = 1 + _IND_SEASON[ind[idx]] * (_SEASON[month_of_year[t]] - 1)
        rate *= season[:, None] * _WEEKDAY[(day + 3) % 7][None, :]
        rate *= np.exp(growth[idx][:, None] * (day[None, :] - start_day) / 365.25)
        age = day[None, :] - first_day[idx][:, None]
        rate *= (age >= 0) * np.where(existing[idx][:, None], 1.0, 1 - np.exp(-(age + 1) / 40.0))
        dd, cd = decision_day[idx][:, None], churn_day[idx][:, None]
        frac = np.clip((day[None, :] - dd) / np.maximum(cd - dd, 1), 0, 1)
        rate *= np.where(day[None, :] > cd, 0.0, 1 - 0.92 * frac)
        counts = rng.poisson(rate)
        jj, kk = np.nonzero(counts.T)
        reps = counts.T[jj, kk]
        row_day = np.repeat(day[jj], reps)
        row_c = np.repeat(idx[kk], reps)
        m = len(row_c)

        # waybill attributes
        svc = _pick(rng, np.cumsum(mixes[row_c], axis=1))
        urgent = rng.random(m) < urgent_p[row_c] * np.where(svc == 2, 2.0, 1.0)
        origin = np.where(rng.random(m) < 0.88, home[row_c], _draw_city(rng, _CITY_HOME_W, m))
        dest = _draw_city(rng, _CITY_DEST_W, m)
        same_day = svc == SERVICES.index("same_day")
        dest = np.where(same_day & (_CITY_REGION[dest] != _CITY_REGION[origin]), origin, dest)
        zone = np.where(dest == origin, 0, np.where(_CITY_REGION[dest] == _CITY_REGION[origin], 1, 2))
        remote = np.isin(_CITY_REGION[dest], _REMOTE_REGIONS)
        promised = _SVC_PROMISE[svc, zone] + (remote & (zone == 2) & (svc != 2))
        peak = np.isin(month_of_year[t], [0, 1, 10, 11])
        late_logit = _SVC_LATE[svc] + 0.40 * remote + 0.45 * peak + 0.30 * urgent + late_re[row_c]
        lost = rng.random(m) < _SVC_LOSS[svc]
        late = ~lost & (rng.random(m) < 1 / (1 + np.exp(-late_logit)))
        damaged = ~lost & (rng.random(m) < _SVC_DAMAGE[svc] * _IND_FRAGILE[ind[row_c]] * damage_re[row_c])
        early = (~late) & (promised >= 2) & (rng.random(m) < 0.25)
        delivered = np.where(lost, no_day, row_day + promised + np.where(late, rng.geometric(0.6, m), -early.astype(np.int64)))
        cod = rng.random(m) < cod_p[row_c]
        insured = rng.random(m) < ins_p[row_c]
        srr = rng.random(m) < srr_p[row_c]
        cold = (svc == SERVICES.index("cold_chain")) | ((svc == SERVICES.index("freight"))
                                                        & np.isin(ind[row_c], _COLD_INDUSTRIES) & (rng.random(m) < 0.4))
        receipt_ok = ~lost & (rng.random(m) < np.where(late, 0.80, 0.92))
        weight = np.maximum(0.1, np.round(typical_kg[row_c] * _SVC_WEIGHT[svc]
                                          * np.exp(0.6 * rng.standard_normal(m)), 1))
        pieces = np.maximum(1, np.round(weight / piece_kg[row_c] * np.exp(0.2 * rng.standard_normal(m)))).astype(np.int64)
        list_price = _SVC_PRICE_BASE[svc] + _SVC_PRICE_RATE[svc] * weight + 0.5 * weight * (cold & (svc != 3))
        cod_value = np.exp(rng.normal(6.0, 1.0, m))
        declared = np.exp(rng.normal(7.8, 1.2, m))
        fees = cod * np.maximum(3.0, 0.01 * cod_value) + insured * np.maximum(2.0, 0.005 * declared) + 8.0 * srr
        revenue = np.round(price_index[row_c] * list_price * np.exp(0.03 * rng.standard_normal(m)) + fees, 2)
        base_cost = _SVC_COST_BASE[svc] + _SVC_COST_RATE[svc] * weight + 0.35 * weight * (cold & (svc != 3))
        claims = damaged * 0.6 * list_price + lost * np.where(insured, np.minimum(declared, 20000.0), 3 * list_price)
        cost = np.round(cost_factor[row_c] * base_cost + pickup_cost[row_c] + 1.5 * cod + 5.0 * srr + claims, 2)

        # complaints that follow failures (and a few that do not)
        propensity = np.exp(-0.25 * sat_prev[row_c])
        p_comp = np.where(lost, _COMPLAINT_P["lost"], 0.0)
        p_comp = np.where(damaged, _COMPLAINT_P["damaged"], p_comp)
        p_comp = np.where(late & ~damaged, _COMPLAINT_P["late"], p_comp)
        p_other = 0.0025 * propensity
        draw = rng.random(m)
        failure_complaint = draw < np.clip(p_comp * propensity, 0, 0.95)
        other_complaint = ~failure_complaint & (draw > 1 - p_other)
        has_c = failure_complaint | other_complaint
        c_rows = np.flatnonzero(has_c)
        nc = len(c_rows)
        category = np.where(lost[c_rows], 2, np.where(damaged[c_rows], 1, np.where(late[c_rows], 0, -1)))
        category = np.where(other_complaint[c_rows], np.where(rng.random(nc) < 0.7, 3, 5), category)
        base_day = np.where(lost[c_rows], row_day[c_rows] + promised[c_rows] + rng.integers(2, 8, nc),
                            np.where(category == 3, row_day[c_rows] + rng.integers(0, 2, nc),
                                     delivered[c_rows] + rng.integers(0, 3, nc)))
        recov = np.zeros(m)
        c_cust = row_c[c_rows]
        channel, resolved, hours = _complaint_handling(rng, category, key[c_cust])
        recov[c_rows] = np.where(resolved & (base_day <= end_day), _RECOVERY_MAX * np.exp(-np.nan_to_num(hours) / _RECOVERY_HOURS), 0.0)
        bad = (~resolved | (np.nan_to_num(hours, nan=1e9) > 72)) & (base_day <= end_day)

        # billing complaints, not tied to a waybill
        p_bill = 0.012 * np.exp(0.35 * price_z10[idx]) * np.exp(-0.25 * sat_prev[idx])
        bill = idx[rng.random(len(idx)) < p_bill]
        nb = len(bill)
        b_cat = np.where(rng.random(nb) < 0.8, 4, 5)
        b_channel, b_resolved, b_hours = _complaint_handling(rng, b_cat, key[bill])
        b_day = np.maximum(first_day[bill], d0) + (rng.random(nb) * (d1 - np.maximum(first_day[bill], d0))).astype(np.int64)
        b_day = np.minimum(b_day, churn_day[bill])

        shipment_no = n_ship_total + np.arange(m)
        complaint_chunks.append(pd.DataFrame({
            "_c": np.concatenate([c_cust, bill]),
            "_s": np.concatenate([shipment_no[c_rows], np.full(nb, -1)]),
            "_day": np.concatenate([base_day, b_day]),
            "_channel": np.concatenate([channel, b_channel]),
            "_category": np.concatenate([category, b_cat]),
            "resolved": np.concatenate([resolved, b_resolved]),
            "resolution_hours": np.concatenate([hours, b_hours]),
        }))
        n_ship_total += m

        # experience this month -> perceptions and latent satisfaction
        weight_left = 1 - recov
        panels["n"][:, t] = np.bincount(row_c, minlength=n)
        panels["late"][:, t] = np.bincount(row_c, weights=late * weight_left, minlength=n)
        panels["damaged"][:, t] = np.bincount(row_c, weights=damaged * weight_left, minlength=n)
        panels["lost"][:, t] = np.bincount(row_c, weights=lost * weight_left, minlength=n)
        panels["complaints"][:, t] = (np.bincount(c_cust, weights=base_day <= end_day, minlength=n)
                                      + np.bincount(bill, minlength=n))
        panels["bad"][:, t] = np.bincount(c_cust, weights=bad, minlength=n) + np.bincount(
            bill, weights=~b_resolved | (np.nan_to_num(b_hours, nan=1e9) > 72), minlength=n)
        n3 = _trailing(panels["n"], t)
        shares = {k: (_trailing(panels[k], t) + _SMOOTH * p_bar[k]) / (n3 + _SMOOTH) - p_bar[k] for k in p_bar}
        c3 = _trailing(panels["complaints"], t)
        bad_share = _trailing(panels["bad"], t) / np.maximum(c3, 1)
        theta = _perceptions(base_theta, 0.25 * rng.standard_normal((n, len(DIMENSIONS))), shares, bad_share)
        theta_panel[:, t] = theta
        sat_prev = _latent_satisfaction(theta, person)
        sat_panel[:, t] = sat_prev

        chunks.append({"c": row_c, "day": row_day, "svc": svc, "origin": origin, "dest": dest,
                       "weight": weight, "pieces": pieces, "revenue": revenue, "cost": cost, "promised": promised,
                       "delivered": delivered, "late": late, "damaged": damaged, "lost": lost,
                       "urgent": urgent, "cod": cod, "insured": insured, "srr": srr,
                       "receipt_ok": receipt_ok, "cold": cold})

    # ---- shipments table -----------------------------------------------------------------
    cols = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    m_all = len(cols["c"])
    ship_day = cols["day"]
    promised_day = ship_day + cols["promised"]
    receipt = pd.array(np.where(cols["srr"], cols["receipt_ok"], False), dtype="boolean")
    receipt[~cols["srr"]] = pd.NA
    delivered_dates = _to_dates(cols["delivered"])
    delivered_dates[cols["lost"]] = np.datetime64("NaT")
    shipments = pd.DataFrame({
        "shipment_id": pd.array(_ids("S", m_all, 8), dtype="str"),
        "customer_id": pd.array(cust_ids[cols["c"]], dtype="str"),
        "ship_date": _to_dates(ship_day),
        "service": pd.Categorical.from_codes(cols["svc"], categories=SERVICES),
        "origin": pd.Categorical.from_codes(cols["origin"], categories=CITIES),
        "destination": pd.Categorical.from_codes(cols["dest"], categories=CITIES),
        "weight_kg": cols["weight"],
        "pieces": cols["pieces"],
        "revenue": cols["revenue"],
        "cost": cols["cost"],
        "promised_days": cols["promised"].astype(np.int64),
        "promised_date": _to_dates(promised_day),
        "delivered_date": delivered_dates,
        "on_time": ~cols["late"] & ~cols["lost"],
        "damaged": cols["damaged"],
        "lost": cols["lost"],
        "urgent": cols["urgent"],
        "cod": cols["cod"],
        "insured": cols["insured"],
        "signed_receipt_return": cols["srr"],
        "receipt_on_time": receipt,
        "cold_chain": cols["cold"],
    })

    # ---- complaints table ----------------------------------------------------------------
    comp = pd.concat(complaint_chunks, ignore_index=True)
    comp = comp[comp["_day"] <= end_day]
    comp = comp.sort_values(["_day", "_c", "_s"], kind="stable").reset_index(drop=True)
    ship_ref = np.where(comp["_s"].to_numpy() >= 0, comp["_s"].to_numpy(), 0)
    shipment_ref = pd.Series(shipments["shipment_id"].to_numpy()[ship_ref], dtype="str")
    shipment_ref[comp["_s"].to_numpy() < 0] = pd.NA
    complaints = pd.DataFrame({
        "complaint_id": pd.array(_ids("Q", len(comp), 6), dtype="str"),
        "customer_id": pd.array(cust_ids[comp["_c"].to_numpy()], dtype="str"),
        "shipment_id": shipment_ref.astype("str"),
        "date": _to_dates(comp["_day"].to_numpy()),
        "channel": pd.Categorical.from_codes(comp["_channel"].to_numpy(), categories=CHANNELS),
        "category": pd.Categorical.from_codes(comp["_category"].to_numpy(), categories=CATEGORIES),
        "resolved": comp["resolved"].to_numpy(dtype=bool),
        "resolution_hours": comp["resolution_hours"].to_numpy(dtype=float),
    })

    # ---- surveys: quarterly waves, 30% of present customers each ------------------------
    waves = [t for t in range(2, months, 3)] or [months - 1]
    resp_c, resp_t, resp_day, pop_c, pop_t = [], [], [], [], []
    for t in waves:
        d0, d1 = int(month_starts[t]), int(month_starts[t + 1])
        sday = d0 + rng.integers(0, d1 - d0, n)
        eligible = (first_day <= sday) & (churn_day >= sday)
        pop = np.flatnonzero(eligible)
        pop_c.append(pop)
        pop_t.append(np.full(len(pop), t))
        chosen = pop[rng.random(len(pop)) < 0.30]
        resp_c.append(chosen)
        resp_t.append(np.full(len(chosen), t))
        resp_day.append(sday[chosen])
    resp_c, resp_t, resp_day = map(np.concatenate, (resp_c, resp_t, resp_day))
    items, expect, overall, recommend, stay = _survey_answers(
        rng, theta_panel[resp_c, resp_t], sat_panel[resp_c, resp_t], price_z10[resp_c], key[resp_c],
        person_bias[resp_c])
    survey_cols = {"response_id": pd.array(_ids("R", len(resp_c), 6), dtype="str"),
                   "customer_id": pd.array(cust_ids[resp_c], dtype="str"),
                   "date": _to_dates(resp_day),
                   "wave": np.searchsorted(np.array(waves), resp_t).astype(np.int64) + 1}
    for d, dim in enumerate(DIMENSIONS):
        for k in range(3):
            survey_cols[f"{dim}_{k + 1}"] = items[:, d, k]
    for d, dim in enumerate(DIMENSIONS):
        survey_cols[f"expect_{dim}"] = expect[:, d]
    survey_cols.update(overall_satisfaction=overall, recommend=recommend, intention_to_stay=stay)
    surveys = pd.DataFrame(survey_cols).sort_values(["date", "customer_id"], kind="stable")
    surveys["response_id"] = pd.array(_ids("R", len(surveys), 6), dtype="str")
    surveys = surveys.reset_index(drop=True)

    # ---- truth: driver effects from a large auxiliary draw over the survey population -------
    pop_c, pop_t = np.concatenate(pop_c), np.concatenate(pop_t)
    reps = max(1, int(math.ceil(300_000 / max(len(pop_c), 1))))
    aux_c, aux_t = np.tile(pop_c, reps), np.tile(pop_t, reps)
    aux_items, _, aux_overall, _, _ = _survey_answers(
        aux_rng, theta_panel[aux_c, aux_t], sat_panel[aux_c, aux_t], price_z10[aux_c], key[aux_c],
        person_bias[aux_c])
    if len(aux_c) > 1 and (aux_items.mean(axis=2).std(axis=0) > 0).all():
        effects = _driver_truth(aux_items, aux_overall)
        effects_std = effects / aux_overall.std()
    else:   # nobody could be surveyed: no population to define the effects on
        effects = effects_std = np.full(len(DIMENSIONS), np.nan)
    driver_effects = pd.DataFrame({
        "effect": effects,
        "effect_std": effects_std,
        "latent_weight": [_DRIVER_WEIGHTS[d] for d in DIMENSIONS],
    }, index=pd.Index(DIMENSIONS, name="dimension"))
    driver_effects["rank"] = driver_effects["effect"].rank(ascending=False, method="first").astype("Int64")
    driver_effects = driver_effects.sort_values("rank", kind="stable")

    loadings = pd.DataFrame({
        "item": [f"{dim}_{k + 1}" for dim in DIMENSIONS for k in range(3)],
        "dimension": [dim for dim in DIMENSIONS for _ in range(3)],
        "loading": _ITEM_LOADINGS.ravel(),
    })

    weights = np.array([_DRIVER_WEIGHTS[d] for d in DIMENSIONS])
    failure_rows = []
    for failure, zh in (("late", "延误"), ("damaged", "破损"), ("lost", "丢失")):
        effect = sum(weights[DIMENSIONS.index(dim)] * coef for dim, coef in _EXPERIENCE[failure].items())
        failure_rows.append((failure, zh, effect, effect / 100, _COMPLAINT_P[failure]))
    failure_effects = pd.DataFrame(failure_rows, columns=[
        "failure", "chinese", "effect_per_share", "effect_per_point", "complaint_probability"]).set_index("failure")
    failure_effects["exposure"] = (f"(failures in the last {_WINDOW} months, each weighted by 1 - recovery, "
                                   f"+ {_SMOOTH:g} x company rate) / (shipments in the last {_WINDOW} months "
                                   f"+ {_SMOOTH:g}) - company rate")

    churn_effects = pd.DataFrame({
        "coefficient": [_CHURN[k] for k in _CHURN],
        "hazard_ratio": [math.exp(_CHURN[k]) for k in _CHURN],
        "definition": [_CHURN_DEFINITIONS[k] for k in _CHURN],
    }, index=pd.Index(list(_CHURN), name="covariate"))

    # customer value: historical (revenue in the period) and future (expected next 24 months)
    hist = np.bincount(cols["c"], weights=cols["revenue"], minlength=n)
    n_ship = np.bincount(cols["c"], minlength=n)
    rev_per = np.where(n_ship > 0, hist / np.maximum(n_ship, 1), price_index * per_waybill)
    end_rate = volume * np.exp(growth * (end_day - start_day) / 365.25)
    hazard_x[:, 0] = sat_prev
    end_hazard = np.exp(_CHURN["intercept"] + hazard_x @ coefs)
    horizon = np.arange(1, 25) / 12.0
    survival = np.exp(-(end_hazard[:, None] - growth[:, None]) * horizon[None, :]).sum(axis=1)
    gone = decision_day <= end_day
    future = np.where(gone, 0.0, end_rate * rev_per * survival)
    hist_high = hist >= np.quantile(hist, 0.8)
    future_high = future >= np.quantile(future, 0.8)
    value_class = np.array(VALUE_CLASSES)[np.select(
        [~hist_high & ~future_high, ~hist_high & future_high, hist_high & future_high], [0, 1, 2], 3)]
    last_month = np.where(active_panel.any(axis=1), months - 1 - np.argmax(active_panel[:, ::-1], axis=1), 0)
    churned = churn_day <= end_day
    decline_start = np.where(decision_day <= end_day, decision_day, no_day)
    truth_customers = pd.DataFrame({
        "value_class": pd.Categorical(value_class, categories=VALUE_CLASSES),
        "historical_value": np.round(hist, 2),
        "future_value": np.round(future, 2),
        "latent_satisfaction": sat_panel[np.arange(n), last_month],
        "mean_satisfaction": np.where(active_panel.any(axis=1),
                                      (sat_panel * active_panel).sum(axis=1) / np.maximum(active_panel.sum(axis=1), 1),
                                      np.nan),
        "large_account": large,
        "target_revenue": target_revenue,
        "base_volume": volume,
        "typical_kg": typical_kg,
        "growth": growth,
        "price_index": price_index,
        "late_propensity": late_re,
        "churned": churned,
        "decline_start": _nat_dates(decline_start, no_day),
        "decline_weeks": np.where(decision_day <= end_day, decline_weeks, 0).astype(np.int64),
        "churn_date": _nat_dates(np.where(churned, churn_day, no_day), no_day),
    }, index=pd.Index(cust_ids.astype(str), name="customer_id", dtype="str"))

    satisfaction = pd.DataFrame({
        "customer_id": pd.array(np.repeat(cust_ids, months), dtype="str"),
        "month": _to_dates(np.tile(month_starts[:-1], n)),
        "active": active_panel.ravel(),
        "latent_satisfaction": sat_panel.ravel(),
        **{dim: theta_panel[:, :, d].ravel() for d, dim in enumerate(DIMENSIONS)},
    })

    # ---- customers table -----------------------------------------------------------------
    names = _customer_names(rng, ind)
    customers = pd.DataFrame({
        "customer_id": pd.array(cust_ids, dtype="str"),
        "name": pd.array(names, dtype="str"),
        "industry": pd.Categorical.from_codes(ind, categories=INDUSTRIES),
        "segment": pd.Categorical.from_codes(b2c.astype(np.int64), categories=SEGMENTS),
        "region": pd.Categorical.from_codes(region, categories=REGIONS),
        "city": pd.Categorical.from_codes(home, categories=CITIES),
        "tier": pd.Categorical.from_codes(tier, categories=TIERS),
        "signup_date": _to_dates(signup),
        "contract": pd.Categorical.from_codes(np.where(monthly, 0, 1), categories=CONTRACTS),
        "account_manager": pd.array(np.where(
            tier < 3, np.array(_KA_MANAGERS, dtype=object)[rng.integers(0, len(_KA_MANAGERS), n)],
            np.array(_SERVICE_REPS, dtype=object)[rng.integers(0, len(_SERVICE_REPS), n)]), dtype="str"),
    })

    params = {"seed": seed, "n_customers": n, "months": months, "start": start, "end": _to_dates(np.array([end_day]))[0],
              "industry_mix": dict(zip(INDUSTRIES, mix)), "survey_waves": [int(w) + 1 for w in waves],
              "survey_sample_share": 0.30, "recovery_max": _RECOVERY_MAX, "recovery_hours": _RECOVERY_HOURS,
              "smoothing_shipments": _SMOOTH, "window_months": _WINDOW, "company_rates": dict(p_bar),
              "driver_weights": dict(_DRIVER_WEIGHTS), "auxiliary_draw_rows": int(len(aux_c)),
              "hazard_unit": "per year", "decline_volume_floor": 0.08,
              "handling_effect": _DRIVER_WEIGHTS["handling"] * _BAD_HANDLING,
              "handling_exposure": f"share of the customer's complaints in the last {_WINDOW} months "
                                   "(dated by the waybill's month; billing complaints by their own) that were "
                                   "unresolved or took more than 72 hours; 0 without complaints"}
    truth = Truth(customers=truth_customers, loadings=loadings, driver_effects=driver_effects,
                  failure_effects=failure_effects, churn_effects=churn_effects,
                  satisfaction=satisfaction, params=params)
    return Company(customers=customers, shipments=shipments, complaints=complaints, surveys=surveys, truth=truth)


def failure_exposure(shipments: pd.DataFrame, complaints: pd.DataFrame, *, start="2024-01-01",
                     months: int | None = None, customer="customer_id") -> pd.DataFrame:
    """Each customer's monthly service-failure exposure, as the simulator's satisfaction model sees it.

    For month t and failure k (late, damaged, lost) the exposure is
    ``(F + 5 p) / (N + 5) - p``: F counts the customer's failed waybills shipped in months
    t-2..t, each weighted by 1 - recovery (recovery = 0.6 exp(-hours / 48) when a complaint
    about it was resolved after ``hours``), N counts all its waybills in those months and p
    is the company-wide rate the simulator uses. ``bad_handling`` is the share of the
    customer's complaints in those months that were unresolved or took over 72 hours.
    Latent satisfaction moves by ``truth.failure_effects.effect_per_share`` per unit of
    exposure and by ``truth.params['handling_effect']`` per unit of bad handling.

    Parameters
    ----------
    shipments, complaints : DataFrame
        Tables in the bundled layout (``on_time``, ``damaged``, ``lost``, ``ship_date``;
        ``shipment_id``, ``date``, ``resolved``, ``resolution_hours``).
    start : date
        First day of month 0.
    months : int, optional
        Number of months; by default up to the last ship date.

    Returns
    -------
    DataFrame, one row per customer and month: customer_id, month (index 0..), shipments_3m,
    late, damaged, lost, bad_handling.

    Examples
    --------
    >>> company = simulate(n_customers=50, months=4, seed=3)
    >>> failure_exposure(company.shipments, company.complaints, months=4).columns.tolist()
    ['customer_id', 'month', 'shipments_3m', 'late', 'damaged', 'lost', 'bad_handling']
    """
    from crmkit.errors import as_dates, require

    require(shipments, columns=["shipment_id", customer, "ship_date"], no_nan=["on_time", "damaged", "lost"],
            name="shipments")
    require(complaints, columns=["shipment_id", customer, "date", "resolved", "resolution_hours"],
            min_rows=0, name="complaints")
    start = _check_start(start)
    ship_date = as_dates(shipments["ship_date"], column="ship_date", name="shipments")

    def month_index(dates):
        return ((dates.dt.year - start.year) * 12 + dates.dt.month - start.month).to_numpy()

    t_ship = month_index(ship_date)
    if months is None:
        months = int(t_ship.max()) + 1
    months = _check_count(months, "months")
    ids = pd.Index(pd.unique(shipments[customer].astype("str")), name=customer)
    codes = ids.get_indexer(shipments[customer].astype("str"))
    keep = (t_ship >= 0) & (t_ship < months)

    lost = shipments["lost"].to_numpy(dtype=bool)
    late = ~shipments["on_time"].to_numpy(dtype=bool) & ~lost
    damaged = shipments["damaged"].to_numpy(dtype=bool)
    comp = complaints.loc[complaints[customer].astype("str").isin(ids)]
    position = pd.Series(np.arange(len(shipments)), index=shipments["shipment_id"].astype("str").to_numpy())
    ref = comp["shipment_id"]
    has_ref = ref.notna().to_numpy()
    row = np.full(len(comp), -1)
    row[has_ref] = position.reindex(ref[has_ref].astype("str").to_numpy()).fillna(-1).to_numpy(dtype=int)
    hours = comp["resolution_hours"].to_numpy(dtype=float)
    resolved = comp["resolved"].to_numpy(dtype=bool)
    recovery = np.zeros(len(shipments))
    linked = row >= 0
    recovery[row[linked]] = np.where(resolved[linked],
                                     _RECOVERY_MAX * np.exp(-np.nan_to_num(hours[linked]) / _RECOVERY_HOURS), 0.0)
    t_comp = month_index(as_dates(comp["date"], column="date", name="complaints")).copy()
    t_comp[linked] = t_ship[row[linked]]
    bad = ~resolved | (np.nan_to_num(hours, nan=1e9) > 72)
    c_codes = ids.get_indexer(comp[customer].astype("str"))

    def panel(code, t, weights):
        ok = (t >= 0) & (t < months)
        flat = np.bincount(code[ok] * months + t[ok], weights=weights[ok], minlength=len(ids) * months)
        out = flat.reshape(len(ids), months)
        trailing = out.copy()
        for lag in range(1, _WINDOW):
            trailing[:, lag:] += out[:, :-lag]
        return trailing

    n3 = panel(codes, np.where(keep, t_ship, -1), np.ones(len(shipments)))
    result = {customer: np.repeat(ids.to_numpy(), months), "month": np.tile(np.arange(months), len(ids)),
              "shipments_3m": n3.ravel()}
    rates = _COMPANY_RATES
    for name, flag in (("late", late), ("damaged", damaged), ("lost", lost)):
        f3 = panel(codes, np.where(keep, t_ship, -1), flag * (1 - recovery))
        result[name] = ((f3 + _SMOOTH * rates[name]) / (n3 + _SMOOTH) - rates[name]).ravel()
    c3 = panel(c_codes, t_comp, np.ones(len(comp)))
    b3 = panel(c_codes, t_comp, bad.astype(float))
    result["bad_handling"] = (b3 / np.maximum(c3, 1)).ravel()
    table = pd.DataFrame(result)
    table[customer] = table[customer].astype("str")
    return table


def _nat_dates(days: np.ndarray, missing) -> np.ndarray:
    out = _to_dates(np.where(days == missing, 0, days))
    out[days == missing] = np.datetime64("NaT")
    return out


def _complaint_handling(rng, category: np.ndarray, key: np.ndarray):
    """Channel, resolved flag and resolution hours (NaN when unresolved) for complaints."""
    k = len(category)
    u = rng.random(k)
    channel = np.where(key & (u < 0.55), 3, np.searchsorted(np.array([0.36, 0.66]), rng.random(k), side="right"))
    median_hours = np.array([20.0, 34.0, 26.0, 8.0])[channel]
    median_hours = median_hours * np.select([category == 2, category == 1, category == 4], [2.2, 1.5, 1.3], 1.0)
    hours = np.round(median_hours * np.exp(0.8 * rng.standard_normal(k)), 1)
    resolved = rng.random(k) < np.where(category == 2, 0.85, 0.93)
    hours = np.where(resolved, np.maximum(hours, 0.1), np.nan)
    return channel.astype(np.int64), resolved, hours


def _customer_names(rng, ind: np.ndarray) -> np.ndarray:
    first = np.array(_FIRST_PARTS)[rng.integers(0, len(_FIRST_PARTS), len(ind))]
    second = np.array(_SECOND_PARTS)[rng.integers(0, len(_SECOND_PARTS), len(ind))]
    nouns = np.array([_IND_NOUN[k] for k in INDUSTRIES])[ind]
    names = np.char.add(np.char.add(np.char.add(first, second), " "), nouns)
    names = np.char.add(names, " Co.")
    # make names unique by numbering repeats
    out = names.astype(object)
    seen: dict = {}
    for i, name in enumerate(out):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            out[i] = f"{name[:-4]} ({seen[name]}) Co."
    return out


# ---------------------------------------------------------------------------------------------
# CSV output

def write_csv(company: Company, directory) -> dict:
    """Write ``company``'s four tables as deterministic CSV files; return {file name: sha256}.

    Dates are ISO (YYYY-MM-DD), there is no index column, booleans are True/False and a
    missing value is an empty field.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, table in company.tables().items():
        text = table.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
        data = text.encode("utf-8")
        (directory / f"{name}.csv").write_bytes(data)
        digests[f"{name}.csv"] = hashlib.sha256(data).hexdigest()
    return digests


def main(argv=None) -> int:
    """Command line: ``python -m crmkit.synth --out datasets --seed 20240101``."""
    parser = argparse.ArgumentParser(prog="python -m crmkit.synth",
                                     description=f"Simulate {COMPANY_NAME} ({COMPANY_NAME_ZH}) and write its tables as CSV.")
    parser.add_argument("--out", default="datasets", help="directory for the CSV files (default: datasets)")
    parser.add_argument("--seed", type=int, default=BUNDLED_SEED, help=f"random seed (default: {BUNDLED_SEED})")
    parser.add_argument("--customers", type=int, default=2000, help="number of customers (default: 2000)")
    parser.add_argument("--months", type=int, default=24, help="length of the period in months (default: 24)")
    parser.add_argument("--start", default="2024-01-01", help="first day, YYYY-MM-DD (default: 2024-01-01)")
    args = parser.parse_args(argv)
    company = simulate(n_customers=args.customers, months=args.months, start=args.start, seed=args.seed)
    for file, digest in write_csv(company, args.out).items():
        print(f"{digest}  {Path(args.out) / file}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
