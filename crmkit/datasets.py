"""The bundled datasets: load them with proper dtypes, list them, and their data dictionary.

The four tables in ``datasets/`` are one seeded run of :func:`crmkit.synth.simulate`
(the fictional company Jadeheron Express, 玉鹭速运). The data dictionary below is the
one place where every column's type, unit, allowed values and English and Chinese
names are written down: the loader takes its dtypes from it and
``datasets/README.md`` prints it (``python -m crmkit.datasets --readme``).

Examples
--------
>>> shipments = load_dataset("shipments")
>>> shipments["ship_date"].dtype.kind, shipments["service"].dtype.name
('M', 'category')
>>> list_datasets()["name"].tolist()
['customers', 'shipments', 'complaints', 'surveys']
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import yaml

from crmkit.errors import DataError, as_dates
from crmkit.synth import (BUNDLED_SEED, CATEGORIES, CHANNELS, CITIES, COMPANY_NAME, COMPANY_NAME_ZH,
                          CONTRACTS, DIMENSIONS, INDUSTRIES, REGIONS, SEGMENTS, SERVICES, TIERS)

__all__ = ["DATASETS", "DICTIONARY", "ITEM_WORDING", "MAPPING_FILES", "data_dictionary", "dataset_path",
           "list_datasets", "load_cdnow", "load_dataset", "read_mapping", "read_raw", "convert_column", "dictionary_markdown"]

#: Name -> one-line description of each bundled table.
DATASETS = {
    "customers": "one row per customer: industry, segment, location, key-account tier, contract, account manager",
    "shipments": "one row per waybill (a consignment of one or more pieces): service, route, weight, "
                 "revenue, cost, promised and actual delivery, failures and value-added services",
    "complaints": "one row per complaint: channel, category, the waybill it concerns, resolution",
    "surveys": "one row per satisfaction-survey response (quarterly waves): 18 Likert items on six "
               "service-quality dimensions, expectations, overall satisfaction, recommend, intention to stay",
}

#: Wording of the survey items (English, 中文), by column.
ITEM_WORDING = {
    "timeliness_1": ("Parcels arrive by the promised date", "货物按承诺时限送达"),
    "timeliness_2": ("Pick-up happens at the agreed time", "按约定时间上门取件"),
    "timeliness_3": ("Urgent shipments arrive as fast as promised", "急件按承诺时效送达"),
    "condition_1": ("Goods arrive intact", "货物完好无损"),
    "condition_2": ("The right goods reach the right consignee", "货物准确送达正确的收件人"),
    "condition_3": ("Packing and handling protect the goods", "包装和装卸能保护货物"),
    "information_1": ("Tracking information is accurate and up to date", "物流跟踪信息准确及时"),
    "information_2": ("We are told promptly when a shipment is delayed", "出现延误时能及时通知我们"),
    "information_3": ("Bills and shipping documents are clear and correct", "账单和运单清楚准确"),
    "staff_1": ("Couriers are polite and professional", "快递员礼貌、专业"),
    "staff_2": ("Customer-service staff understand our needs", "客服人员了解我们的需求"),
    "staff_3": ("Our account manager is easy to reach", "客户经理容易联系"),
    "handling_1": ("Complaints are resolved quickly", "投诉处理迅速"),
    "handling_2": ("Claims for damage or loss are settled fairly", "破损、丢失理赔公平"),
    "handling_3": ("Problems are fixed so that they do not recur", "问题得到根本解决，不再重复发生"),
    "price_1": ("Prices are reasonable for the service we get", "价格与服务相称"),
    "price_2": ("Prices are competitive with other carriers", "价格比其他承运商有竞争力"),
    "price_3": ("Value-added services are worth what they cost", "增值服务物有所值"),
}
_DIMENSION_ZH = {"timeliness": "时效", "condition": "货物完好与准确", "information": "信息",
                 "staff": "人员服务", "handling": "问题处理", "price": "价格"}


def _values(values) -> str:
    return ", ".join(values)


_LIKERT = "1 = strongly disagree ... 5 = strongly agree"


def _survey_columns() -> list:
    rows = [
        ("response_id", "str", "", "R000001 ...", "survey response identifier", "Response ID", "问卷编号"),
        ("customer_id", "str", "", "a customer_id in customers", "the responding customer", "Customer ID", "客户编号"),
        ("date", "date", "", "within the period", "date the questionnaire was answered", "Response date", "填写日期"),
        ("wave", "int", "", "1, 2, ...", "survey wave (one a quarter, in the last month of the quarter)",
         "Survey wave", "调查批次"),
    ]
    for column, (en, zh) in ITEM_WORDING.items():
        dim = column.rsplit("_", 1)[0]
        rows.append((column, "int", "Likert 1-5", _LIKERT, f"{dim} item: '{en}'", en, zh))
    for dim in DIMENSIONS:
        rows.append((f"expect_{dim}", "int", "Likert 1-5", "1 = very low ... 5 = very high",
                     f"expected level of {dim} (for SERVQUAL gaps: perception minus expectation)",
                     f"Expected {dim}", f"{_DIMENSION_ZH[dim]}期望"))
    rows += [
        ("overall_satisfaction", "int", "scale 1-7", "1 = very dissatisfied ... 7 = very satisfied",
         "overall satisfaction with the company", "Overall satisfaction", "总体满意度"),
        ("recommend", "int", "scale 0-10", "0 = not at all likely ... 10 = extremely likely",
         "likelihood to recommend the company (NPS question)", "Likelihood to recommend", "推荐意愿"),
        ("intention_to_stay", "int", "Likert 1-5", "1 = will surely leave ... 5 = will surely stay",
         "intention to keep using the company next year", "Intention to stay", "续用意愿"),
    ]
    return rows


#: The data dictionary: table -> list of (column, type, unit, allowed values, meaning, English, 中文).
#: Types: str, category, date, bool, boolean (True/False or missing), int, float.
DICTIONARY = {
    "customers": [
        ("customer_id", "str", "", "C00001 ...", "customer identifier", "Customer ID", "客户编号"),
        ("name", "str", "", "fictional company names", "customer's (fictional) company name", "Customer name", "客户名称"),
        ("industry", "category", "", _values(INDUSTRIES), "customer's industry", "Industry", "行业"),
        ("segment", "category", "", _values(SEGMENTS),
         "B2B: ships to businesses; B2C: an online seller shipping to consumers", "Segment", "客户类型"),
        ("region", "category", "", _values(REGIONS), "region of the customer's home city", "Region", "区域"),
        ("city", "category", "", _values(CITIES), "city where the customer ships from", "City", "城市"),
        ("tier", "category", "", _values(TIERS),
         "key-account tier the company assigned from its own revenue and growth estimates: strategic "
         "(important customers in strategic industries), economic (estimated revenue of at least "
         "5,000,000 RMB a year), potential (fast growth expected), regular", "Key-account tier", "大客户等级"),
        ("signup_date", "date", "", "up to 6 years before the period, or within it",
         "date the customer opened its account", "Sign-up date", "开户日期"),
        ("contract", "category", "", _values(CONTRACTS),
         "billing terms: monthly settlement (月结) or pay per shipment", "Contract", "结算方式"),
        ("account_manager", "str", "", "fictional staff names",
         "key-account manager (tiers strategic, economic, potential) or service representative",
         "Account manager", "客户经理"),
    ],
    "shipments": [
        ("shipment_id", "str", "", "S00000001 ...", "waybill number", "Waybill ID", "运单号"),
        ("customer_id", "str", "", "a customer_id in customers", "the shipper", "Customer ID", "客户编号"),
        ("ship_date", "date", "", "within the period", "date the consignment was picked up", "Ship date", "发货日期"),
        ("service", "category", "", _values(SERVICES), "product the customer bought", "Service", "服务产品"),
        ("origin", "category", "", _values(CITIES), "city of pick-up", "Origin", "始发城市"),
        ("destination", "category", "", _values(CITIES), "city of delivery", "Destination", "目的城市"),
        ("weight_kg", "float", "kg", "> 0", "chargeable weight of the consignment", "Weight", "计费重量"),
        ("pieces", "int", "pieces", ">= 1", "number of parcels or pallets on the waybill", "Pieces", "件数"),
        ("revenue", "float", "RMB", "> 0",
         "amount billed: freight after the customer's discount plus value-added-service fees",
         "Revenue", "收入"),
        ("cost", "float", "RMB", ">= 0",
         "cost to serve: line haul, pick-up, handling and claims paid", "Cost to serve", "服务成本"),
        ("promised_days", "int", "days", "0-5", "delivery time promised at booking (0 = same day)",
         "Promised days", "承诺时效"),
        ("promised_date", "date", "", "ship_date + promised_days", "promised delivery date",
         "Promised date", "承诺送达日期"),
        ("delivered_date", "date", "", "empty when lost", "actual delivery date (may fall just after the period)",
         "Delivery date", "实际送达日期"),
        ("on_time", "bool", "", "True, False", "delivered by the promised date (False when lost)",
         "On time", "准时送达"),
        ("damaged", "bool", "", "True, False", "goods arrived damaged", "Damaged", "货物破损"),
        ("lost", "bool", "", "True, False", "consignment lost in the network", "Lost", "货物丢失"),
        ("urgent", "bool", "", "True, False", "booked as an urgent order", "Urgent", "急单"),
        ("cod", "bool", "", "True, False", "cash on delivery: the company collects the goods' value",
         "Cash on delivery", "代收货款"),
        ("insured", "bool", "", "True, False", "insured value (declared value covered)", "Insured", "保价"),
        ("signed_receipt_return", "bool", "", "True, False",
         "the signed delivery receipt is returned to the shipper", "Signed-receipt return", "签单返还"),
        ("receipt_on_time", "boolean", "", "True, False, empty",
         "signed receipt returned in time; empty unless signed_receipt_return", "Receipt on time", "返单及时"),
        ("cold_chain", "bool", "", "True, False", "temperature-controlled transport", "Cold chain", "冷链"),
    ],
    "complaints": [
        ("complaint_id", "str", "", "Q000001 ...", "complaint identifier", "Complaint ID", "投诉编号"),
        ("customer_id", "str", "", "a customer_id in customers", "the complaining customer", "Customer ID", "客户编号"),
        ("shipment_id", "str", "", "a shipment_id in shipments, or empty",
         "waybill the complaint is about; empty for billing and some other complaints",
         "Waybill ID", "运单号"),
        ("date", "date", "", "within the period", "date the complaint was received", "Complaint date", "投诉日期"),
        ("channel", "category", "", _values(CHANNELS), "how the complaint came in", "Channel", "投诉渠道"),
        ("category", "category", "", _values(CATEGORIES), "what the complaint is about", "Category", "投诉类别"),
        ("resolved", "bool", "", "True, False", "the complaint was resolved", "Resolved", "已解决"),
        ("resolution_hours", "float", "hours", "> 0, empty when unresolved",
         "time from receipt to resolution", "Resolution time", "处理时长"),
    ],
    "surveys": _survey_columns(),
}
_FIELDS = ("column", "type", "unit", "allowed", "meaning", "name_en", "name_zh")
_CATEGORIES = {"industry": INDUSTRIES, "segment": SEGMENTS, "region": REGIONS, "city": CITIES, "tier": TIERS,
               "contract": CONTRACTS, "service": SERVICES, "origin": CITIES, "destination": CITIES,
               "channel": CHANNELS, "category": CATEGORIES}
_BUNDLED_DIR = Path(__file__).resolve().parent.parent / "datasets"
_SUFFIXES = (".csv", ".parquet", ".xlsx", ".xls")
#: Files in a data folder that map your column names to crmkit's.
MAPPING_FILES = ("crmkit.yml", "columns.yml")


def _check_name(name) -> str:
    if not isinstance(name, str) or name not in DICTIONARY:
        raise DataError(f"unknown dataset {name!r}. Valid names: {', '.join(DICTIONARY)}. "
                        f"Fix: call load_dataset with one of them; list_datasets() describes each.")
    return name


def _data_dir(data_dir) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get("CRMKIT_DATA_DIR")
    return Path(env) if env else _BUNDLED_DIR


def dataset_path(name: str, data_dir=None) -> Path:
    """Path of the file holding table ``name`` (in ``data_dir``, default the bundled datasets/).

    In a folder of your own the table may be ``.csv``, ``.parquet`` or ``.xlsx``, or any file the
    folder's mapping names under ``files:``.

    >>> dataset_path("customers").name
    'customers.csv'
    """
    folder = _data_dir(data_dir)
    name = _check_name(name)
    files = read_mapping(folder)["files"] if folder.is_dir() else {}
    if name in files:
        return folder / files[name]
    found = [folder / f"{name}{suffix}" for suffix in _SUFFIXES if (folder / f"{name}{suffix}").is_file()]
    return found[0] if found else folder / f"{name}.csv"


def read_mapping(folder, columns: dict | None = None) -> dict:
    """The column mapping of a data folder: ``columns`` if given, else the folder's ``crmkit.yml``
    (or ``columns.yml``), else none. Returns ``{"files": {table: file}, "columns": {table: {yours: ours}}}``.

    ``columns`` may be the full form or just ``{table: {your_column: crmkit_column}}``.

    >>> read_mapping("datasets")
    {'files': {}, 'columns': {}}
    """
    if columns is not None:
        mapping = columns if {"columns", "files"} & set(columns) else {"columns": columns}
    else:
        found = [Path(folder, name) for name in MAPPING_FILES if Path(folder, name).is_file()]
        mapping = (yaml.safe_load(found[0].read_text(encoding="utf-8")) or {}) if found else {}
    unknown = (set(mapping.get("columns", {})) | set(mapping.get("files", {}))) - set(DICTIONARY)
    extra = set(mapping) - {"files", "columns"}
    if unknown or extra:
        raise DataError(f"column mapping: unknown table or key {sorted(unknown | extra)}. "
                        f"Fix: use 'files' and 'columns', with tables {', '.join(DICTIONARY)}.")
    return {"files": mapping.get("files", {}), "columns": mapping.get("columns", {})}


def read_raw(name: str, data_dir=None, columns: dict | None = None) -> pd.DataFrame:
    """Read table ``name`` as stored, renamed to crmkit's columns but not yet typed."""
    name = _check_name(name)
    folder = _data_dir(data_dir)
    mapping = read_mapping(folder, columns)
    path = folder / mapping["files"][name] if name in mapping["files"] else dataset_path(name, data_dir)
    if not path.is_file():
        hint = ("regenerate the bundled data with: python -m crmkit.synth --out datasets"
                if data_dir is None else f"put {name}.csv in that folder, name the file in its crmkit.yml, "
                f"or pass another data_dir")
        raise DataError(f"{name}: file {str(path)!r} not found. Fix: {hint}.")
    renames = mapping["columns"].get(name, {})
    if path.suffix.lower() != ".csv":
        return _read_other(path).rename(columns=renames)
    types = {row[0]: row[1] for row in DICTIONARY[name]}
    theirs = {ours: yours for yours, ours in renames.items()}
    text_columns = {theirs.get(c, c): "str" for c, kind in types.items() if kind in ("str", "category")}
    try:
        table = pd.read_csv(path, dtype=text_columns, keep_default_na=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise DataError(f"{name}: cannot read {str(path)!r} as CSV ({error}). "
                        f"Fix: save it as UTF-8 CSV with a header row.") from None
    return table.rename(columns=renames)


def _read_other(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_excel(path)
    except ImportError as error:
        raise DataError(f"{path.name}: reading {path.suffix} files needs an optional package ({error}). "
                        f"Fix: install it (pyarrow for Parquet, openpyxl for Excel) or save as CSV.") from None


def data_dictionary(name: str | None = None) -> pd.DataFrame:
    """The data dictionary as a table: one row per column of each dataset.

    Parameters
    ----------
    name : str, optional
        One dataset; all four when None.

    Returns
    -------
    DataFrame with columns table, column, type, unit, allowed, meaning, name_en, name_zh.

    Examples
    --------
    >>> data_dictionary("complaints").set_index("column").loc["category", "name_zh"]
    '投诉类别'
    """
    names = list(DICTIONARY) if name is None else [_check_name(name)]
    frames = [pd.DataFrame(DICTIONARY[n], columns=list(_FIELDS)).assign(table=n) for n in names]
    table = pd.concat(frames, ignore_index=True)
    return table[["table", *_FIELDS]]


def list_datasets(data_dir=None) -> pd.DataFrame:
    """The datasets with their descriptions, row counts and files.

    Examples
    --------
    >>> list_datasets()[["name", "rows"]]
             name    rows
    0   customers    2000
    1   shipments  127974
    2  complaints    2431
    3     surveys    3554
    """
    rows = []
    for name, description in DATASETS.items():
        path = dataset_path(name, data_dir)
        if path.exists():
            with open(path, "rb") as handle:
                n_rows = sum(1 for _ in handle) - 1
        else:
            n_rows = pd.NA
        rows.append((name, description, n_rows, str(path)))
    table = pd.DataFrame(rows, columns=["name", "description", "rows", "file"])
    table["rows"] = table["rows"].astype("Int64")
    return table


def load_dataset(name: str, data_dir=None, columns: dict | None = None) -> pd.DataFrame:
    """Load one table with proper dtypes: dates parsed, categories as category, flags as bool.

    Parameters
    ----------
    name : str
        One of ``customers``, ``shipments``, ``complaints``, ``surveys``.
    data_dir : str or Path, optional
        Folder holding ``<name>.csv`` (or ``.parquet`` / ``.xlsx``); None means the bundled
        datasets (or the folder named by the environment variable ``CRMKIT_DATA_DIR``). Your
        own column names are mapped by a ``crmkit.yml`` in the folder (see :func:`read_mapping`).
    columns : dict, optional
        The mapping as a dict instead of the folder's ``crmkit.yml``.

    Returns
    -------
    DataFrame
        Columns the data dictionary knows get its type; other columns are kept as read.

    Examples
    --------
    >>> customers = load_dataset("customers")
    >>> customers["tier"].cat.categories.tolist()
    ['strategic', 'economic', 'potential', 'regular']
    """
    table = read_raw(name, data_dir, columns)
    types = {row[0]: row[1] for row in DICTIONARY[name]}
    for column in table.columns:
        kind = types.get(column)
        if kind is None:
            continue
        table[column] = convert_column(table[column], column, kind, name)
    return table


def load_cdnow(table: str = "transactions", data_dir=None) -> pd.DataFrame:
    """Load the CDNOW 1/10th sample: a real public dataset for reproducing published BTYD results.

    2,357 customers of the online music retailer CDNOW, a 1/10th sample of the 23,570 who made
    their first purchase in the first quarter of 1997, followed to the end of June 1998
    (78 weeks). Provenance, citation and licence: ``datasets/README.md``, section CDNOW.

    Parameters
    ----------
    table : {"transactions", "summary"}
        ``"transactions"``: one row per purchase (6,919 rows): customer_id, master_id (the
        id in the full cohort), date, cds (number of CDs) and amount (USD).
        ``"summary"``: the published calibration summary (39 weeks to 1997-09-30) used by
        Fader, Hardie & Lee (2005), one row per customer indexed by customer_id: frequency
        (repeat purchases), recency and T (weeks), monetary_value (mean repeat spend, USD).
    data_dir : str or Path, optional
        Folder holding ``cdnow_<table>.csv``; None means the bundled ``datasets/cdnow/``.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> tx = load_cdnow("transactions")
    >>> len(tx), tx["customer_id"].nunique(), str(tx["date"].min().date()), str(tx["date"].max().date())
    (6919, 2357, '1997-01-01', '1998-06-30')
    >>> load_cdnow("summary").loc[1].tolist()
    [2.0, 30.43, 38.86, 22.35]
    """
    columns = {"transactions": ["customer_id", "master_id", "date", "cds", "amount"],
               "summary": ["customer_id", "frequency", "recency", "T", "monetary_value"]}
    if table not in columns:
        raise DataError(f"unknown CDNOW table {table!r}. Fix: use 'transactions' (one row per "
                        f"purchase) or 'summary' (one row per customer, as published).")
    folder = Path(data_dir) if data_dir is not None else _BUNDLED_DIR / "cdnow"
    path = folder / f"cdnow_{table}.csv"
    if not path.is_file():
        raise DataError(f"cdnow: file {str(path)!r} not found. Fix: restore datasets/cdnow/ from the "
                        f"repository, or pass the folder that holds cdnow_{table}.csv as data_dir.")
    frame = pd.read_csv(path)
    missing = [c for c in columns[table] if c not in frame.columns]
    if missing:
        raise DataError(f"cdnow: {path.name} lacks column(s) {', '.join(map(repr, missing))}. "
                        f"Fix: the file needs the header {','.join(columns[table])}.")
    frame = frame[columns[table]]
    if table == "transactions":
        frame["date"] = convert_column(frame["date"], "date", "date", "cdnow")
        frame["amount"] = frame["amount"].astype("float64")
        return frame
    return frame.set_index("customer_id").astype("float64")


def convert_column(values: pd.Series, column: str, kind: str, name: str) -> pd.Series:
    """Give one column its data-dictionary type (str, category, date, bool, boolean, int, float),
    raising DataError with a count and an example for values that do not convert."""
    if kind == "str":
        return values.astype("str")
    if kind == "category":
        known = _CATEGORIES.get(column)
        present = set(values.dropna().unique())
        if known is not None and present <= set(known):
            return values.astype(pd.CategoricalDtype(list(known)))
        return values.astype("category")
    if kind == "date":
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        if (parsed.isna() & values.notna()).any():
            parsed = as_dates(values, column=column, name=name)
        return parsed
    if kind in ("bool", "boolean"):
        return _to_bool(values, column, kind, name)
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        example = values[bad].iloc[0]
        raise DataError(f"{name}: column {column!r} has {int(bad.sum())} non-numeric values of {len(values)} rows, "
                        f"e.g. {example!r}. Fix: clean these values; the column holds {kind} numbers.")
    if kind == "int":
        if numbers.isna().any():
            return numbers.astype("Int64")
        return numbers.astype("int64")
    return numbers.astype("float64")


#: Words a CSV may use for a yes/no flag (compared in lower case).
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f"})


def _to_bool(values: pd.Series, column: str, kind: str, name: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(values) and values.dtype != object:
        return values.astype("bool") if kind == "bool" else values.astype("boolean")
    text = values.astype("str").str.strip().str.lower()
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[text.isin(TRUE_WORDS)] = True
    result[text.isin(FALSE_WORDS)] = False
    bad = result.isna() & values.notna()
    if bad.any():
        example = values[bad].iloc[0]
        raise DataError(f"{name}: column {column!r} has {int(bad.sum())} values that are not True/False "
                        f"of {len(values)} rows, e.g. {example!r}. Fix: write the flag as True or False.")
    if kind == "bool":
        if result.isna().any():
            return result
        return result.astype("bool")
    return result


def dictionary_markdown() -> str:
    """The data dictionary as the Markdown section printed in datasets/README.md."""
    lines = []
    for name in DICTIONARY:
        lines += [f"### {name}.csv", "", DATASETS[name][0].upper() + DATASETS[name][1:] + ".", "",
                  "| column | English | 中文 | type | unit | allowed values | meaning |",
                  "|---|---|---|---|---|---|---|"]
        for column, kind, unit, allowed, meaning, en, zh in DICTIONARY[name]:
            cells = [f"`{column}`", en, zh, kind, unit, allowed, meaning]
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    """Command line: ``python -m crmkit.datasets --readme`` prints the data dictionary section."""
    import argparse
    parser = argparse.ArgumentParser(prog="python -m crmkit.datasets",
                                     description=f"The bundled datasets of {COMPANY_NAME} ({COMPANY_NAME_ZH}).")
    parser.add_argument("--readme", action="store_true", help="print the data dictionary as Markdown")
    args = parser.parse_args(argv)
    if args.readme:
        print(dictionary_markdown(), end="")
    else:
        print(list_datasets().to_string(index=False))
        print(f"bundled seed: {BUNDLED_SEED}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
