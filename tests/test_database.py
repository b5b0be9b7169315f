"""The integrated customer view, status rules, new vs returning, the dynamic query, profiles."""

import pandas as pd
import pytest

from crmkit import DataError
from crmkit.database import (
    behaviour_profile,
    customer_card,
    customer_status,
    customer_view,
    new_vs_returning,
)

AS_OF = "2024-12-31"


@pytest.fixture
def customers():
    return pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "industry": ["apparel", "pharma", "ecommerce", "it"]})


def shipment(customer, day, revenue=10.0, on_time=True, damaged=False, lost=False, service="standard", **flags):
    return {"customer_id": customer, "ship_date": day, "revenue": revenue, "on_time": on_time,
            "damaged": damaged, "lost": lost, "service": service, "weight_kg": 2.0,
            "cod": flags.get("cod", False), "insured": flags.get("insured", False)}


@pytest.fixture
def shipments():
    rows = [shipment("A", f"2024-{m:02d}-10", revenue=100.0) for m in range(1, 13)]          # loyal
    rows += [shipment("B", "2023-06-01"), shipment("B", "2024-03-02", on_time=False),
             shipment("B", "2024-05-04", damaged=True, service="express")]                   # lapsed
    rows += [shipment("C", "2024-12-01", cod=True), shipment("C", "2024-12-07", lost=True, on_time=False,
                                                             insured=True)]                   # new
    rows += [shipment("A", "2023-12-20", revenue=50.0)]
    return pd.DataFrame(rows)


@pytest.fixture
def complaints():
    return pd.DataFrame({"customer_id": ["B", "B", "C"], "date": ["2024-03-05", "2024-05-06", "2024-12-08"],
                         "resolved": [True, False, False], "category": ["delay", "damage", "loss"]})


@pytest.fixture
def surveys():
    return pd.DataFrame({"customer_id": ["A", "A", "B"], "date": ["2024-03-31", "2024-09-30", "2024-06-30"],
                         "overall_satisfaction": [5, 6, 2], "recommend": [8, 9, 3]})


def test_status_rules(shipments):
    status = customer_status(shipments, as_of=AS_OF)
    assert status["status"].to_dict() == {"A": "loyal", "B": "lapsed", "C": "new"}
    assert status.loc["A", "active_months_last_year"] == 12
    assert customer_status(shipments, as_of=AS_OF, loyal_months=13).loc["A", "status"] == "returning"


def test_view_joins_every_department(customers, shipments, complaints, surveys):
    before = shipments.copy()
    view = customer_view(customers, shipments, complaints, surveys, as_of=AS_OF)
    pd.testing.assert_frame_equal(shipments, before)
    assert view.loc["A", "n_shipments"] == 13 and view.loc["A", "revenue"] == 1250.0
    assert view.loc[["B", "C"], "late"].tolist() == [1, 1]
    assert view.loc["C", "on_time_rate"] == 0.5
    assert view.loc["B", ["n_complaints", "open_complaints"]].tolist() == [2, 1]
    assert view.loc["A", ["last_satisfaction", "last_recommend"]].tolist() == [6, 9]
    assert view.loc["D", "n_shipments"] == 0 and view.loc["D", "status"] == "no_shipments"
    assert view.loc["C", "days_since_last_shipment"] == 24


def test_view_as_of_ignores_the_future(customers, shipments, complaints):
    view = customer_view(customers, shipments, complaints, as_of="2024-06-30")
    assert view.loc["C", "n_shipments"] == 0
    assert view.loc["A", "n_shipments"] == 7
    assert view.loc["C", "n_complaints"] == 0


def test_duplicate_customers_are_refused(customers, shipments):
    with pytest.raises(DataError, match="1 duplicated ids, e.g. 'A'"):
        customer_view(pd.concat([customers, customers.iloc[:1]]), shipments)


def test_missing_column_names_the_table(customers, shipments):
    with pytest.raises(DataError, match="shipments: missing column 'revenue'"):
        customer_view(customers, shipments.drop(columns="revenue"))


def test_new_vs_returning_counts(shipments):
    table = new_vs_returning(shipments, freq="Q")
    assert table.loc[pd.Period("2023Q2"), ["new_customers", "returning_customers"]].tolist() == [1, 0]
    assert table.loc[pd.Period("2024Q1"), ["new_customers", "returning_customers"]].tolist() == [0, 2]
    assert table.loc[pd.Period("2024Q4"), "new_customers"] == 1
    assert table["new_revenue"].sum() + table["returning_revenue"].sum() == shipments["revenue"].sum()


def test_card_is_the_dynamic_query(customers, shipments, complaints, surveys):
    card = customer_card("B", customers, shipments, complaints, surveys, recent=2, as_of=AS_OF)
    assert card.profile["n_shipments"] == 3
    assert card.recent_shipments["ship_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-02", "2024-05-04"]
    assert len(card.complaints) == 2 and card.latest_survey["recommend"] == 3
    assert card.summary().loc["industry", "value"] == "pharma"
    with pytest.raises(DataError, match="no customer with customer_id = 'Z'"):
        customer_card("Z", customers, shipments)
    with pytest.raises(DataError, match="has no shipments"):
        customer_card("D", customers, shipments)


def test_behaviour_profile_shares(shipments):
    profile = behaviour_profile(shipments)
    assert profile.loc["C", "share_cod"] == 0.5 and profile.loc["C", "share_insured"] == 0.5
    assert profile.loc["B", "main_service"] == "standard"
    assert profile.loc["B", "service_express"] == pytest.approx(1 / 3)
    assert profile.loc["A", "n_shipments"] == 13


def test_view_applies_the_status_rules_it_is_given(customers, shipments):
    view = customer_view(customers, shipments, as_of=AS_OF, loyal_months=13)
    assert view.loc["A", "status"] == "returning"


def test_status_and_new_vs_returning_need_no_failure_flags(shipments):
    bare = shipments[["customer_id", "ship_date", "revenue"]]
    assert customer_status(bare, as_of=AS_OF)["status"].to_dict() == {"A": "loyal", "B": "lapsed", "C": "new"}
    assert new_vs_returning(bare, freq="Q")["new_customers"].sum() == 3


def test_view_shows_whichever_survey_answers_exist(customers, shipments, surveys):
    view = customer_view(customers, shipments, surveys=surveys.drop(columns="recommend"), as_of=AS_OF)
    assert view.loc["A", "last_satisfaction"] == 6 and "last_recommend" not in view.columns
    with pytest.raises(DataError, match="no column 'overall_satisfaction' or 'recommend'"):
        customer_view(customers, shipments, surveys=surveys[["customer_id", "date"]], as_of=AS_OF)
