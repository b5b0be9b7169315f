"""Each input check names the column, the count of bad rows, an example and the fix,
and never changes the caller's data."""

import numpy as np
import pandas as pd
import pytest

from crmkit.errors import (
    DataError,
    as_dates,
    as_flags,
    require,
    require_columns,
    require_frame,
    require_in_range,
    require_no_nan,
    require_non_negative,
    require_numeric,
)


@pytest.fixture
def shipments():
    return pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4"],
        "ship_date": ["2024-01-02", "2024-01-03", "not a date", "2024-01-05"],
        "revenue": [12.5, -3.0, 8.0, -1.0],
        "weight_kg": [1.0, np.nan, 2.0, 3.0],
    })


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


@pytest.mark.parametrize("bad", [[1, 2], None, pd.Series([1.0])])
def test_frame_must_be_a_dataframe(bad):
    with pytest.raises(DataError, match="must be a pandas DataFrame"):
        require_frame(bad, name="shipments")


def test_empty_frame_is_named():
    with pytest.raises(DataError, match=r"shipments is empty \(0 rows"):
        require_frame(pd.DataFrame({"a": []}), name="shipments")


def test_too_few_rows_says_how_many_are_needed():
    with pytest.raises(DataError, match="has 1 rows; at least 2"):
        require_frame(pd.DataFrame({"a": [1]}), min_rows=2)


def test_missing_column_suggests_close_name_and_lists_present(shipments):
    with pytest.raises(DataError) as info:
        require_columns(shipments, ["customer_id", "revenu", "region"], name="shipments")
    message = str(info.value)
    assert "missing column 'revenu'" in message
    assert "2 of 3 required columns missing" in message
    assert "Did you mean 'revenue'?" in message
    assert "'weight_kg'" in message and "Fix:" in message


def test_non_numeric_names_column_count_and_example():
    frame = pd.DataFrame({"weight_kg": ["1.5", "heavy", "2", "n/a"]})
    with pytest.raises(DataError, match=r"'weight_kg' has 2 non-numeric values of 4 rows, e\.g\. 'heavy' \(row 1\)"):
        require_numeric(frame, ["weight_kg"], name="shipments")


def test_numbers_stored_as_text_get_a_conversion_hint():
    with pytest.raises(DataError, match="holds numbers.*pd.to_numeric"):
        require_numeric(pd.DataFrame({"x": ["1", "2"]}), ["x"])


def test_bool_counts_as_numeric():
    require_numeric(pd.DataFrame({"on_time": [True, False]}), ["on_time"])


def test_nan_count_and_row(shipments):
    with pytest.raises(DataError, match=r"'weight_kg' has 1 missing value \(NaN\) of 4 rows, e\.g\. nan \(row 1\)\. Fix: fill or drop"):
        require_no_nan(shipments, ["weight_kg"], name="shipments")


def test_negative_values_count_and_first_example(shipments):
    with pytest.raises(DataError, match=r"'revenue' has 2 negative values of 4 rows, e\.g\. -3\.0 \(row 1\)\. Fix: negative amounts"):
        require_non_negative(shipments, ["revenue"], name="shipments")


def test_out_of_range_likert():
    frame = pd.DataFrame({"q1": [1, 2, 0, 6, 5]})
    with pytest.raises(DataError, match=r"'q1' has 2 values outside 1 to 5 of 5 rows, e\.g\. 0 \(row 2\)"):
        require_in_range(frame, ["q1"], 1, 5, name="surveys")


def test_unparseable_dates_are_counted_and_shown(shipments):
    with pytest.raises(DataError, match=r"'ship_date' has 1 unparseable date of 4 rows, e\.g\. 'not a date' \(row 2\)"):
        as_dates(shipments["ship_date"], column="ship_date", name="shipments")


def test_dates_parse_and_missing_stay_missing():
    parsed = as_dates(pd.Series(["2024-01-02", None, "2024-03-01"]))
    assert pd.api.types.is_datetime64_any_dtype(parsed)
    assert parsed.isna().tolist() == [False, True, False]


def test_require_runs_every_check_in_order(shipments):
    with pytest.raises(DataError, match="missing column 'cost'"):
        require(shipments, columns=["cost"], non_negative=["revenue"], name="shipments")
    with pytest.raises(DataError, match="negative"):
        require(shipments, non_negative=["revenue"], name="shipments")
    with pytest.raises(DataError, match="unparseable date"):
        require(shipments, dates=["ship_date"], name="shipments")
    require(shipments.iloc[:1], columns=["customer_id"], numeric=["revenue"], no_nan=["weight_kg"],
            non_negative=["revenue"], dates=["ship_date"], name="shipments")


def test_checks_never_change_the_callers_data(shipments):
    before = shipments.copy(deep=True)
    for check in (
        lambda: require(shipments, non_negative=["revenue"]),
        lambda: require(shipments, dates=["ship_date"]),
        lambda: require_no_nan(shipments, ["weight_kg"]),
        lambda: as_dates(shipments["ship_date"].iloc[:2]),
    ):
        try:
            check()
        except DataError:
            pass
    pd.testing.assert_frame_equal(shipments, before)


def test_flags_accept_bool_and_zero_one_and_keep_missing():
    assert as_flags(pd.Series([True, False])).tolist() == [True, False]
    assert as_flags(pd.Series([1.0, 0.0, np.nan])).tolist() == [True, False, pd.NA]


def test_flags_reject_other_values_with_count_and_example():
    with pytest.raises(DataError, match=r"'lost' has 2 values other than True/False or 1/0 of 3 rows, e\.g\. 'yes' \(row 0\)"):
        as_flags(pd.Series(["yes", "1", "maybe"]), column="lost", name="shipments")
