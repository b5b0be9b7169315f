"""Researchers' path: read a folder with foreign column names, validate it, report every problem."""

import pandas as pd
import pytest
import yaml

from crmkit import DataError, load_dataset
from crmkit.synth import simulate, write_csv
from crmkit.datasets import read_mapping
from crmkit.tables import load_optional, read_tables, ready, validate

FOREIGN = {
    "customers": {"customer_id": "KHBH", "industry": "hangye"},
    "shipments": {"shipment_id": "waybill_no", "customer_id": "KHBH", "ship_date": "send_date",
                  "revenue": "freight_rmb", "delivered_date": "sign_date"},
    "complaints": {"customer_id": "KHBH", "date": "complaint_time"},
    "surveys": {"customer_id": "KHBH", "overall_satisfaction": "overall"},
}


@pytest.fixture(scope="module")
def company():
    return simulate(n_customers=150, months=6, seed=11)


@pytest.fixture
def foreign_folder(company, tmp_path):
    """The company written with a partner's column names and a crmkit.yml mapping them back."""
    write_csv(company, tmp_path)
    for table, renames in FOREIGN.items():
        path = tmp_path / f"{table}.csv"
        pd.read_csv(path, dtype="str").rename(columns=renames).to_csv(path, index=False)
    mapping = {"columns": {table: {theirs: ours for ours, theirs in renames.items()}
                           for table, renames in FOREIGN.items()}}
    (tmp_path / "crmkit.yml").write_text(yaml.safe_dump(mapping), encoding="utf-8")
    return tmp_path


def test_foreign_columns_read_back_like_the_original(company, foreign_folder):
    tables = read_tables(foreign_folder)
    assert sorted(tables) == ["complaints", "customers", "shipments", "surveys"]
    shipments = tables["shipments"]
    assert list(shipments.columns) == list(company.shipments.columns)
    assert pd.api.types.is_datetime64_any_dtype(shipments["ship_date"])
    assert shipments["on_time"].dtype == bool and shipments["service"].dtype == "category"
    assert shipments["revenue"].sum() == pytest.approx(company.shipments["revenue"].sum(), rel=1e-9)
    assert validate(tables).ok


def test_load_dataset_reads_a_mapped_folder_like_the_bundled_one(company, foreign_folder):
    surveys = load_dataset("surveys", data_dir=foreign_folder)
    assert list(surveys.columns) == list(company.surveys.columns)
    assert surveys["overall_satisfaction"].tolist() == company.surveys["overall_satisfaction"].tolist()
    assert load_dataset("customers", data_dir=foreign_folder)["industry"].dtype == "category"


def test_mapping_as_a_dict_and_files_under_other_names(company, tmp_path):
    write_csv(company, tmp_path)
    (tmp_path / "shipments.csv").rename(tmp_path / "waybills_2024.csv")
    tables = read_tables(tmp_path, columns={"files": {"shipments": "waybills_2024.csv"}})
    assert len(tables["shipments"]) == len(company.shipments)
    with pytest.raises(DataError, match="unknown table or key \\['waybills'\\]"):
        read_tables(tmp_path, columns={"waybills": {"a": "b"}})
    with pytest.raises(DataError, match="nope.csv' not found"):
        read_tables(tmp_path, columns={"files": {"shipments": "nope.csv"}})


def test_missing_tables_and_columns_are_reported_per_analysis(tmp_path):
    load_dataset("shipments").head(50).drop(columns=["revenue"]).to_csv(tmp_path / "shipments.csv", index=False)
    report = validate(read_tables(tmp_path))
    assert report.ok  # nothing wrong with what is there ...
    analyses = report.analyses
    assert bool(analyses.loc["kpi", "ready"])  # ... the KPIs can run,
    assert analyses.loc["value", "missing"] == "shipments.revenue"  # value analysis cannot,
    assert "customers (table)" in analyses.loc["churn", "missing"]
    assert analyses.loc["satisfaction", "missing"] == "surveys (table)"


def broken_folder(company, folder):
    """A copy of the company with one of each problem validate must catch."""
    write_csv(company, folder)
    shipments = pd.read_csv(folder / "shipments.csv", dtype="str")
    shipments.loc[3, "revenue"] = "-120.5"                        # negative revenue
    shipments.loc[[5, 6], "ship_date"] = ["2024-02-30", "soon"]   # unparseable dates
    shipments.loc[8, "delivered_date"] = "2023-01-01"             # delivered before shipped
    shipments.loc[9, "shipment_id"] = shipments.loc[10, "shipment_id"]  # duplicated id
    shipments.loc[11, "customer_id"] = "C99999"                   # unknown customer
    shipments.loc[12, "on_time"] = "maybe"                        # not a flag
    shipments.to_csv(folder / "shipments.csv", index=False)
    surveys = pd.read_csv(folder / "surveys.csv", dtype="str")
    surveys.loc[[0, 1], "timeliness_1"] = ["6", "0"]               # Likert outside 1-5
    surveys.loc[2, "recommend"] = "11"                             # NPS item outside 0-10
    surveys.to_csv(folder / "surveys.csv", index=False)
    return folder


def test_every_problem_is_found_with_count_and_example(company, tmp_path):
    folder = broken_folder(company, tmp_path)
    before = pd.read_csv(folder / "shipments.csv", dtype="str")
    tables = read_tables(folder)
    pd.testing.assert_frame_equal(pd.read_csv(folder / "shipments.csv", dtype="str"), before)
    assert len(tables["shipments"]) == len(before)  # nothing dropped
    problems = validate(tables).summary().set_index(["table", "column", "check"])
    expected = {
        ("shipments", "revenue", "negative value"): (1, "-120.5"),
        ("shipments", "ship_date", "not date"): (2, "2024-02-30"),
        ("shipments", "delivered_date", "delivered before shipped"): (1, "2023-01-01"),
        ("shipments", "shipment_id", "duplicated id"): (1, before.loc[10, "shipment_id"]),
        ("shipments", "customer_id", "unknown customer id"): (1, "C99999"),
        ("shipments", "on_time", "not bool"): (1, "maybe"),
        ("surveys", "timeliness_1", "outside scale 1-5"): (2, "6"),
        ("surveys", "recommend", "outside scale 0-10"): (1, "11"),
    }
    found = {key: (row.n_bad, row.example) for key, row in problems.iterrows()}
    assert found == expected


def test_strict_raises_one_error_listing_every_problem(company, tmp_path):
    tables = read_tables(broken_folder(company, tmp_path))
    with pytest.raises(DataError) as info:
        validate(tables, strict=True)
    message = str(info.value)
    assert message.startswith("validate found 8 problem(s)")
    assert "shipments.revenue: 1 negative value (e.g. -120.5)" in message
    assert "surveys.recommend: 1 outside scale 0-10 (e.g. 11)" in message


def test_bad_arguments():
    with pytest.raises(DataError, match="not a folder"):
        read_tables("no/such/folder")
    with pytest.raises(DataError, match="pass a dict of tables"):
        validate([])
    with pytest.raises(DataError, match="unknown table"):
        validate({"waybills": pd.DataFrame()})


def test_mapping_file_is_found(tmp_path):
    (tmp_path / "columns.yml").write_text("columns:\n  shipments:\n    dt: ship_date\n", encoding="utf-8")
    assert read_mapping(tmp_path) == {"files": {}, "columns": {"shipments": {"dt": "ship_date"}}}
    assert read_mapping(tmp_path, {"shipments": {"a": "ship_date"}})["columns"] == {"shipments": {"a": "ship_date"}}


def test_optional_tables_and_ready_sections(company, tmp_path, capsys):
    write_csv(company, tmp_path)
    (tmp_path / "surveys.csv").unlink()
    assert load_optional("surveys", data_dir=tmp_path) is None
    assert "No surveys table" in capsys.readouterr().out
    shipments = load_optional("shipments", data_dir=tmp_path)
    assert len(shipments) == len(company.shipments)
    assert ready("KPIs", shipments, ["on_time", "damaged"], name="shipments")
    assert not ready("NPS", None, ["recommend"], name="surveys")
    assert not ready("Cost to serve", shipments.drop(columns=["cost", "revenue"]), ["cost", "revenue"],
                     name="shipments")
    assert capsys.readouterr().out.splitlines() == [
        "Skipping NPS: there is no surveys table.",
        "Skipping Cost to serve: the shipments table has no columns 'cost', 'revenue'.",
    ]
