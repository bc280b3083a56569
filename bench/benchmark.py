"""Benchmark: the whole command against a bare read, latencies, and the engine's scales (SPEC §5). Not a test.

    .venv/bin/python bench/benchmark.py                              # every section but the kill loop
    .venv/bin/python bench/benchmark.py --sections province sample --runs 5
    .venv/bin/python bench/benchmark.py --sections kills --kills 300   # the kill loop, many more kills

Sections (issue 12 §1; each a function in SECTIONS, so other parts add theirs beside them):

- province: the whole `python -m scoring evaluate` command (workbook included) on a synthetic
  province (200 units, 20,000 officials in the evaluated year, 6 years, CSV), against a bare
  `pandas.read_csv(dtype=str)` of the same files in a separate process. Target ≤ 1.5×.
- national: the whole command on the national set (10,000 units, 1,000,000 officials, 10
  years, Parquet in, CSV out), against its I/O floor: a separate process that reads every
  input with pyarrow and writes the year's officials as CSV with pyarrow. Target ≤ 2.5×.
- sample: the embedded sample's evaluate plus a what-if re-evaluation, in process. Target < 20 ms.
- national-whatif: a what-if re-evaluation plus compare() on the loaded national set. Target < 0.3 s.
- scales: load / evaluate / what-if times and peak memory per scale (sample, province,
  national), each scale in its own process. Targets: national evaluate < 10 s within 3 GB,
  evaluate ≤ load.
- csv: the CSV formatting of the national output tables alone.
- kills: bench/kill_loop.py with `--kills N` kills per way of publishing.
- ledger: the dossier ledger to counts (issue 13 §3), bench/ledger_bench.py, at the scales of
  `--ledger-scales` (default all: province, national-10M, national-100M; about half an hour on
  the shared 2-core machine, most of it generating the data sets).
- index: the reform index, bench/index_bench.py (sample: index + margins + 10,000 draws < 300 ms;
  national: 10,000 units, 80 items, 1,000 draws < 15 s and < 2 GB).

Processes are timed by wall clock and by CPU (user + system of the child): on a shared machine
the wall clock swells with the load, the CPU much less, so both ratios are printed. Medians of
`--runs` runs, after one untimed run of each command. The timed processes cache their bytecode
(in a temporary folder) even where PYTHONDONTWRITEBYTECODE is set, as an installed package does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable

PROVINCE = {"units": 200, "officials": 20_000, "years": 6}
NATIONAL = {"units": 10_000, "officials": 1_000_000, "years": 10}
SCALES = {"sample": None, "province": PROVINCE, "national": NATIONAL}

BARE_READ = """
import sys, pandas as pd
from pathlib import Path
for p in sorted(Path(sys.argv[1]).glob("*.csv")):
    pd.read_csv(p, dtype=str, keep_default_na=False)
"""

IO_FLOOR = """
import sys, pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as csv, pyarrow.parquet as pq
from pathlib import Path
tables = {p.stem: pq.read_table(p) for p in sorted(Path(sys.argv[1]).glob("*.parquet"))}
officials = tables["officials"]
year = officials.filter(pc.equal(officials["year"], int(sys.argv[2])))
csv.write_csv(year, str(Path(sys.argv[3]) / "officials.csv"))
"""


# -- measuring ---------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment of the timed processes: Python's bytecode cached, as an installed package has.

    With PYTHONDONTWRITEBYTECODE set (as on the development machine), every run would compile
    the package's own modules from source (~0.1 s of CPU that no installed copy pays), while the
    bare read's pandas comes compiled. The cache goes to a temporary folder, not the tree.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "scoring-bench-pycache")
    return env


def measure(cmd: list[str], runs: int) -> dict:
    """Median wall and CPU seconds and the peak memory of a command run `runs` times, after one
    untimed run (bytecode compiled, files in the OS cache: the same for every command timed)."""
    walls, cpus, peaks = [], [], []
    env = child_env()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err[-2000:]}")
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "peak_mib": max(peaks)}


def median_time(fn, runs: int) -> tuple[float, object]:
    """Median wall seconds of fn() (the CPU seconds of the last call in CPU_SECONDS)."""
    times, cpu, out = [], [], None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU_SECONDS.append(statistics.median(cpu))
    return statistics.median(times), out


CPU_SECONDS: list[float] = []


def ratio_line(what: str, cmd: dict, floor: dict, floor_name: str, target: float) -> str:
    wall, cpu = cmd["wall"] / floor["wall"], cmd["cpu"] / floor["cpu"]
    verdict = "meets" if min(wall, cpu) <= target else "misses"
    return (
        f"  {what:34} {cmd['wall']:6.2f} s wall {cmd['cpu']:6.2f} s CPU {cmd['peak_mib']:6.0f} MiB\n"
        f"  {floor_name:34} {floor['wall']:6.2f} s wall {floor['cpu']:6.2f} s CPU {floor['peak_mib']:6.0f} MiB\n"
        f"  ratio {wall:.2f}× wall, {cpu:.2f}× CPU   (target ≤ {target}×: {verdict})"
    )


class Datasets:
    """Synthetic data sets made once per run (python -m scoring synth), in a temporary folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.made: dict[tuple, Path] = {}

    def get(self, spec: dict, fmt: str) -> Path:
        key = (tuple(sorted(spec.items())), fmt)
        if key not in self.made:
            out = self.folder / f"{spec['units']}-{spec['officials']}-{spec['years']}-{fmt}"
            cmd = [PY, "-m", "scoring", "synth", str(out), "--seed", "1", "--format", fmt]
            cmd += [f"--{k}={v}" for k, v in spec.items()]
            subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            self.made[key] = out
        return self.made[key]


LAST_YEAR = 2020  # synth's default evaluated year


# -- sections ------------------------------------------------------------------------------------


def evaluate_command(folder: Path, out: Path) -> list[str]:
    return [
        PY,
        "-m",
        "scoring",
        "evaluate",
        str(folder),
        "--year",
        str(LAST_YEAR),
        "--out",
        str(out),
        "--quiet",
    ]


def province(args, data: Datasets) -> str:
    folder = data.get(PROVINCE, "csv")
    out = data.folder / "out-province"
    cmd = measure(evaluate_command(folder, out), args.runs)
    bare = measure([PY, "-c", BARE_READ, str(folder)], args.runs)
    return "province (200 units, 20,000 officials, 6 years, CSV)\n" + ratio_line(
        "whole evaluate command (+ workbook)", cmd, bare, "bare pandas.read_csv(dtype=str)", 1.5
    )


def national(args, data: Datasets) -> str:
    folder = data.get(NATIONAL, "parquet")
    out = data.folder / "out-national"
    floor_out = data.folder / "out-floor"
    floor_out.mkdir(exist_ok=True)
    cmd = measure(evaluate_command(folder, out), args.runs)
    floor = measure([PY, "-c", IO_FLOOR, str(folder), str(LAST_YEAR), str(floor_out)], args.runs)
    return "national (10,000 units, 1,000,000 officials, 10 years, Parquet in, CSV out)\n" + ratio_line(
        "whole evaluate command", cmd, floor, "I/O floor (pyarrow read + write)", 2.5
    )


def _whatif_seconds(folder, year: int, runs: int) -> dict:
    """Median wall and CPU seconds of each phase of a what-if, each run on fresh evaluations
    (an evaluation makes its tables' columns when first read, so a compare of the same pair
    twice would be cheaper the second time): evaluate, re-evaluate under another threshold,
    compare(); and an evaluation whose six tables are all read as DataFrames."""
    import scoring
    from scoring.evaluation import TABLES
    from scoring.scenario import compare

    crit = scoring.load_criteria()
    recs = scoring.load_records(folder, crit)
    alt = crit.with_overrides({"unit_late_threshold_percent": 12})

    def read_all(ev):
        return [getattr(ev, t) for t in (*TABLES, "party_org_runs")]

    phases = {
        "evaluate": lambda _: scoring.evaluate(recs, year, crit),
        "reevaluate": lambda _: scoring.evaluate(recs, year, alt),
        "compare": lambda got: compare(got["evaluate"], got["reevaluate"]),
        "read": lambda _: read_all(scoring.evaluate(recs, year, alt)),
    }
    wall: dict[str, list[float]] = {p: [] for p in phases}
    cpu: dict[str, list[float]] = {p: [] for p in phases}
    got: dict = {}
    for _ in range(runs + 1):  # the first run untimed (caches of the records and criteria)
        for name, fn in phases.items():
            t, c = time.perf_counter(), time.process_time()
            got[name] = fn(got)
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    out = {f"{p}_wall": statistics.median(v[1:]) for p, v in wall.items()}
    out.update({f"{p}_cpu": statistics.median(v[1:]) for p, v in cpu.items()})
    out["changes"] = len(got["compare"])
    return out


def _whatif_lines(r: dict, unit: float, fmt: str, target: float, what: str) -> str:
    """The phases of `_whatif_seconds`, each on its own line, and the target's verdict."""

    def both(*phases: str) -> tuple[float, float]:
        return sum(r[f"{p}_wall"] for p in phases), sum(r[f"{p}_cpu"] for p in phases)

    timed = both(*what.split("+"))
    verdict = "meets" if min(timed) < target else "misses"
    lines = [
        f"  evaluate                     {r['evaluate_wall'] * unit:{fmt}} wall {r['evaluate_cpu'] * unit:{fmt}} CPU",
        f"  what-if re-evaluation        {r['reevaluate_wall'] * unit:{fmt}} wall {r['reevaluate_cpu'] * unit:{fmt}} CPU",
        f"  compare() ({r['changes']} changes)".ljust(31)
        + f"{r['compare_wall'] * unit:{fmt}} wall {r['compare_cpu'] * unit:{fmt}} CPU",
        f"  evaluate, every table read   {r['read_wall'] * unit:{fmt}} wall {r['read_cpu'] * unit:{fmt}} CPU",
        f"  all three (evaluate + what-if + compare) {sum(both('evaluate', 'reevaluate', 'compare')[:1]) * unit:{fmt}} wall"
        f" {both('evaluate', 'reevaluate', 'compare')[1] * unit:{fmt}} CPU",
        f"  {what.replace('+', ' + '):28} {timed[0] * unit:{fmt}} wall {timed[1] * unit:{fmt}} CPU"
        f"   (target < {target * unit:g}: {verdict})",
    ]
    return "\n".join(lines)


def sample(args, data: Datasets) -> str:
    from scoring.sample import SAMPLE_LATEST_YEAR, sample_path

    r = _whatif_seconds(sample_path(), SAMPLE_LATEST_YEAR, max(args.runs, 7))
    lines = _whatif_lines(r, 1000, "6.1f", 0.020, "evaluate+reevaluate")
    return f"sample (embedded, {SAMPLE_LATEST_YEAR}; ms)\n" + lines


def national_whatif(args, data: Datasets) -> str:
    folder = data.get(NATIONAL, "parquet")
    r = _whatif_seconds(folder, LAST_YEAR, args.runs)
    return "national what-if (s)\n" + _whatif_lines(r, 1, "6.3f", 0.3, "reevaluate+compare")


def scales(args, data: Datasets) -> str:
    lines = ["scales (load_records, evaluate, what-if; each scale in its own process)"]
    for name in ("sample", "province", "national"):
        spec = SCALES[name]
        folder = "" if spec is None else str(data.get(spec, "parquet"))
        out = subprocess.run(
            [PY, __file__, "--child-scale", name, "--data", folder, "--runs", str(args.runs)],
            capture_output=True,
            text=True,
            env=child_env(),
        )
        if out.returncode:
            lines.append(f"  {name}: failed\n{out.stderr[-2000:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        lines.append(
            f"  {name:9} load {r['load_s'] * 1000:8.1f} ms  evaluate {r['evaluate_s'] * 1000:7.1f} ms "
            f"(evaluate/load {r['evaluate_s'] / r['load_s']:.2f})  what-if + compare {r['whatif_s'] * 1000:7.1f} ms  "
            f"peak {r['peak_mib']:.0f} MiB"
        )
    return "\n".join(lines)


def _child_scale(name: str, folder: str, runs: int) -> dict:

    import scoring
    from scoring.sample import SAMPLE_LATEST_YEAR, sample_path
    from scoring.scenario import compare

    path = sample_path() if not folder else Path(folder)
    crit = scoring.load_criteria()
    load, recs = median_time(lambda: scoring.load_records(path, crit), runs)
    year = SAMPLE_LATEST_YEAR if not folder else LAST_YEAR
    ev_s, base = median_time(lambda: scoring.evaluate(recs, year, crit), runs)
    alt = crit.with_overrides({"unit_late_threshold_percent": 12})
    wi_s, _ = median_time(lambda: compare(base, scoring.evaluate(recs, year, alt)), runs)
    from ledger_bench import peak_mib

    peak = peak_mib()
    return {"scale": name, "load_s": load, "evaluate_s": ev_s, "whatif_s": wi_s, "peak_mib": peak}


def csv_writer(args, data: Datasets) -> str:
    """The CSV formatting of the national output tables alone (the one-pass writer)."""
    import scoring
    from scoring.export import _csv_bytes

    crit = scoring.load_criteria()
    tables = scoring.evaluate(
        scoring.load_records(data.get(NATIONAL, "parquet"), crit), LAST_YEAR, crit
    ).tables()
    wall, out = median_time(lambda: [_csv_bytes(df) for df in tables.values()], args.runs)
    size = sum(len(b) for b in out) / 2**20
    return f"CSV writer (national output tables, {size:.0f} MiB)\n  {wall:.2f} s wall, {CPU_SECONDS[-1]:.2f} s CPU"


def kills(args, data: Datasets) -> str:
    import kill_loop

    lines = [f"kill loop ({args.kills} SIGKILLs per way of publishing, {args.writers} writer(s) at once)"]
    exports = kill_loop.sample_exports()
    for mode in kill_loop.MODES:
        t = time.perf_counter()
        seen = kill_loop.run(args.kills, mode, args.writers, exports=exports)
        states = ", ".join(f"{k}: {v}" for k, v in sorted(seen.items()))
        lines.append(
            f"  {mode:12} all old or new ({time.perf_counter() - t:.0f} s); right after a kill: {states}"
        )
    return "\n".join(lines)


# Separate processes first: a child's ru_maxrss starts from its parent's at the fork, so the
# parent stays small until the sections that load data in process (sample, national-whatif, csv).
def index(args, data: Datasets) -> str:
    """The reform index (scoring/index): bench/index_bench.py, each scale in its own process."""
    out = subprocess.run(
        [PY, str(ROOT / "bench" / "index_bench.py"), "--runs", str(args.runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return out.stdout.rstrip() if out.returncode == 0 else f"index: failed\n{out.stderr[-2000:]}"


def ledger(args, data: Datasets) -> str:
    """The dossier ledger to counts (bench/ledger_bench.py: each scale generated, measured, deleted)."""
    import ledger_bench

    return ledger_bench.report(args.ledger_scales, runs=args.runs)


SECTIONS = {
    "province": province,
    "national": national,
    "scales": scales,
    "ledger": ledger,
    "sample": sample,
    "national-whatif": national_whatif,
    "csv": csv_writer,
    "kills": kills,
    "index": index,
}
DEFAULT_SECTIONS = [s for s in SECTIONS if s != "kills"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sections", nargs="+", default=DEFAULT_SECTIONS, choices=list(SECTIONS))
    p.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    p.add_argument("--kills", type=int, default=100, help="kills per way of publishing (section kills)")
    p.add_argument("--writers", type=int, default=1, help="writers at once in the kill loop")
    p.add_argument(
        "--ledger-scales", nargs="+", default=None, help="dossier-ledger scales (bench/ledger_bench.py)"
    )
    p.add_argument("--child-scale", help=argparse.SUPPRESS)
    p.add_argument("--data", default="", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child_scale:
        print(json.dumps(_child_scale(args.child_scale, args.data, args.runs)))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f}; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as tmp:
        data = Datasets(Path(tmp))
        for name in args.sections:
            print()
            print(SECTIONS[name](args, data), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
