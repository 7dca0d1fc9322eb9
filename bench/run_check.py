#!/usr/bin/env python3
"""Benchmark `notewarden check` on a generated vault and report it against its targets.

    python bench/run_check.py [--notes 10000] [--keep DIR] [--repeat 3]

Generates a vault with bench/generate_vault.py into a temporary folder (or reuses
`--keep DIR` if it exists, generating it there first if not), then measures, each
`--repeat` times:

* floor: `python bench/floor.py VAULT`, the least work any linter must do;
* cold:  `notewarden check VAULT --format json` with an empty cache folder (the bench
         points NOTEWARDEN_CACHE_DIR at a scratch folder of its own);
* warm:  the same again with the cache in place and nothing changed;
* edit:  the same after one note's body was edited (a line with a link added, a
         different one each round; the note is put back at the end);

and finally one more cold run for peak memory. It prints a Markdown table with the best
and median wall times, the ratio to the floor's best time and whether each target holds:

* cold <= 1.5 x floor   (best cold / best floor)
* warm <= 0.5 s         (best warm)
* edit <= 1.0 s         (best run after one edit)
* peak memory <= 400 MB (MiB, whole process tree: see measure_memory)

For a vault of 50,000 notes or more the 100,000-note targets apply instead: cold <= 2 x
floor, warm <= 2.5 s, peak memory <= 1 GB (1,024 MiB).

notewarden's exit code 0 (clean) or 1 (findings) both count as success; any other exit
code, or a timeout, is a crash: its stderr is printed and this script exits 1. Otherwise
it exits 0 whether the targets hold or not: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
GENERATOR = BENCH_DIR / "generate_vault.py"
FLOOR = BENCH_DIR / "floor.py"
LEGACY_CACHE_DIR_NAME = ".notewarden-cache"  # where notewarden before 0.2 kept its cache
GNU_TIME = Path("/usr/bin/time")

NOTEWARDEN_OK_CODES = (0, 1)  # 1 = findings reported, which a generated vault has


@dataclass(frozen=True)
class Targets:
    cold_to_floor: float
    warm_seconds: float
    edit_seconds: float
    memory_mib: int


TARGETS = Targets(cold_to_floor=1.5, warm_seconds=0.5, edit_seconds=1.0, memory_mib=400)
BIG_VAULT_NOTES = 50_000  # from here on, the 100,000-note targets
BIG_TARGETS = Targets(cold_to_floor=2.0, warm_seconds=2.5, edit_seconds=1.0, memory_mib=1024)
SAMPLE_INTERVAL = 0.02  # seconds between /proc samples while measuring memory

# Fallback when /usr/bin/time is missing: run the command, then write the largest
# ru_maxrss among this wrapper's waited-for children (KiB on Linux) to argv[1].
RUSAGE_WRAPPER = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[2:]).returncode; "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


# --------------------------------------------------------------------------- running


@dataclass
class Measurement:
    """Wall times of repeated runs of one command; `failure` is set if a run failed.

    ok_codes are the exit codes that count as success; before_each, if set, is called
    (untimed) before every run."""

    name: str
    command: list[str]
    ok_codes: tuple[int, ...] = (0,)
    before_each: Callable[[], None] | None = None
    seconds: list[float] = field(default_factory=list)
    failure: str | None = None

    @property
    def best(self) -> float | None:
        return min(self.seconds) if self.seconds else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None


def run_once(command: list[str], ok_codes: tuple[int, ...], timeout: float
             ) -> tuple[float, str | None]:
    """Run command with stdout to /dev/null; return (wall seconds, failure message or None)."""
    start = time.perf_counter()
    try:
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, f"timed out after {timeout:g} s"
    except OSError as exc:
        return 0.0, f"could not start: {exc}"
    elapsed = time.perf_counter() - start
    if result.returncode not in ok_codes:
        stderr = result.stderr.decode("utf-8", "replace").strip()
        tail = "\n".join(stderr.splitlines()[-20:])
        return elapsed, f"exit code {result.returncode}\n{tail}"
    return elapsed, None


def measure_in_rounds(items: list[Measurement], repeat: int, timeout: float) -> None:
    """Run every item once per round, in order, for `repeat` rounds, filling in its times.

    Interleaving (floor, cold, warm, floor, cold, warm, ...) rather than running all the
    floors first means a machine that speeds up or slows down during the benchmark (a
    shared VM, thermal throttling) skews every measurement alike, not just one of them.
    The first failure ends the whole measurement (the warm run needs the cold run's
    cache, and a crash is what the report must show).
    """
    for _ in range(repeat):
        for item in items:
            if item.before_each is not None:
                item.before_each()
            seconds, failure = run_once(item.command, item.ok_codes, timeout)
            if failure is not None:
                item.failure = failure
                return
            item.seconds.append(seconds)


def remove_cache(vault: Path) -> None:
    """Empty the cache: the bench's cache folder (NOTEWARDEN_CACHE_DIR), and the folder
    older versions kept in the vault, so a build from before 0.2 can be measured too."""
    for cache in (Path(os.environ["NOTEWARDEN_CACHE_DIR"]), vault / LEGACY_CACHE_DIR_NAME):
        if cache.is_dir() and not cache.is_symlink():
            shutil.rmtree(cache)
        elif cache.exists() or cache.is_symlink():
            cache.unlink()


# --------------------------------------------------------------------------- memory


@dataclass
class MemoryReport:
    """Peak memory of one cold run, in KiB; None where it could not be measured.

    * max_single_kib: the largest peak RSS of any ONE process in the tree, exact.
      It comes from /usr/bin/time -v (or ru_maxrss of RUSAGE_CHILDREN in the fallback
      wrapper). On Linux a reaped child's peak is folded into its parent's as a MAX, not
      a sum, so with a process pool this is max(main, each worker), never their total.
    * main_kib / worker_kib: VmHWM (the kernel's peak-RSS mark) of the main notewarden
      process and the largest of its descendants (pool workers), read from /proc every
      SAMPLE_INTERVAL s; growth in the last few ms before a process exits can be missed.
    * tree_kib: the largest total over the whole tree at one sampling instant, summing
      each process's PSS (shared pages split between the processes sharing them, so
      pages a forked worker still shares with the main process count once), or RSS
      where PSS is unavailable (then an upper bound). This is what the machine must
      provide, and what the 400 MB target is checked against.
    """

    method: str
    max_single_kib: int | None = None
    main_kib: int | None = None
    worker_kib: int | None = None
    tree_kib: int | None = None
    tree_metric: str = "PSS"
    failure: str | None = None


def read_proc_kib(path: str, key: str) -> int | None:
    """The `key:  123 kB` value from a /proc status-like file, or None."""
    try:
        with open(path, encoding="ascii", errors="replace") as file:
            for line in file:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def parent_pids() -> dict[int, int]:
    """{pid: parent pid} for every process visible in /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as file:
                stat = file.read()
            # The command name (field 2) may hold spaces; fields after ")" are safe.
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return parents


def descendants(root: int, parents: dict[int, int]) -> list[int]:
    """All processes below root, nearest first."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, queue = [], [root]
    while queue:
        pid = queue.pop(0)
        for child in sorted(children.get(pid, [])):
            found.append(child)
            queue.append(child)
    return found


def process_memory_kib(pid: int) -> tuple[int | None, str]:
    """(memory in KiB, "PSS" or "RSS"): PSS of pid, RSS if smaps_rollup is unreadable."""
    pss = read_proc_kib(f"/proc/{pid}/smaps_rollup", "Pss")
    if pss is not None:
        return pss, "PSS"
    return read_proc_kib(f"/proc/{pid}/status", "VmRSS"), "RSS"


def measure_memory(command: list[str], ok_codes: tuple[int, ...], timeout: float
                   ) -> MemoryReport:
    """Run command once under /usr/bin/time -v (or the rusage wrapper), sampling the
    process tree in /proc while it runs. See MemoryReport for what each figure means."""
    with tempfile.TemporaryDirectory(prefix="notewarden-bench-mem-") as scratch:
        out_file = Path(scratch) / "maxrss"
        if GNU_TIME.exists():
            report = MemoryReport("/usr/bin/time -v")
            wrapped = [str(GNU_TIME), "-v", "-o", str(out_file), *command]
        else:
            report = MemoryReport("resource.getrusage(RUSAGE_CHILDREN) wrapper")
            wrapped = [sys.executable, "-c", RUSAGE_WRAPPER, str(out_file), *command]
        process = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sample_tree(process, report, timeout)
        _, stderr = process.communicate()
        if process.returncode not in ok_codes:
            tail = "\n".join(stderr.decode("utf-8", "replace").strip().splitlines()[-20:])
            report.failure = f"exit code {process.returncode}\n{tail}"
        report.max_single_kib = read_max_rss(out_file)
    return report


def sample_tree(process: subprocess.Popen, report: MemoryReport, timeout: float) -> None:
    """Poll /proc until process exits, recording peaks in report. The wrapper (time or
    python) is process.pid; its child is the main notewarden process."""
    if not os.path.isdir("/proc"):
        process.wait(timeout)
        return
    deadline = time.monotonic() + timeout
    main_pid = None
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            report.failure = f"timed out after {timeout:g} s"
            return
        tree = descendants(process.pid, parent_pids())
        if tree and main_pid is None:
            main_pid = tree[0]
        total = 0
        for pid in tree:
            memory, metric = process_memory_kib(pid)
            if memory is None:
                continue
            if metric != "PSS":
                report.tree_metric = metric
            total += memory
            peak = read_proc_kib(f"/proc/{pid}/status", "VmHWM") or 0
            if pid == main_pid:
                report.main_kib = max(report.main_kib or 0, peak)
            else:
                report.worker_kib = max(report.worker_kib or 0, peak)
        if tree:
            report.tree_kib = max(report.tree_kib or 0, total)
        time.sleep(SAMPLE_INTERVAL)


def read_max_rss(path: Path) -> int | None:
    """Max RSS in KiB from a `/usr/bin/time -v -o` report or the wrapper's number."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1])
    return int(text) if text.strip().isdigit() else None


# --------------------------------------------------------------------------- setup


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000,
                        help="notes in the generated vault (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="vault folder to reuse if it exists, else to generate and keep")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per timing measurement (default 3)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds before one run counts as hung (default 900)")
    parser.add_argument("--floor", type=Path, default=FLOOR, metavar="SCRIPT",
                        help="the floor script (default bench/floor.py; the second vault "
                             "generator's is ../shared/bench/floor.py)")
    # Hidden: the command standing in for notewarden, e.g. "python bench/floor.py" to
    # test this harness before notewarden exists. A leading "python" means this
    # interpreter (sys.executable).
    parser.add_argument("--notewarden", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def notewarden_command(option: str | None) -> list[str]:
    """The command prefix for notewarden: the console script next to this interpreter,
    or the hidden --notewarden option split like a shell would."""
    if option is None:
        return [str(Path(sys.executable).parent / "notewarden")]
    command = shlex.split(option)
    if command and command[0] in ("python", "python3"):
        command[0] = sys.executable
    return command


def prepare_vault(args: argparse.Namespace, scratch: Path) -> Path:
    """Return the vault to measure: --keep DIR as is if it holds anything, else a fresh
    one (in DIR, or in scratch without --keep)."""
    if args.keep is not None and args.keep.is_dir() and any(args.keep.iterdir()):
        print(f"reusing vault {args.keep} (not regenerated; --notes/--seed ignored)")
        return args.keep
    vault = args.keep if args.keep is not None else scratch / "vault"
    command = [sys.executable, str(GENERATOR), str(vault),
               "--notes", str(args.notes), "--seed", str(args.seed)]
    print("generating:", shlex.join(command))
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"run_check: the vault generator failed (exit code {result.returncode})")
    print(result.stdout.strip())
    return vault


def byte_compile_notewarden(notewarden: list[str]) -> None:
    """Write the measured notewarden's bytecode first, as `pip install .` (the README's
    Quick start) does when it installs. An editable install run with
    PYTHONDONTWRITEBYTECODE=1, which the shared bench machines set, would otherwise compile
    every module from source in every run (about 0.1 s a process, and again in each parse
    worker for the modules it imports itself), which no installed copy pays."""
    if notewarden != notewarden_command(None):
        return  # a stand-in command (see --notewarden)
    where = "import notewarden, os; print(os.path.dirname(notewarden.__file__))"
    found = subprocess.run([sys.executable, "-c", where], stdout=subprocess.PIPE, text=True)
    if found.returncode != 0:
        return
    folder = found.stdout.strip()
    compiled = subprocess.run([sys.executable, "-m", "compileall", "-q", folder])
    if compiled.returncode == 0:
        print(f"byte-compiled {folder}, as an install does")


def warm_up(vault: Path) -> None:
    """One untimed floor run, so every measured run starts with the vault in the page
    cache; prints the floor's counts as a description of the vault."""
    result = subprocess.run([sys.executable, str(FLOOR), str(vault)],
                            stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit("run_check: bench/floor.py failed on the vault")
    print("vault (floor.py):", result.stdout.strip())


# --------------------------------------------------------------------------- report


def seconds_cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} s"


def mib_cell(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.0f} MB"


def verdict(holds: bool | None) -> str:
    return {True: "yes", False: "**NO**", None: "-"}[holds]


def time_row(item: Measurement, floor_best: float | None, target: str,
             holds: bool | None) -> str:
    """One Markdown table row for a timing measurement."""
    if item.failure is not None:
        return f"| {item.name} | FAILED | FAILED | - | {target} | **NO** |"
    if not item.seconds:
        return f"| {item.name} | not run | not run | - | {target} | - |"
    ratio = "-"
    if item.best is not None and floor_best:
        ratio = f"{item.best / floor_best:.2f}x"
    return (f"| {item.name} | {seconds_cell(item.best)} | {seconds_cell(item.median)} "
            f"| {ratio} | {target} | {verdict(holds)} |")


def memory_rows(memory: MemoryReport, targets: Targets) -> list[str]:
    """Table rows for the memory run (a single run, so the value sits in 'best')."""
    if memory.failure is not None:
        return [f"| peak memory, cold | FAILED | - | - | <= {targets.memory_mib} MB | **NO** |"]
    tree_holds = None if memory.tree_kib is None else memory.tree_kib / 1024 <= targets.memory_mib
    return [
        f"| peak memory, whole tree ({memory.tree_metric} sum, sampled) "
        f"| {mib_cell(memory.tree_kib)} | - | - | <= {targets.memory_mib} MB "
        f"| {verdict(tree_holds)} |",
        f"| peak RSS, main process (sampled) | {mib_cell(memory.main_kib)} | - | - | - | - |",
        f"| peak RSS, largest child (sampled) | {mib_cell(memory.worker_kib)} | - | - | - | - |",
        f"| max RSS of any one process ({memory.method}) "
        f"| {mib_cell(memory.max_single_kib)} | - | - | - | - |",
    ]


class EditOneNote:
    """Before each run, edit one note's body: append a line with a link, a different one
    each time. `restore` puts the note back as it was."""

    def __init__(self, vault: Path) -> None:
        self.note = min(vault.rglob("*.md"), key=lambda path: str(path))
        self.original = self.note.read_bytes()
        self.round = 0

    def __call__(self) -> None:
        self.round += 1
        line = f"\nEdited in round {self.round}: see [[{self.note.stem}]].\n"
        self.note.write_bytes(self.original + line.encode("utf-8"))

    def restore(self) -> None:
        self.note.write_bytes(self.original)


def print_report(floor: Measurement, cold: Measurement, warm: Measurement,
                 edit: Measurement, memory: MemoryReport | None, targets: Targets) -> None:
    """The Markdown table, then any failure details."""
    cold_holds = None
    if cold.best is not None and floor.best:
        cold_holds = cold.best / floor.best <= targets.cold_to_floor
    warm_holds = None if warm.best is None else warm.best <= targets.warm_seconds
    print()
    print("| measurement | best | median | ratio to floor | target | holds |")
    print("|---|---|---|---|---|---|")
    print(time_row(floor, floor.best, "-", None))
    print(time_row(cold, floor.best, f"<= {targets.cold_to_floor}x floor", cold_holds))
    print(time_row(warm, floor.best, f"<= {targets.warm_seconds} s", warm_holds))
    edit_holds = None if edit.best is None else edit.best <= targets.edit_seconds
    print(time_row(edit, floor.best, f"<= {targets.edit_seconds} s", edit_holds))
    if memory is not None:
        for row in memory_rows(memory, targets):
            print(row)
    print()
    print(f"Times: wall seconds, best and median of {len(floor.seconds) or '-'} run(s); "
          "targets are checked on the best run. MB = MiB.")
    for name, failure in ((floor.name, floor.failure), (cold.name, cold.failure),
                          (warm.name, warm.failure), (edit.name, edit.failure),
                          ("memory", memory.failure if memory else None)):
        if failure is not None:
            print(f"\n{name} FAILED: {failure}")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    notewarden = notewarden_command(args.notewarden)
    if not shutil.which(notewarden[0]):
        print(f"run_check: notewarden not found at {notewarden[0]} "
              "(install it into this environment: pip install -e .)", file=sys.stderr)
        return 1
    print("command:", shlex.join([sys.executable, *sys.argv]))
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"os.cpu_count(): {os.cpu_count()} (usable by this process: {affinity})")
    print(f"python: {sys.version.split()[0]} ({sys.executable})")

    with tempfile.TemporaryDirectory(prefix="notewarden-bench-") as scratch:
        vault = prepare_vault(args, Path(scratch))
        os.environ["NOTEWARDEN_CACHE_DIR"] = str(Path(scratch) / "cache")
        byte_compile_notewarden(notewarden)
        warm_up(vault)
        floor_cmd = [sys.executable, str(args.floor), str(vault)]
        check_cmd = [*notewarden, "check", str(vault), "--format", "json"]
        print("floor:", shlex.join(floor_cmd))
        print("check:", shlex.join(check_cmd))

        floor = Measurement("floor", floor_cmd)
        cold = Measurement("cold check", check_cmd, NOTEWARDEN_OK_CODES,
                           before_each=lambda: remove_cache(vault))
        warm = Measurement("warm check", check_cmd, NOTEWARDEN_OK_CODES)  # cold's cache
        edit_note = EditOneNote(vault)
        edit = Measurement("after one edit", check_cmd, NOTEWARDEN_OK_CODES,
                           before_each=edit_note)
        notes = sum(1 for _ in vault.rglob("*.md"))
        targets = BIG_TARGETS if notes >= BIG_VAULT_NOTES else TARGETS
        if targets is BIG_TARGETS:
            print(f"{notes:,} notes: the 100,000-note targets apply")
        try:
            measure_in_rounds([floor, cold, warm, edit], args.repeat, args.timeout)
        finally:
            edit_note.restore()
        memory = None
        if all(item.failure is None for item in (floor, cold, warm, edit)):
            remove_cache(vault)
            memory = measure_memory(check_cmd, NOTEWARDEN_OK_CODES, args.timeout)
        print_report(floor, cold, warm, edit, memory, targets)

    failed = any(item.failure is not None for item in (floor, cold, warm, edit))
    return 1 if failed or (memory is not None and memory.failure is not None) else 0


if __name__ == "__main__":
    sys.exit(main())
