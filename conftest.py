"""Names every docstring example may use without importing them (as pandas does for pd and np)."""

import numpy as np
import pandas as pd
import pytest

from crmkit import load_dataset


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(pd=pd, np=np, load_dataset=load_dataset)
