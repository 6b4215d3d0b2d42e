"""CLI start-up: the wall time of ``newsarchive`` commands on a small archive, against a bare
``python -c pass`` measured in the same run.

The archive is the seed (``seeds/`` of the checkout, one article) indexed into a work folder
outside the repository (a temporary one unless ``--work-dir`` is given). Each round runs
every command once, in a new order each round, so that a change in the machine's load
falls on all of them alike:

* ``python -c pass`` with the same interpreter (the baseline: what any Python program pays);
* ``newsarchive --help``;
* ``newsarchive stats``, ``search WORD``, ``show ID``;
* ``newsarchive index FILE`` of the one seed file, unchanged (so nothing is parsed or written).

Every command runs as an installed program does, with its bytecode cached: the benchmark
lets Python write ``__pycache__`` (``PYTHONDONTWRITEBYTECODE`` is dropped for the commands;
the warm-up round writes it), since compiling the project's modules on every start would
be measured otherwise.

One table shows the median and the 95th percentile of the wall time in milliseconds, the
median as a multiple of the baseline's, the median less the baseline's (what the command
itself costs), the median CPU time (user and system: on a loaded machine the wall time
waits for a core, the CPU time much less) and whether the median wall time meets its goal
(0.15 s for ``--help``, 0.25 s for any command).

    .venv/bin/python bench/cli_startup.py --runs 30
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
WORD = "Koizumi"
#: a command's median wall time must stay within this (seconds)
GOALS = {"--help": 0.15}
DEFAULT_GOAL = 0.25


#: the commands' environment: bytecode is cached, as for an installed program
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def newsarchive() -> list[str]:
    """The console script beside this Python, else ``python cli.py`` (same code, same imports)."""
    script = Path(sys.executable).with_name("newsarchive")
    return [str(script)] if script.exists() else [sys.executable, str(ROOT / "cli.py")]


def build(data_dir: Path) -> tuple[Path, str]:
    """Index the seed into ``data_dir``; the seed file and the id of one of its articles."""
    cli = [*newsarchive(), "--data-dir", str(data_dir)]
    subprocess.run([*cli, "index", "-q", str(SEEDS)], check=True, env=ENV)
    found = subprocess.run(
        [*cli, "search", "--jsonl", WORD], check=True, capture_output=True, text=True, env=ENV
    )
    lines = found.stdout.splitlines()
    if not lines:
        raise SystemExit(f"cli_startup: the seed holds no article with {WORD!r}")
    seed = next(path for path in sorted(SEEDS.iterdir()) if path.is_file())
    return seed, json.loads(lines[0])["id"]


def commands(data_dir: Path, seed: Path, article_id: str) -> dict[str, list[str]]:
    """What is timed, by the name the table shows."""
    cli = [*newsarchive(), "--data-dir", str(data_dir)]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "--help": [*newsarchive(), "--help"],
        "stats": [*cli, "stats"],
        f"search {WORD}": [*cli, "search", WORD],
        "show ID": [*cli, "show", article_id],
        "index (unchanged file)": [*cli, "index", "-q", str(seed)],
    }


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU time of one run in seconds; a failing run stops the benchmark."""
    cpu = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"cli_startup: {' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}"
        )
    return elapsed, cpu_of_children() - cpu


Times = dict[str, list[tuple[float, float]]]


def measure(timed: dict[str, list[str]], runs: int, seed: int) -> Times:
    """``runs`` rounds, each running every command once in a shuffled order (one warm-up
    round first, not counted: it fills the file cache and writes the bytecode)."""
    shuffle = random.Random(seed).shuffle
    times: Times = {name: [] for name in timed}
    for _ in range(runs + 1):
        names = list(timed)
        shuffle(names)
        for name in names:
            times[name].append(run_once(timed[name]))
    return {name: values[1:] for name, values in times.items()}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def table(times: Times) -> str:
    """The summary table (milliseconds)."""
    base = statistics.median(wall for wall, _ in times["python -c pass"])
    rows = [
        "| command | median | p95 | x bare python | beyond bare python | CPU median | goal |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, pairs in times.items():
        values = [wall for wall, _ in pairs]
        cpu = statistics.median(cpu for _, cpu in pairs)
        median = statistics.median(values)
        if name == "python -c pass":
            verdict = "baseline"
        else:
            goal = GOALS.get(name, DEFAULT_GOAL)
            verdict = f"{'met' if median <= goal else 'MISSED'} (<= {goal * 1000:.0f} ms)"
        rows.append(
            f"| {name} | {median * 1000:.0f} ms | {p95(values) * 1000:.0f} ms "
            f"| {median / base:.1f}x | {(median - base) * 1000:+.0f} ms | {cpu * 1000:.0f} ms "
            f"| {verdict} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="cli_startup", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed rounds [default 20]")
    parser.add_argument("--work-dir", type=Path, help="where the archive is built [temporary]")
    parser.add_argument("--seed", type=int, default=1, help="for the order within rounds")
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="cli-startup-"))
    data_dir = work / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    try:
        seed, article_id = build(data_dir)
        times = measure(commands(data_dir, seed, article_id), args.runs, args.seed)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"CLI start-up, {args.runs} runs each, on the seed archive ({sys.executable}; "
        f"load average {load} on {os.cpu_count()} cores)"
    )
    print(table(times))


if __name__ == "__main__":
    main()
