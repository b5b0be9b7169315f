"""Shared test set-up: names every docstring example may use without importing them (as pandas
does for pd and np), and a clean matplotlib state for every test."""

import matplotlib

matplotlib.use("Agg")  # tests draw off screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmkit import load_dataset  # noqa: E402


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(pd=pd, np=np, load_dataset=load_dataset)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
