"""Your own data: read a folder of tables under your column names, and check them before analysis.

A researcher's shipment, complaint and survey records rarely use crmkit's column names.
:func:`read_tables` reads a folder of CSV (or Parquet / Excel, where pandas' optional
readers are installed) and renames columns through a mapping, given as a dict or as a
``crmkit.yml`` (or ``columns.yml``) file in the folder::

    files:                 # optional: which file holds which table
      shipments: waybills.csv
    columns:               # your column -> crmkit column, per table
      shipments:
        waybill_no: shipment_id
        cust_no: customer_id
        send_date: ship_date

:func:`validate` then reports, per table and per analysis, what is present, missing and
wrong, with counts and examples. Nothing is dropped or changed: a column that cannot be
converted is kept as read, and the report says so.

Examples
--------
>>> report = validate({name: load_dataset(name) for name in ("customers", "shipments")})
>>> report.ok, bool(report.analyses.loc["value", "ready"])
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crmkit.datasets import DICTIONARY, FALSE_WORDS, TRUE_WORDS, convert_column, dataset_path, load_dataset, read_mapping, read_raw
from crmkit.errors import DataError, as_list

__all__ = ["TABLES", "ANALYSES", "read_tables", "validate", "ValidationReport", "load_optional", "ready"]

TABLES = tuple(DICTIONARY)

#: What each analysis needs: table -> required columns.
ANALYSES = {
    "database": {"customers": ["customer_id"],
                 "shipments": ["customer_id", "ship_date", "revenue", "on_time", "damaged", "lost"]},
    "kpi": {"shipments": ["ship_date", "on_time", "damaged", "lost"]},
    "complaints": {"complaints": ["customer_id", "date", "category", "resolved", "resolution_hours"]},
    "satisfaction": {"surveys": ["customer_id", "date", "overall_satisfaction"]},
    "value": {"shipments": ["customer_id", "ship_date", "revenue"]},
    "churn": {"customers": ["customer_id"], "shipments": ["customer_id", "ship_date", "revenue"]},
}

#: Identifier column of each table (must be unique) and the tables whose customer ids must exist.
_IDS = {"customers": "customer_id", "shipments": "shipment_id", "complaints": "complaint_id",
        "surveys": "response_id"}
_NON_NEGATIVE = {"shipments": ["revenue", "cost", "weight_kg", "promised_days"],
                 "complaints": ["resolution_hours"]}
_SCALES = {"overall_satisfaction": (1, 7), "recommend": (0, 10), "intention_to_stay": (1, 5)}
_LIKERT_ITEM = (1, 5)


def _convert_leniently(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Give known columns their dictionary type; keep a column as read if it does not convert."""
    types = {row[0]: row[1] for row in DICTIONARY[name]}
    converted = table.copy()
    for column in table.columns.intersection(list(types)):
        try:
            converted[column] = convert_column(table[column], column, types[column], name)
        except DataError:
            pass  # validate() reports the values that do not convert
    return converted


def read_tables(path: str | Path, columns: dict | None = None) -> dict[str, pd.DataFrame]:
    """Read the tables found in a folder, renamed to crmkit's columns and typed like load_dataset.

    Parameters
    ----------
    path : folder holding ``customers``, ``shipments``, ``complaints`` and/or ``surveys``
        as ``.csv``, ``.parquet`` or ``.xlsx`` (or the files named in the mapping).
    columns : optional mapping ``{table: {your_column: crmkit_column}}`` (or the full
        ``{"files": ..., "columns": ...}`` form); default: ``crmkit.yml`` in the folder.

    Returns
    -------
    dict of table name -> DataFrame, for the tables present.

    >>> sorted(read_tables("datasets"))
    ['complaints', 'customers', 'shipments', 'surveys']
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"read_tables: {str(folder)!r} is not a folder. Fix: pass the folder holding your CSV files.")
    files = read_mapping(folder, columns)["files"]
    tables = {}
    for name in TABLES:
        if name in files or dataset_path(name, folder).is_file():
            tables[name] = _convert_leniently(read_raw(name, folder, columns), name)
    if not tables:
        raise DataError(f"read_tables: no table found in {str(folder)!r}. Fix: name files "
                        f"{', '.join(f'{n}.csv' for n in TABLES)}, or map them under 'files:' in crmkit.yml.")
    return tables


@dataclass
class ValidationReport:
    """Problems found per table and column, and which analyses the tables support."""

    problems: pd.DataFrame
    analyses: pd.DataFrame

    @property
    def ok(self) -> bool:
        return self.problems.empty

    def summary(self) -> pd.DataFrame:
        """The problems, one row per table, column and check."""
        return self.problems

    def __repr__(self) -> str:
        lines = ["Analyses:", self.analyses.to_string(), ""]
        lines += ["No problems found."] if self.ok else [f"{len(self.problems)} problem(s):",
                                                         self.problems.to_string(index=False)]
        return "\n".join(lines)


def _problem(table, column, check, bad: pd.Series, values: pd.Series, fix: str) -> dict:
    example = values[bad].iloc[0]
    if isinstance(example, pd.Timestamp) and example == example.normalize():
        example = example.date()
    return {"table": table, "column": column, "check": check, "n_bad": int(bad.sum()),
            "n_rows": len(values), "example": str(example), "fix": fix}


def _type_problems(name: str, table: pd.DataFrame) -> list[dict]:
    problems = []
    for column, kind, *_ in DICTIONARY[name]:
        if column not in table.columns:
            continue
        values = table[column]
        try:
            convert_column(values, column, kind, name)
        except DataError:
            if kind == "date":
                bad = pd.to_datetime(values, errors="coerce", format="mixed").isna() & values.notna()
            elif kind in ("bool", "boolean"):
                bad = ~values.astype("str").str.strip().str.lower().isin(TRUE_WORDS | FALSE_WORDS) & values.notna()
            else:
                bad = pd.to_numeric(values, errors="coerce").isna() & values.notna()
            problems.append(_problem(name, column, f"not {kind}", bad, values,
                                     f"clean these values so the column holds {kind} values"))
    return problems


def _value_problems(name: str, table: pd.DataFrame, customer_ids: set | None) -> list[dict]:
    problems = []
    id_column = _IDS[name]
    if id_column in table.columns:
        duplicated = table[id_column].duplicated() & table[id_column].notna()
        if duplicated.any():
            problems.append(_problem(name, id_column, "duplicated id", duplicated, table[id_column],
                                     "keep one row per id, or give repeated rows their own ids"))
        missing = table[id_column].isna()
        if missing.any():
            problems.append(_problem(name, id_column, "missing id", missing, table[id_column].astype("str"),
                                     "every row needs an id"))
    if customer_ids is not None and name != "customers" and "customer_id" in table.columns:
        unknown = ~table["customer_id"].isin(customer_ids) & table["customer_id"].notna()
        if unknown.any():
            problems.append(_problem(name, "customer_id", "unknown customer id", unknown, table["customer_id"],
                                     "add these customers to the customers table, or correct the ids"))
    for column in _NON_NEGATIVE.get(name, []):
        numbers = _numbers(table, column)
        if numbers is not None and (numbers < 0).any():
            problems.append(_problem(name, column, "negative value", numbers < 0, table[column],
                                     "refunds and corrections belong in a separate table"))
    if name == "shipments" and {"ship_date", "delivered_date"} <= set(table.columns):
        shipped, delivered = _dates(table, "ship_date"), _dates(table, "delivered_date")
        early = (delivered < shipped).fillna(False).astype(bool)
        if early.any():
            problems.append(_problem(name, "delivered_date", "delivered before shipped", early,
                                     table["delivered_date"], "check the date columns are not swapped"))
    if name == "surveys":
        problems += _scale_problems(table)
    return problems


def _scale_problems(surveys: pd.DataFrame) -> list[dict]:
    problems = []
    answers = [column for column, kind, *_ in DICTIONARY["surveys"] if kind == "int" and column != "wave"]
    for column in surveys.columns.intersection(answers):
        low, high = _SCALES.get(column, _LIKERT_ITEM)
        numbers = _numbers(surveys, column)
        outside = ((numbers < low) | (numbers > high)).fillna(False).astype(bool)
        if outside.any():
            problems.append(_problem("surveys", column, f"outside scale {low}-{high}", outside, surveys[column],
                                     f"recode answers to {low}..{high}"))
    return problems


def _numbers(table: pd.DataFrame, column: str) -> pd.Series | None:
    if column not in table.columns:
        return None
    return pd.to_numeric(table[column], errors="coerce")


def _dates(table: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(table[column], errors="coerce", format="mixed")


def _analyses(tables: dict) -> pd.DataFrame:
    rows = []
    for analysis, needs in ANALYSES.items():
        missing = [f"{table} (table)" for table in needs if table not in tables]
        missing += [f"{table}.{column}" for table, columns in needs.items() if table in tables
                    for column in columns if column not in tables[table].columns]
        rows.append({"analysis": analysis, "ready": not missing, "missing": ", ".join(missing)})
    return pd.DataFrame(rows).set_index("analysis")


def validate(tables: dict[str, pd.DataFrame], *, strict: bool = False) -> ValidationReport:
    """Check tables before analysis: types, ids, negatives, dates, scales, and what each analysis needs.

    Parameters
    ----------
    tables : dict of table name -> DataFrame (as from :func:`read_tables`).
    strict : if True, raise one DataError listing every problem instead of returning a report.

    >>> bad = load_dataset("shipments").head(3).assign(revenue=[5.0, -2.0, 7.0])
    >>> validate({"shipments": bad}).summary()[["table", "column", "check", "n_bad", "example"]]
           table   column           check  n_bad example
    0  shipments  revenue  negative value      1    -2.0
    """
    if not isinstance(tables, dict) or not tables:
        raise DataError("validate: pass a dict of tables, e.g. read_tables('my_data/'). "
                        f"Fix: known tables are {', '.join(TABLES)}.")
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise DataError(f"validate: unknown table(s) {sorted(unknown)}. Fix: name them {', '.join(TABLES)}.")
    customer_ids = set(tables["customers"]["customer_id"].dropna()) if (
        "customers" in tables and "customer_id" in tables["customers"].columns) else None
    problems = []
    for name, table in tables.items():
        problems += _type_problems(name, table)
        problems += _value_problems(name, table, customer_ids)
    problems = pd.DataFrame(problems, columns=["table", "column", "check", "n_bad", "n_rows", "example", "fix"])
    report = ValidationReport(problems=problems, analyses=_analyses(tables))
    if strict and not report.ok:
        listed = "; ".join(f"{p.table}.{p.column}: {p.n_bad} {p.check} (e.g. {p.example}); fix: {p.fix}"
                           for p in problems.itertuples())
        raise DataError(f"validate found {len(problems)} problem(s): {listed}")
    return report


def load_optional(name: str, data_dir=None, columns: dict | None = None) -> pd.DataFrame | None:
    """Load a table like :func:`crmkit.load_dataset`, or return None (saying so) when the folder
    has no such table, so a notebook can skip the sections that need it.

    >>> load_optional("surveys", data_dir="no/such/folder")
    No surveys table in no/such/folder: the sections that need it are skipped.
    """
    folder = data_dir if data_dir is not None else "the bundled datasets"
    files = read_mapping(data_dir, columns)["files"] if data_dir is not None and Path(data_dir).is_dir() else {}
    if name not in files and not dataset_path(name, data_dir).is_file():
        print(f"No {name} table in {folder}: the sections that need it are skipped.")
        return None
    return load_dataset(name, data_dir=data_dir, columns=columns)


def ready(section: str, table: pd.DataFrame | None, columns=(), *, name: str = "data") -> bool:
    """True when ``table`` exists and has every column ``section`` needs; otherwise print why the
    section is skipped and return False.

    >>> ready("Net Promoter Score", load_dataset("surveys").drop(columns="recommend"), ["recommend"],
    ...       name="surveys")
    Skipping Net Promoter Score: the surveys table has no column 'recommend'.
    False
    """
    if table is None:
        print(f"Skipping {section}: there is no {name} table.")
        return False
    missing = [column for column in as_list(columns) if column not in table.columns]
    if missing:
        listed = ", ".join(repr(column) for column in missing)
        print(f"Skipping {section}: the {name} table has no column{'s' if len(missing) > 1 else ''} {listed}.")
        return False
    return True
