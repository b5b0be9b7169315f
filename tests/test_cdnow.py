"""Tests for the bundled CDNOW sample (datasets/cdnow/) and crmkit.datasets.load_cdnow.

The files are copies of the CDNOW 1/10th sample distributed by Bruce Hardie with the BTYD
papers and shipped inside lifetimes 0.11.3 (test-only dependency): CDNOW_sample.txt (the
transaction log) and cdnow_customers_summary_with_transactions.csv (the published calibration
summary). The first tests check that the shipped CSV files hold the same values, so they cannot
drift. The others check that crmkit reproduces the published estimates from the shipped files:
BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4 (Fader, Hardie & Lee 2005,
Marketing Science 24(2), 275-284) and Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44 (Fader &
Hardie 2013, http://www.brucehardie.com/notes/025/).
"""

import shutil

import numpy as np
import pandas as pd
import pytest

from crmkit import DataError
from crmkit.clv import BetaGeo, GammaGamma, calibration_holdout_summary
from crmkit.datasets import load_cdnow

CALIBRATION_END, OBSERVATION_END = "1997-09-30", "1998-06-30"


@pytest.fixture(scope="module")
def transactions():
    return load_cdnow("transactions")


@pytest.fixture(scope="module")
def summary():
    return load_cdnow("summary")


@pytest.fixture(scope="module")
def calibration(transactions):
    """Calibration summary (to 1997-09-30) built by crmkit from the shipped log, in weeks."""
    table = calibration_holdout_summary(transactions, CALIBRATION_END, OBSERVATION_END,
                                        customer="customer_id", date="date", amount="amount")
    table = table.rename(columns=lambda c: c.removesuffix("_cal"))
    table["recency"] /= 7
    table["T"] /= 7
    return table


# --------------------------------------------------------------------------- the files equal lifetimes' copies
def _lifetimes_file(name, **kwargs):
    datasets = pytest.importorskip("lifetimes.datasets")
    return datasets.load_dataset(name, **kwargs)


def test_transactions_equal_lifetimes_cdnow_sample(transactions):
    raw = _lifetimes_file("CDNOW_sample.txt", header=None, sep=r"\s+",
                          names=["master_id", "customer_id", "date", "cds", "amount"], dtype={"date": str})
    assert len(transactions) == len(raw) == 6919
    for column in ["customer_id", "master_id", "cds", "amount"]:
        np.testing.assert_array_equal(transactions[column].to_numpy(), raw[column].to_numpy(), err_msg=column)
    np.testing.assert_array_equal(transactions["date"].dt.strftime("%Y%m%d").to_numpy(), raw["date"].to_numpy())


def test_summary_equals_lifetimes_published_summaries(summary):
    published = _lifetimes_file("cdnow_customers_summary_with_transactions.csv")   # ID, x, t_x, T, zbar
    assert len(summary) == len(published) == 2357
    np.testing.assert_array_equal(summary.index.to_numpy(), published["ID"].to_numpy())
    np.testing.assert_array_equal(summary.to_numpy(), published[["x", "t_x", "T", "zbar"]].to_numpy())
    short = _lifetimes_file("cdnow_customers_summary.csv")   # ID, frequency, recency, T
    np.testing.assert_array_equal(summary[["frequency", "recency", "T"]].to_numpy(),
                                  short[["frequency", "recency", "T"]].to_numpy())


# --------------------------------------------------------------------------- loader
def test_load_cdnow_types_and_shape(transactions, summary):
    assert list(transactions.columns) == ["customer_id", "master_id", "date", "cds", "amount"]
    assert transactions["date"].dtype.kind == "M"
    assert transactions["customer_id"].dtype.kind == "i" and transactions["amount"].dtype == "float64"
    assert transactions["customer_id"].nunique() == 2357
    assert transactions["date"].min() == pd.Timestamp("1997-01-01")
    assert transactions["date"].max() == pd.Timestamp("1998-06-30")
    # a cohort: every customer's first purchase lies in the first quarter of 1997
    first = transactions.groupby("customer_id")["date"].min()
    assert first.max() <= pd.Timestamp("1997-03-31")
    assert (transactions["amount"] >= 0).all() and (transactions["cds"] >= 1).all()
    assert summary.index.name == "customer_id"
    assert list(summary.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert (summary.dtypes == "float64").all()


def test_load_cdnow_returns_a_fresh_frame_each_time(transactions):
    again = load_cdnow("transactions")
    again.loc[0, "amount"] = -1.0
    assert load_cdnow("transactions").loc[0, "amount"] == transactions.loc[0, "amount"] == 29.33


def test_load_cdnow_bad_input(tmp_path, transactions):
    with pytest.raises(DataError, match="unknown CDNOW table"):
        load_cdnow("customers")
    with pytest.raises(DataError, match="not found"):
        load_cdnow("summary", data_dir=tmp_path)
    transactions.drop(columns="amount").to_csv(tmp_path / "cdnow_transactions.csv", index=False)
    with pytest.raises(DataError, match="'amount'"):
        load_cdnow("transactions", data_dir=tmp_path)


def test_load_cdnow_reads_another_folder(tmp_path):
    from crmkit.datasets import dataset_path
    shutil.copy(dataset_path("customers").parent / "cdnow" / "cdnow_summary.csv", tmp_path)
    assert load_cdnow("summary", data_dir=tmp_path).shape == (2357, 4)


# --------------------------------------------------------------------------- published results from the shipped files
def test_summary_rebuilt_from_shipped_transactions_matches_shipped_summary(calibration, summary):
    assert calibration.index.equals(summary.index)
    np.testing.assert_array_equal(calibration["frequency"], summary["frequency"])
    for column in ["recency", "T", "monetary_value"]:   # the published file rounds to 2 decimals
        np.testing.assert_allclose(calibration[column], summary[column], atol=0.005 + 1e-9, err_msg=column)
    # the holdout is 39 weeks, as in the paper: 273 days from 1997-09-30 to 1998-06-30
    assert set(calibration["duration_holdout"]) == {273.0}
    assert calibration["frequency_holdout"].sum() == 1882


def test_bgnbd_on_shipped_summary_reproduces_fader_hardie_lee_2005(summary):
    model = BetaGeo().fit(summary)
    assert model.converged_
    assert model.params_.round(3).to_dict() == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(model.log_likelihood_, 1) == -9582.4


def test_gamma_gamma_on_shipped_transactions_reproduces_fader_hardie_2013(calibration):
    model = GammaGamma().fit(calibration)
    assert model.n_customers_ == 946
    assert model.params_.round(2).to_dict() == {"p": 6.25, "q": 3.74, "gamma": 15.44}
