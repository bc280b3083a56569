"""Kill writers at random and check the output folder holds exactly the old or the new export.

    .venv/bin/python bench/kill_loop.py --kills 300            # each way of publishing
    .venv/bin/python bench/kill_loop.py --kills 50 --modes swap --writers 4

Two real exports of the embedded sample (2019 and 2020: their CSV files, workbook and
manifest) are written alternately into one folder by child processes, which are killed with
SIGKILL at a random instant. After every kill the folder must hold one of the two exports
byte for byte (and the user's own file, untouched); in the ways that need it, the next run's
`recover()` must first bring it there. Several writers at once (`--writers`) must never mix
years. tests/test_atomic.py runs it with a modest count; this script can run many more.

The children load scoring/atomic.py alone (standard library and filelock, no pandas), so a
child starts in tens of milliseconds and the kills land all over the writing.
"""

from __future__ import annotations

import argparse
import pickle
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ATOMIC = ROOT / "scoring" / "atomic.py"
USER_FILE = ("ghi-chu-cua-toi.txt", "Ghi chú của người dùng: không được mất.".encode())
MODES = ("swap", "two-renames", "in-place")

CHILD = r"""
import importlib.util, pickle, sys
spec = importlib.util.spec_from_file_location("scoring_atomic", sys.argv[1])
atomic = importlib.util.module_from_spec(spec)
sys.modules["scoring_atomic"] = atomic
spec.loader.exec_module(atomic)
out, mode, exports = sys.argv[2], sys.argv[3], pickle.load(open(sys.argv[4], "rb"))
if mode == "two-renames":
    atomic._exchange = lambda a, b: False
if mode == "naive":  # each file written in place: what the kill loop must catch
    def publish(out, files, **kwargs):
        for name, body in files.items():
            with open(f"{out}/{name}", "wb") as f:
                f.write(body)
                f.flush()
                atomic.os.fsync(f.fileno())
    atomic.publish = publish
import filelock  # imported by the first publish: before "ready", so the kills land in writing
print("ready", flush=True)
i = int(sys.argv[5])
while True:
    atomic.publish(out, exports[i % len(exports)], lock_timeout=600)
    i += 1
"""


def sample_exports() -> list[dict[str, bytes]]:
    """Two real exports of the sample (years 2019, 2020), as file name -> bytes."""
    sys.path.insert(0, str(ROOT))
    import scoring
    from scoring.export import write_outputs

    crit = scoring.load_criteria()
    recs = scoring.load_records(None, crit)
    exports = []
    with tempfile.TemporaryDirectory() as tmp:
        for year in (2019, 2020):
            folder = Path(tmp) / str(year)
            write_outputs(scoring.evaluate(recs, year, crit), folder)
            exports.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    return exports


def load_atomic():
    import importlib.util

    spec = importlib.util.spec_from_file_location("scoring_atomic_parent", ATOMIC)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scoring_atomic_parent"] = module
    spec.loader.exec_module(module)
    return module


def prepare(folder: Path, mode: str, first: dict[str, bytes], atomic) -> Path:
    """The output folder as a user has it: the old export, a file of theirs (a subfolder for in-place)."""
    out = folder / "ket-qua"
    out.mkdir(parents=True)
    (out / USER_FILE[0]).write_bytes(USER_FILE[1])
    if mode == "in-place":
        (out / "tai-lieu").mkdir()  # a subfolder of the user's: the folder is updated in place
        (out / "tai-lieu" / "a.txt").write_text("a", encoding="utf-8")
    atomic.publish(out, first)
    return out


def state(out: Path, exports: list[dict[str, bytes]], mode: str) -> str:
    """Which export the folder holds ('0', '1'), or what is wrong with it."""
    if not out.is_dir():
        return "missing"
    seen = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    if seen.pop(USER_FILE[0], None) != USER_FILE[1]:
        return "user file lost"
    if mode == "in-place" and (out / "tai-lieu" / "a.txt").read_text(encoding="utf-8") != "a":
        return "user folder lost"
    for i, files in enumerate(exports):
        if seen == files:
            return str(i)
    if (out / ".scoring-journal.json").exists():
        return "journal"
    return "mixed: " + ", ".join(sorted(seen))


def publish_time(atomic, exports, folder: Path) -> float:
    """How long one publish takes here (median of 5), so the kills spread over a few of them."""
    times = []
    for i in range(5):
        t = time.perf_counter()
        atomic.publish(folder / "calibration", exports[i % 2])
        times.append(time.perf_counter() - t)
    return sorted(times)[2]


def kill_once(out: Path, mode: str, pickled: Path, writers: int, rng: random.Random, window: float) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(ATOMIC), str(out), mode, str(pickled), str(rng.randrange(2))],
            stdout=subprocess.PIPE,
        )
        for _ in range(writers)
    ]
    for p in procs:
        p.stdout.readline()  # "ready": imports done, writing from now on
    for p in rng.sample(procs, len(procs)):
        time.sleep(rng.uniform(0.0, window))
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stdout.close()


def run(kills: int, mode: str, writers: int = 1, seed: int = 0, exports=None) -> dict[str, int]:
    """Kill `kills` times; returns how often each state was seen right after a kill.

    Raises AssertionError at the first folder that is not one of the two exports (after the
    next run's recovery, for the ways that need one).
    """
    exports = exports or sample_exports()
    atomic = load_atomic()
    if mode == "two-renames":
        atomic._exchange = lambda a, b: False
    rng = random.Random(seed)
    seen: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pickled = Path(tmp) / "exports.pickle"
        pickled.write_bytes(pickle.dumps(exports))
        window = 4 * publish_time(atomic, exports, Path(tmp))
        out = prepare(Path(tmp) / "work", mode, exports[0], atomic)
        for k in range(kills):
            kill_once(out, mode, pickled, writers, rng, window)
            now = state(out, exports, mode)
            seen[now] = seen.get(now, 0) + 1
            allowed = {"0", "1"} | ({"missing"} if mode == "two-renames" else set())
            allowed |= {"journal"} if mode == "in-place" else set()
            assert now in allowed, f"kill {k + 1} ({mode}): the folder is {now}"
            atomic.recover(out)  # what the next run does first, under the lock
            after = state(out, exports, mode)
            assert after in ("0", "1"), f"kill {k + 1} ({mode}): after recovery the folder is {after}"
            left = [p.name for p in out.parent.iterdir() if p.name != out.name and p.suffix != ".lock"]
            assert not left, f"kill {k + 1} ({mode}): left beside the folder: {left}"
            inside = [p.name for p in out.iterdir() if p.name.startswith(".scoring-") and p.suffix != ".lock"]
            assert not inside, f"kill {k + 1} ({mode}): left inside the folder: {inside}"
    return seen


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=100)
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    p.add_argument("--writers", type=int, default=1, help="writers at once, each killed")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    exports = sample_exports()
    for mode in args.modes:
        t = time.perf_counter()
        seen = run(args.kills, mode, args.writers, args.seed, exports)
        took = time.perf_counter() - t
        states = ", ".join(f"{k}: {v}" for k, v in sorted(seen.items()))
        print(
            f"{mode:12} {args.kills} kills × {args.writers} writer(s) in {took:.1f} s; right after a kill: {states}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
