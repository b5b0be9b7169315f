"""The topic notebooks run on someone else's data: another company, other column names, a mapping file."""

import nbformat
import pandas as pd
import pytest
import yaml

from crmkit.course import NOTEBOOK_DIR, find_notebooks, run_notebook
from crmkit.synth import simulate, write_csv

#: A partner company's column names for some of crmkit's (the rest keep crmkit's names).
PARTNER_COLUMNS = {
    "customers": {"customer_id": "cust_no", "industry": "sector", "signup_date": "opened_on"},
    "shipments": {"shipment_id": "waybill_no", "customer_id": "cust_no", "ship_date": "pickup_date",
                  "revenue": "freight_rmb", "delivered_date": "signed_date", "on_time": "in_time"},
    "complaints": {"complaint_id": "ticket", "customer_id": "cust_no", "date": "opened"},
    "surveys": {"response_id": "resp", "customer_id": "cust_no", "overall_satisfaction": "overall"},
}
TOPIC_NOTEBOOKS = [path for path in find_notebooks(NOTEBOOK_DIR) if "01" <= path.name[:2] <= "07"]


@pytest.fixture(scope="module")
def partner_folder(tmp_path_factory):
    """A second simulated company (another seed), saved under the partner's names with a crmkit.yml."""
    folder = tmp_path_factory.mktemp("partner_data")
    write_csv(simulate(n_customers=1200, months=24, seed=2027), folder)
    for table, renames in PARTNER_COLUMNS.items():
        path = folder / f"{table}.csv"
        pd.read_csv(path, dtype="str").rename(columns=renames).to_csv(path, index=False)
    mapping = {"columns": {table: {theirs: ours for ours, theirs in renames.items()}
                           for table, renames in PARTNER_COLUMNS.items()}}
    (folder / "crmkit.yml").write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sparse_folder(tmp_path_factory):
    """A company that keeps no survey or complaint records, and fewer shipment columns."""
    folder = tmp_path_factory.mktemp("sparse_data")
    company = simulate(n_customers=800, months=24, seed=4242)
    company.customers.to_csv(folder / "customers.csv", index=False)
    company.shipments.drop(columns=["cost", "urgent", "signed_receipt_return", "receipt_on_time", "cod",
                                    "insured", "cold_chain"]).to_csv(folder / "shipments.csv", index=False)
    return folder


def printed(path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
                     if output.get("output_type") == "stream")


def test_every_topic_notebook_is_covered():
    assert [path.name[:2] for path in TOPIC_NOTEBOOKS] == [f"{n:02d}" for n in range(1, len(TOPIC_NOTEBOOKS) + 1)]


@pytest.mark.parametrize("path", TOPIC_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_a_partner_company(path, partner_folder, tmp_path):
    result = run_notebook(path, tmp_path, parameters={"data_dir": str(partner_folder)}, html=False)
    assert result.ok, f"{path.name} on partner data failed at {result.error}"
    assert result.results, "the notebook recorded no results"


@pytest.mark.parametrize("path", TOPIC_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_skips_what_the_data_lack(path, sparse_folder, tmp_path):
    result = run_notebook(path, tmp_path, parameters={"data_dir": str(sparse_folder)}, html=False)
    assert result.ok, f"{path.name} on data without surveys and complaints failed at {result.error}"
    if path.name[:2] in {"03", "04"}:  # these need the missing tables throughout
        assert "No surveys table" in printed(result.output_path) or "No complaints table" in printed(result.output_path)


@pytest.fixture(scope="module")
def survey_only_folder(tmp_path_factory):
    """A company that shares its customer list and survey answers, but no shipments."""
    folder = tmp_path_factory.mktemp("survey_only")
    company = simulate(n_customers=400, months=12, seed=5)
    company.customers.to_csv(folder / "customers.csv", index=False)
    company.surveys.to_csv(folder / "surveys.csv", index=False)
    return folder


@pytest.mark.parametrize("path", TOPIC_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_without_shipments_runs_or_skips_itself(path, survey_only_folder, tmp_path):
    result = run_notebook(path, tmp_path, parameters={"data_dir": str(survey_only_folder)}, html=False)
    assert result.ok, f"{path.name} without shipments failed at {result.error}"
    if path.name[:2] in {"01", "02", "06", "07"}:  # nothing to show without waybills
        assert result.status == "skipped" and "shipments table" in result.skipped
    else:
        assert result.status == "ok"
