"""Benchmark of the reform index (scoring/index): index, margins, odds — at the sample's and at
national scale (issue 11 §5). Not a test. `bench/benchmark.py --sections index` runs it.

    .venv/bin/python bench/index_bench.py                       # both scales
    .venv/bin/python bench/index_bench.py --scales index-sample --runs 5

Each scale runs in its own process (its peak memory is its own). Steps are timed by wall clock
and by the process's CPU time: on a shared machine the wall clock swells with the load. One plain
`evaluate` of the year is printed as the yardstick. The national set is scored under a SYNTHETIC
8-field, 80-item structure, written into a temporary criteria/index folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


# -- the reform index (scoring/index): index, margins, odds ------------------------------------
INDEX_SCALES = {
    "index-sample": None,  # the embedded sample, its 2020 points, 10,000 draws
    "index-national": {"units": 10_000, "officials": 1_000_000, "years": 10, "draws": 1_000},
}
INDEX_TARGETS = (
    "targets (issue 11): sample index + margins + 10,000 draws < 300 ms; national (10,000 units, "
    "8 fields, 80 items, 1,000 draws) < 15 s and < 2 GB; what the index producer adds to a load: "
    "< 40 ms CPU on the sample, <= ~15% at national scale"
)


def _median_wall_cpu(fn, runs: int) -> tuple[float, float, object]:
    """Median wall and CPU (this process) seconds: on a shared machine the CPU time is what the
    work costs, the wall time what waiting on other processes adds to it."""
    walls, cpus, out = [], [], None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def _without_points(folder: Path, into: Path) -> Path:
    """A folder holding the same data but the criterion points (links, nothing copied)."""
    into.mkdir()
    for f in folder.iterdir():
        if not f.name.startswith(("criterion_scores", "survey_results")):
            (into / f.name).symlink_to(f.resolve())
    return into


def _loads(folder: Path, bare: Path, crit, runs: int) -> tuple[tuple, tuple, object]:
    """Median (wall, CPU) of `load_records` with and without the points, runs alternating (a
    shared machine's load then weighs on both alike), and the records with points."""
    import scoring

    times: dict[Path, list] = {folder: [], bare: []}
    recs = None
    for _ in range(runs):
        for f in times:
            t, c = time.perf_counter(), time.process_time()
            got = scoring.load_records(f, crit)
            times[f].append((time.perf_counter() - t, time.process_time() - c))
            recs = got if f == folder else recs
    med = {f: tuple(statistics.median(x[i] for x in v) for i in (0, 1)) for f, v in times.items()}
    return med[folder], med[bare], recs


def run_index_scale(name: str, runs: int) -> dict:
    """Index, margins (one evaluation per band) and odds; the national set under a synthetic
    80-item structure placed in a temporary criteria/index folder."""
    import shutil

    import scoring
    from scoring.index import compute, structure
    from scoring.index.margins import consequences, margins
    from scoring.index.odds import odds
    from scoring.sample import SAMPLE_LATEST_YEAR, sample_path

    spec = INDEX_SCALES[name]
    with tempfile.TemporaryDirectory() as tmp:
        gen_s = 0.0
        if spec is None:
            folder, year, draws = sample_path(), SAMPLE_LATEST_YEAR, 10_000
            size = "embedded sample (44 units, illustrative 70 + 30 framework, 43 items)"
        else:
            from scoring.index.synth import points_for, synthetic_structure, synthetic_structure_text
            from scoring.synth import generate, write

            t = time.perf_counter()
            index_dir = Path(tmp) / "index"
            index_dir.mkdir()
            (index_dir / "tong-hop.yaml").write_text(synthetic_structure_text(), encoding="utf-8")
            shutil.copy(structure.INDEX_DIR / structure.PARAMETERS_FILE, index_dir)
            structure.INDEX_DIR = index_dir  # the benchmark's structure, found as a province's would be
            tables = generate(spec["units"], spec["officials"], spec["years"], seed=1)
            tables.update(points_for(tables, 1, synthetic_structure()))
            folder = Path(tmp) / "data"
            write(tables, folder, "parquet")
            gen_s = time.perf_counter() - t
            year, draws = int(tables["reform_results"]["year"].max()), spec["draws"]
            size = f"{spec['units']:,} units, {spec['officials']:,} officials; 8 fields, 80 items, {draws:,} draws"
            del tables
        crit = scoring.load_criteria()
        scoring.load_records(folder, crit)  # warm: imports, parsed criteria
        load, bare, recs = _loads(folder, _without_points(folder, Path(tmp) / "bare"), crit, runs)
        ev = _median_wall_cpu(lambda: scoring.evaluate(recs, year, crit), runs)  # the yardstick
        ix = _median_wall_cpu(lambda: compute(recs, year, crit), runs)
        mg = _median_wall_cpu(lambda: consequences(recs, year, crit), runs)
        mt = _median_wall_cpu(lambda: margins(mg[2], crit), runs)
        od = _median_wall_cpu(lambda: odds(mg[2], ix[2], crit, draws=draws, seed=0), runs)
        kinds = od[2].table["model"].value_counts().to_dict()
        yi = ix[2]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "scale": name,
        "size": size,
        "year": year,
        "units": len(yi.table),
        "generate_s": gen_s,
        **{
            f"{k}_s": v[:2]
            for k, v in (
                ("load", load),
                ("load_bare", bare),
                ("evaluate", ev),
                ("index", ix),
                ("consequences", mg),
                ("margins", mt),
                ("odds", od),
            )
        },
        "evaluations": mg[2].evaluations + 1,
        "total_s": [sum(v[i] for v in (ix, mg, mt, od)) for i in (0, 1)],
        "models": kinds,
        "peak_mib": peak,
    }


def _print_index(r: dict) -> None:
    def t(key: str) -> str:
        wall, cpu = r[key]
        return f"{wall * 1000:10.1f} ms wall {cpu * 1000:10.1f} ms CPU"

    added = r["load_s"][1] - r["load_bare_s"][1]

    print(
        f"\n{r['scale']}: {r['size']}; year {r['year']} ({r['units']:,} units with points)\n"
        + (f"  generate + write parquet {r['generate_s']:.2f} s\n" if r["generate_s"] else "")
        + f"  load_records       {t('load_s')}   (points validated, scores reconciled)\n"
        f"    without points   {t('load_bare_s')}   (the same data without the two points tables)\n"
        f"    the producer adds {added * 1000:8.1f} ms CPU ({100 * added / r['load_bare_s'][1]:.0f}% of the load without points)\n"
        f"  index              {t('index_s')}\n"
        f"  consequences       {t('consequences_s')}   ({r['evaluations']} evaluations: the year's, one per band needed)\n"
        f"  margins            {t('margins_s')}\n"
        f"  odds               {t('odds_s')}   (draw models: {r['models']})\n"
        f"  index+margins+odds {t('total_s')}\n"
        f"  (yardstick: one evaluate of the year {t('evaluate_s')})\n"
        f"  peak memory       {r['peak_mib']:9.0f} MiB"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", nargs="+", default=list(INDEX_SCALES), choices=list(INDEX_SCALES))
    p.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(run_index_scale(args.child, args.runs)))
        return 0
    print(INDEX_TARGETS)
    for name in args.scales:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, "--runs", str(args.runs)],
            capture_output=True,
            text=True,
        )
        if out.returncode:
            print(f"{name}: failed\n{out.stderr}")
            return 1
        _print_index(json.loads(out.stdout.strip().splitlines()[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
