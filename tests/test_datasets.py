"""The bundled datasets: checksums, loader dtypes, listing, errors and the data dictionary."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

import crmkit
from crmkit import DataError
from crmkit.datasets import (DATASETS, DICTIONARY, data_dictionary, dataset_path, dictionary_markdown,
                             list_datasets, load_dataset)
from crmkit.synth import BUNDLED_SEED, simulate, write_csv

BUNDLED = Path(__file__).resolve().parent.parent / "datasets"
NAMES = ["customers", "shipments", "complaints", "surveys"]


@pytest.fixture(scope="module")
def company():
    return simulate(n_customers=2000, months=24, start="2024-01-01", seed=BUNDLED_SEED)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_regenerated_files_match_the_committed_checksums(company, tmp_path):
    digests = write_csv(company, tmp_path)
    for name in NAMES:
        committed = BUNDLED / f"{name}.csv"
        assert committed.is_file(), committed
        assert digests[f"{name}.csv"] == _sha256(committed) == _sha256(tmp_path / f"{name}.csv"), name


def test_bundled_files_stay_moderate_in_size():
    total = sum((BUNDLED / f"{name}.csv").stat().st_size for name in NAMES)
    assert total < 40 * 2**20


@pytest.mark.parametrize("name", NAMES)
def test_load_dataset_gives_the_simulated_table_with_proper_dtypes(company, name):
    table = load_dataset(name)
    pd.testing.assert_frame_equal(table, company.tables()[name])
    kinds = {column: kind for column, kind, *_ in DICTIONARY[name]}
    for column, kind in kinds.items():
        dtype = table[column].dtype
        if kind == "date":
            assert pd.api.types.is_datetime64_any_dtype(dtype), column
        elif kind == "category":
            assert isinstance(dtype, pd.CategoricalDtype), column
        elif kind == "bool":
            assert dtype == bool, column
        elif kind == "boolean":
            assert dtype == "boolean", column
        elif kind == "str":
            assert pd.api.types.is_string_dtype(dtype), column


def test_load_dataset_returns_a_fresh_frame():
    first = crmkit.datasets.load_dataset("customers")
    first.loc[0, "name"] = "changed"
    assert load_dataset("customers").loc[0, "name"] != "changed"


def test_categories_keep_the_documented_order():
    shipments = load_dataset("shipments")
    assert shipments["service"].cat.categories.tolist() == ["standard", "express", "same_day", "cold_chain",
                                                            "freight"]
    assert load_dataset("customers")["industry"].cat.categories.tolist()[0] == "apparel"


def test_list_datasets_describes_each_table():
    table = list_datasets()
    assert table.columns.tolist() == ["name", "description", "rows", "file"]
    assert table["name"].tolist() == NAMES
    for row in table.itertuples():
        assert row.description == DATASETS[row.name] and len(row.description) > 20
        assert row.rows == len(pd.read_csv(row.file, usecols=[0]))
        assert Path(row.file) == BUNDLED / f"{row.name}.csv"


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(DataError) as info:
        load_dataset("shipment")
    message = str(info.value)
    assert "'shipment'" in message
    for name in NAMES:
        assert name in message
    with pytest.raises(DataError):
        load_dataset(3)
    with pytest.raises(DataError, match="Valid names"):
        data_dictionary("orders")


def test_missing_file_in_a_user_folder_names_the_path(tmp_path):
    with pytest.raises(DataError) as info:
        load_dataset("surveys", data_dir=tmp_path)
    assert str(tmp_path / "surveys.csv") in str(info.value)
    listing = list_datasets(data_dir=tmp_path)
    assert listing["rows"].isna().all()


def test_user_folder_with_own_categories_and_extra_columns(tmp_path):
    pd.DataFrame({
        "customer_id": ["K1", "K2"], "name": ["A", "B"], "industry": ["furniture", "pharma"],
        "segment": ["B2B", "B2B"], "region": ["east", "west"], "city": ["Hefei", "Chengdu"],
        "tier": ["regular", "strategic"], "signup_date": ["2023-05-01", "2022-11-30"],
        "contract": ["monthly_settlement", "pay_per_shipment"], "account_manager": ["X", "Y"],
        "credit_limit": [1000, 2000],
    }).to_csv(tmp_path / "customers.csv", index=False)
    table = load_dataset("customers", data_dir=str(tmp_path))
    assert table["industry"].dtype == "category"
    assert set(table["industry"].cat.categories) == {"furniture", "pharma"}   # nothing silently dropped
    assert table["tier"].cat.categories.tolist() == ["strategic", "economic", "potential", "regular"]
    assert table["signup_date"].dtype.kind == "M"
    assert table["credit_limit"].tolist() == [1000, 2000]


def test_bad_values_in_a_user_file_raise_data_error(tmp_path):
    pd.DataFrame({"complaint_id": ["Q1", "Q2"], "customer_id": ["C1", "C2"], "shipment_id": ["S1", None],
                  "date": ["2024-01-05", "2024-13-01"], "channel": ["phone", "app"],
                  "category": ["delay", "billing"], "resolved": [True, False],
                  "resolution_hours": [3.5, None]}).to_csv(tmp_path / "complaints.csv", index=False)
    with pytest.raises(DataError, match="'date' has 1 unparseable date"):
        load_dataset("complaints", data_dir=tmp_path)
    pd.DataFrame({"complaint_id": ["Q1"], "resolved": ["maybe"]}).to_csv(tmp_path / "complaints.csv", index=False)
    with pytest.raises(DataError, match="'resolved' has 1 values that are not True/False"):
        load_dataset("complaints", data_dir=tmp_path)
    pd.DataFrame({"complaint_id": ["Q1"], "resolution_hours": ["soon"]}).to_csv(tmp_path / "complaints.csv",
                                                                                index=False)
    with pytest.raises(DataError, match="'resolution_hours' has 1 non-numeric"):
        load_dataset("complaints", data_dir=tmp_path)


def test_environment_variable_points_to_another_folder(tmp_path, monkeypatch, company):
    write_csv(simulate(n_customers=30, months=2, seed=4), tmp_path)
    monkeypatch.setenv("CRMKIT_DATA_DIR", str(tmp_path))
    assert len(load_dataset("customers")) == 30
    assert dataset_path("customers") == tmp_path / "customers.csv"


# ---- the data dictionary -----------------------------------------------------------------------

def test_dictionary_covers_every_column_with_both_names():
    table = data_dictionary()
    assert table.columns.tolist() == ["table", "column", "type", "unit", "allowed", "meaning", "name_en", "name_zh"]
    for name in NAMES:
        header = pd.read_csv(BUNDLED / f"{name}.csv", nrows=0).columns.tolist()
        assert header == table.loc[table["table"] == name, "column"].tolist(), name
    assert table[["meaning", "name_en", "name_zh", "allowed"]].ne("").all().all()
    assert table["name_zh"].map(lambda text: bool(re.search(r"[\u4e00-\u9fff]", text))).all()
    assert set(table["type"]) <= {"str", "category", "date", "bool", "boolean", "int", "float"}


def test_readme_documents_every_csv_column():
    readme = (BUNDLED / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        for column in pd.read_csv(BUNDLED / f"{name}.csv", nrows=0).columns:
            assert f"| `{column}` |" in readme, (name, column)
    assert "python -m crmkit.synth --out datasets --seed 20240101" in readme
    assert str(BUNDLED_SEED) in readme


def test_readme_dictionary_is_the_generated_one():
    readme = (BUNDLED / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- data dictionary: begin[^>]*-->\n\n(.*)\n<!-- data dictionary: end -->", readme, re.S)
    assert match, "README.md lost its data dictionary markers"
    assert match.group(1) == dictionary_markdown(), "regenerate with: python -m crmkit.datasets --readme"


def test_readme_row_counts_match_the_files():
    readme = (BUNDLED / "README.md").read_text(encoding="utf-8")
    for row in list_datasets().itertuples():
        assert f"| `{row.name}.csv` | {row.rows:,} |" in readme, row.name
