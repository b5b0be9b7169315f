"""Benchmark: how fast crmkit.synth.simulate builds the company, and at what peak memory.

Run by hand (not by pytest):

    .venv/bin/python bench/bench_synth.py            # bundled size and ~1,000,000 shipments
    .venv/bin/python bench/bench_synth.py --quick    # bundled size only

Each case runs in a fresh Python process, which reports the wall time of the call and
its own peak resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, imports
included), so one case's memory does not leak into the next. The baseline builds a
table of the same number of rows and the same columns with plain numpy/pandas random
draws and no causal story: the floor any generator of that table pays.

Target (issue 3): 1,000,000 shipments in at most 10 s and 2 GB peak on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

SIMULATE = """
import json, resource, time
from crmkit.synth import simulate
t0 = time.perf_counter()
company = simulate(n_customers={n}, months={months}, seed={seed})
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "rows": len(company.shipments),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

BASELINE = """
import json, resource, time
import numpy as np, pandas as pd
t0 = time.perf_counter()
rng = np.random.default_rng(1)
m = {rows}
day = np.datetime64("2024-01-01") + rng.integers(0, 730, m).astype("timedelta64[D]")
promised = rng.integers(0, 5, m)
table = pd.DataFrame({{
    "shipment_id": pd.array([f"S{{i:08d}}" for i in range(1, m + 1)], dtype="str"),
    "customer_id": pd.array([f"C{{i:05d}}" for i in rng.integers(1, {n} + 1, m)], dtype="str"),
    "ship_date": day.astype("datetime64[us]"),
    "service": pd.Categorical.from_codes(rng.integers(0, 5, m), categories=list("abcde")),
    "origin": pd.Categorical.from_codes(rng.integers(0, 20, m), categories=[str(i) for i in range(20)]),
    "destination": pd.Categorical.from_codes(rng.integers(0, 20, m), categories=[str(i) for i in range(20)]),
    "weight_kg": np.round(rng.lognormal(3, 1, m), 1), "pieces": rng.integers(1, 20, m),
    "revenue": np.round(rng.lognormal(7, 1, m), 2), "cost": np.round(rng.lognormal(6.8, 1, m), 2),
    "promised_days": promised, "promised_date": (day + promised.astype("timedelta64[D]")).astype("datetime64[us]"),
    "delivered_date": (day + promised.astype("timedelta64[D]")).astype("datetime64[us]"),
    **{{flag: rng.random(m) < 0.1 for flag in ["on_time", "damaged", "lost", "urgent", "cod", "insured",
                                              "signed_receipt_return", "cold_chain"]}},
    "receipt_on_time": pd.array(rng.random(m) < 0.9, dtype="boolean"),
}})
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "rows": len(table),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(code: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": "0"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="bundled size only")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best time is reported")
    args = parser.parse_args()
    cases = [("simulate (bundled size)", 2_000, 24)]
    if not args.quick:
        cases.append(("simulate (~1M shipments)", 15_500, 24))
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
    print(f"{'case':<28}{'customers':>10}{'shipments':>11}{'seconds':>9}{'peak MB':>9}{'rows/s':>11}")
    for label, n, months in cases:
        runs = [run(SIMULATE.format(n=n, months=months, seed=20240101)) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        peak = max(r["peak_mb"] for r in runs)
        print(f"{label:<28}{n:>10,}{best['rows']:>11,}{best['seconds']:>9.2f}{peak:>9.0f}"
              f"{best['rows'] / best['seconds']:>11,.0f}")
        baseline = [run(BASELINE.format(rows=best["rows"], n=n)) for _ in range(args.repeat)]
        fastest = min(baseline, key=lambda r: r["seconds"])
        print(f"{'  plain pandas, same rows':<28}{n:>10,}{fastest['rows']:>11,}{fastest['seconds']:>9.2f}"
              f"{max(r['peak_mb'] for r in baseline):>9.0f}{fastest['rows'] / fastest['seconds']:>11,.0f}")


if __name__ == "__main__":
    main()
