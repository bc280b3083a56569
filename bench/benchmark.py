"""Benchmark: load, evaluate and what-if times at three scales (SPEC §5). Not a test.

    .venv/bin/python bench/benchmark.py                  # sample, province, national
    .venv/bin/python bench/benchmark.py --scales sample province --runs 5

Each scale runs in a fresh subprocess so its peak memory (max RSS) is its own. Timings are
medians of several runs. "bare load" is pandas reading the same files with no validation; "load"
is `scoring.load_records` (reading, validating, typing, keying); "evaluate" is
`scoring.evaluate` for the latest year; "what-if" is one threshold changed, re-evaluated on the
already loaded records, plus the diff against the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCALES = {
    "sample": None,
    "province": {"units": 200, "officials": 20_000, "years": 6},
    "national": {"units": 10_000, "officials": 1_000_000, "years": 10},
}
TARGETS = "targets (SPEC §5): sample evaluate and what-if well under 100 ms; national evaluate < 10 s, peak < 3 GB, evaluate ≤ load"


def _median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def _bare_load(folder: Path) -> None:
    import pandas as pd

    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".csv":
            pd.read_csv(path, dtype=str, keep_default_na=False)


def _diff(base, alt):
    try:
        from scoring.scenario import compare
    except ImportError:  # before the scenario module existed: a plain diff of the decisions
        keys = ["subject_type", "subject_id", "rule_id", "outcome"]
        a = base.decisions[keys].merge(alt.decisions[keys], how="outer", indicator=True)
        return a[a["_merge"] != "both"]
    return compare(base, alt)


def run_scale(name: str, runs: int) -> dict:
    import scoring
    from scoring.sample import SAMPLE_LATEST_YEAR, sample_path

    spec = SCALES[name]
    with tempfile.TemporaryDirectory() as tmp:
        if spec is None:
            folder, year = sample_path(), SAMPLE_LATEST_YEAR
            size = "embedded sample (44 units, 2015–2020)"
            gen_s = 0.0
        else:
            from scoring.synth import generate, write

            t = time.perf_counter()
            tables = generate(spec["units"], spec["officials"], spec["years"], seed=1)
            folder = Path(tmp)
            write(tables, folder, "parquet")
            gen_s = time.perf_counter() - t
            year = int(tables["reform_results"]["year"].max())
            size = f"{spec['units']:,} units, {spec['officials']:,} officials, {spec['years']} years"
            del tables
        crit = scoring.load_criteria()
        bare, _ = _median_time(lambda: _bare_load(folder), runs)
        load, recs = _median_time(lambda: scoring.load_records(folder, crit), runs)
        ev_s, base = _median_time(lambda: scoring.evaluate(recs, year, crit), runs)
        alt_crit = crit.with_overrides({"unit_late_threshold_percent": 12})
        whatif, diff = _median_time(
            lambda: _diff(base, scoring.evaluate(recs, year, alt_crit)),
            max(runs, 5) if spec is None else runs,
        )
        n_off = int((recs.officials["year"] == year).sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return {
        "scale": name,
        "size": size,
        "year": year,
        "officials_in_year": n_off,
        "generate_s": gen_s,
        "bare_load_s": bare,
        "load_s": load,
        "evaluate_s": ev_s,
        "evaluate_over_load": ev_s / load if load else float("nan"),
        "evaluate_over_bare_load": ev_s / bare if bare else float("nan"),
        "whatif_s": whatif,
        "whatif_changes": len(diff),
        "peak_mib": peak,
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", nargs="+", default=list(SCALES), choices=list(SCALES))
    p.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument(
        "--ledger", nargs="*", default=None, help="dossier-ledger scales (default: all; none: skip)"
    )
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(run_scale(args.child, args.runs)))
        return 0
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    print(TARGETS)
    for name in args.scales:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, "--runs", str(args.runs)],
            capture_output=True,
            text=True,
        )
        if out.returncode:
            print(f"{name}: failed\n{out.stderr}")
            return 1
        r = json.loads(out.stdout.strip().splitlines()[-1])
        ms = 1000
        print(
            f"\n{name}: {r['size']}; evaluated year {r['year']} ({r['officials_in_year']:,} officials)\n"
            + (f"  generate + write parquet {r['generate_s']:.2f} s\n" if r["generate_s"] else "")
            + f"  bare pandas load  {r['bare_load_s'] * ms:9.1f} ms\n"
            f"  load_records      {r['load_s'] * ms:9.1f} ms   (read + validate + type + key)\n"
            f"  evaluate          {r['evaluate_s'] * ms:9.1f} ms   "
            f"(evaluate/load {r['evaluate_over_load']:.2f}; evaluate/bare load {r['evaluate_over_bare_load']:.2f})\n"
            f"  what-if + diff    {r['whatif_s'] * ms:9.1f} ms   ({r['whatif_changes']} changes)\n"
            f"  peak memory       {r['peak_mib']:9.0f} MiB"
        )
    return ledger_section(args.ledger)


def ledger_section(scales: list[str] | None) -> int:
    """The dossier ledger's figures (issue 13 §3): bench/ledger_bench.py, one subprocess per step."""
    import ledger_bench

    if scales is not None and not scales:
        return 0
    print(f"\n{ledger_bench.__doc__.splitlines()[0]}")
    return ledger_bench.main(scales or None)


if __name__ == "__main__":
    sys.exit(main())
