"""DataError and the input checks every public crmkit function calls first.

Each check raises :class:`DataError` with a message that names the table and
column, says how many rows are bad, shows one example and suggests the fix.
No check changes the caller's data.

Examples
--------
>>> import pandas as pd
>>> shipments = pd.DataFrame({"revenue": [12.0, -3.5, 8.0]})
>>> require(shipments, columns=["revenue"], non_negative=["revenue"], name="shipments")
Traceback (most recent call last):
...
crmkit.errors.DataError: shipments: column 'revenue' has 1 negative value of 3 rows, e.g. -3.5 (row 1). Fix: ...
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "DataError",
    "as_list",
    "require",
    "require_frame",
    "require_columns",
    "require_numeric",
    "require_no_nan",
    "require_non_negative",
    "require_in_range",
    "require_dates",
    "as_dates",
    "as_flags",
    "as_timestamp",
]


class DataError(ValueError):
    """Raised when input data cannot be analysed as given; the message says why and how to fix it."""


def as_list(value) -> list:
    """Return ``value`` as a list: ``None`` -> ``[]``, a string -> ``[value]``.

    >>> as_list("region"), as_list(None), as_list(("a", "b"))
    (['region'], [], ['a', 'b'])
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _raise(name, column, values: pd.Series, bad: pd.Series, noun: str, fix: str,
           qualifier: str = "") -> None:
    n_bad = int(bad.sum())
    position = int(np.flatnonzero(bad.to_numpy())[0])
    label = values.index[position]
    example = values.iloc[position]
    example_text = f"{example}" if isinstance(example, (int, float, np.number)) else repr(example)
    raise DataError(
        f"{name}: column {column!r} has {_plural(n_bad, noun)}{qualifier} of {len(values)} rows, "
        f"e.g. {example_text} (row {label}). Fix: {fix}"
    )


def require_frame(df, *, name: str = "data", min_rows: int = 1) -> None:
    """Check that ``df`` is a DataFrame with at least ``min_rows`` rows.

    >>> require_frame(pd.DataFrame(), name="surveys")
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: surveys is empty (0 rows; at least 1 needed). Fix: ...
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(
            f"{name} must be a pandas DataFrame, got {type(df).__name__}. "
            f"Fix: build one with pd.DataFrame(...) or read it with pd.read_csv(...)."
        )
    if len(df) < min_rows:
        raise DataError(
            f"{name} is empty ({len(df)} rows; at least {min_rows} needed). "
            f"Fix: check the file or the filter that produced it."
            if len(df) == 0
            else f"{name} has {len(df)} rows; at least {min_rows} are needed for this analysis. "
            f"Fix: use a longer period or a larger sample."
        )


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, name: str = "data") -> None:
    """Check that every column in ``columns`` exists, suggesting the closest name if not.

    >>> require_columns(pd.DataFrame({"revenu": [1.0]}), ["revenue"], name="shipments")
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: shipments: missing column 'revenue' (1 of 1 required columns missing: 'revenue'). Did you mean 'revenu'? ...
    """
    columns = as_list(columns)
    missing = [c for c in columns if c not in df.columns]
    if not missing:
        return
    present = [str(c) for c in df.columns]
    close = difflib.get_close_matches(str(missing[0]), present, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(repr(c) for c in present[:12]) + (" ..." if len(present) > 12 else "")
    raise DataError(
        f"{name}: missing column {missing[0]!r} ({len(missing)} of {len(columns)} required "
        f"columns missing: {', '.join(map(repr, missing))}).{hint} Columns present: {shown}. "
        f"Fix: rename your column, or pass its name as a keyword argument "
        f"(e.g. amount='your_column')."
    )


def require_numeric(df: pd.DataFrame, columns: Iterable[str], *, name: str = "data") -> None:
    """Check that the columns hold numbers (bool counts as a number).

    >>> require_numeric(pd.DataFrame({"weight_kg": ["1.5", "heavy"]}), ["weight_kg"], name="shipments")
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: shipments: column 'weight_kg' has 1 non-numeric value of 2 rows, e.g. 'heavy' (row 1). Fix: ...
    """
    for column in as_list(columns):
        values = df[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        converted = pd.to_numeric(values, errors="coerce")
        bad = converted.isna() & values.notna()
        if not bad.any():
            raise DataError(
                f"{name}: column {column!r} has dtype {values.dtype} but holds numbers. "
                f"Fix: convert it with pd.to_numeric(df[{column!r}]) before calling."
            )
        _raise(name, column, values, bad, "non-numeric value",
               f"clean these values or convert with pd.to_numeric(df[{column!r}], errors='coerce') "
               f"and decide what the gaps mean.")


def require_no_nan(df: pd.DataFrame, columns: Iterable[str], *, name: str = "data") -> None:
    """Check that the columns have no missing values.

    >>> require_no_nan(pd.DataFrame({"revenue": [1.0, None]}), ["revenue"], name="shipments")
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: shipments: column 'revenue' has 1 missing value (NaN) of 2 rows, e.g. nan (row 1). Fix: ...
    """
    for column in as_list(columns):
        values = df[column]
        bad = values.isna()
        if bad.any():
            _raise(name, column, values, bad, "missing value",
                   "fill or drop these rows before calling; crmkit does not guess missing data.",
                   qualifier=" (NaN)")


def require_non_negative(df: pd.DataFrame, columns: Iterable[str], *, name: str = "data") -> None:
    """Check that numeric columns have no negative values (NaN is left to require_no_nan)."""
    for column in as_list(columns):
        values = df[column]
        bad = (values < 0).fillna(False).astype(bool)
        if bad.any():
            _raise(name, column, values, bad, "negative value",
                   "negative amounts (refunds, corrections) belong in a separate table; "
                   "remove or net them out before calling.")


def require_in_range(df: pd.DataFrame, columns: Iterable[str], low: float, high: float,
                     *, name: str = "data") -> None:
    """Check that numeric columns lie within ``[low, high]`` (e.g. a 1-5 Likert scale).

    >>> require_in_range(pd.DataFrame({"q1": [1, 5, 7]}), ["q1"], 1, 5, name="surveys")
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: surveys: column 'q1' has 1 value outside 1 to 5 of 3 rows, e.g. 7 (row 2). Fix: ...
    """
    for column in as_list(columns):
        values = df[column]
        bad = ((values < low) | (values > high)).fillna(False).astype(bool)
        if bad.any():
            _raise(name, column, values, bad, "value",
                   f"check the scale: recode answers to {low}..{high} or pass the scale your survey used.",
                   qualifier=f" outside {low} to {high}")


def as_dates(values: pd.Series, *, column: str | None = None, name: str = "data") -> pd.Series:
    """Return ``values`` as datetime64, raising DataError for values that are not dates.

    Missing values stay missing (NaT); only non-empty values that cannot be read fail.

    >>> as_dates(pd.Series(["2024-01-05", "2024-02-30"]), column="ship_date", name="shipments")
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: shipments: column 'ship_date' has 1 unparseable date of 2 rows, e.g. '2024-02-30' (row 1). Fix: ...
    """
    column = column if column is not None else values.name
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    bad = parsed.isna() & values.notna()
    if bad.any():
        _raise(name, column, values, bad, "unparseable date",
               "write dates as YYYY-MM-DD, or parse them yourself with "
               "pd.to_datetime(..., format=...) before calling.")
    return parsed


def as_flags(values: pd.Series, *, column: str | None = None, name: str = "data") -> pd.Series:
    """Return a yes/no column (True/False or 1/0) as nullable booleans, raising DataError for anything else.

    Missing values stay missing (``<NA>``); callers that cannot use them check with require_no_nan.

    >>> as_flags(pd.Series([1, 0, None]), column="on_time").tolist()
    [True, False, <NA>]
    >>> as_flags(pd.Series([1, 2]), column="on_time", name="shipments")
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: shipments: column 'on_time' has 1 value other than True/False or 1/0 of 2 rows, e.g. 2 (row 1). Fix: ...
    """
    column = column if column is not None else values.name
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & ~numbers.isin([0, 1])
    if bad.any():
        _raise(name, column, values, bad, "value", "recode it as a yes/no flag (True/False or 1/0).",
               qualifier=" other than True/False or 1/0")
    return numbers.astype("Float64").astype("boolean")


def as_timestamp(value, *, what: str = "date") -> pd.Timestamp:
    """Read one date argument (a cut-off, an as-of date), as a time-zone-naive Timestamp.

    >>> as_timestamp("2024-06-30", what="cutoff")
    Timestamp('2024-06-30 00:00:00')
    >>> as_timestamp("soon", what="cutoff")
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: cutoff='soon' is not a date. Fix: pass a date such as '2024-06-30'.
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise DataError(f"{what}={value!r} is not a date. Fix: pass a date such as '2024-06-30'.") from None
    if stamp is pd.NaT:
        raise DataError(f"{what} is missing. Fix: pass a date such as '2024-06-30'.")
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def require_dates(df: pd.DataFrame, columns: Iterable[str], *, name: str = "data") -> None:
    """Check that the columns are dates or strings that parse as dates."""
    for column in as_list(columns):
        as_dates(df[column], column=column, name=name)


def require(df, *, columns: Iterable[str] = (), numeric: Iterable[str] = (),
            dates: Iterable[str] = (), non_negative: Iterable[str] = (),
            no_nan: Iterable[str] = (), min_rows: int = 1, name: str = "data") -> None:
    """Run the usual checks in one call: frame, columns, numeric, NaN, negatives, dates.

    Every column named in any list must exist; ``numeric`` and ``non_negative``
    columns must hold numbers; ``no_nan`` columns may not be missing.

    >>> require(pd.DataFrame({"revenue": [5.0, 7.5]}), columns=["revenue"], numeric=["revenue"])
    """
    require_frame(df, name=name, min_rows=min_rows)
    numeric, non_negative = as_list(numeric), as_list(non_negative)
    dates, no_nan = as_list(dates), as_list(no_nan)
    every = list(dict.fromkeys([*as_list(columns), *numeric, *dates, *non_negative, *no_nan]))
    require_columns(df, every, name=name)
    require_numeric(df, list(dict.fromkeys([*numeric, *non_negative])), name=name)
    require_no_nan(df, no_nan, name=name)
    require_non_negative(df, non_negative, name=name)
    require_dates(df, dates, name=name)
