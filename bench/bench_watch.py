#!/usr/bin/env python3
"""Benchmark `notewarden watch` on a generated vault: latency per save, and memory.

    python bench/bench_watch.py [--notes 10000] [--keep DIR] [--saves 50] [--edits 1000]

Generates a vault with bench/generate_vault.py into a temporary folder (or reuses
`--keep DIR` if it holds anything, generating it there first if not), starts
`notewarden watch VAULT --format json` as a subprocess and waits for its initial pass and
for its "watching" line (the observer is running). Then:

* latency: `--saves` saves of single notes (a line appended), `--interval` seconds apart
  so that each is its own pass. For each save it records
  - `elapsed_ms` of the pass that reports the note: the daemon's own time from starting
    to process the change to having its findings (the debounce is not in it), and
  - wall time from the write to reading that pass's JSON line, minus the debounce: what
    the daemon adds on top of the debounce (event delivery, the debounce loop's tick,
    the pass itself, writing the line).
  Reported as p50 / p95 / max. Target: p95 of elapsed_ms <= 100 ms.
* memory: the daemon's VmRSS (from /proc/PID/status) after the first save's pass, then
  after `--edits` more edits (batches of 10 notes, each batch waited for, so each is one
  pass), and their ratio. Target: within 10% (ratio <= 1.10).

Every note it edits is restored byte for byte (and the daemon stopped with SIGTERM)
before it exits, so a `--keep` vault stays as generated. It exits 0 whether the targets
hold or not: it is a report, not a test; it exits 1 if the daemon crashed or hung.
Linux only (inotify, /proc).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
GENERATOR = BENCH_DIR / "generate_vault.py"
DEFAULT_DEBOUNCE = 0.3  # notewarden watch's default
MAX_P95_ELAPSED_MS = 100.0
MAX_RSS_RATIO = 1.10
BATCH = 10  # notes per batch in the memory phase


class BenchError(Exception):
    """The daemon crashed, hung, or never reported a change."""


# --------------------------------------------------------------------------- the daemon


@dataclass
class Line:
    arrived: float  # time.perf_counter() when the line was read
    data: dict[str, Any]


@dataclass
class Daemon:
    """`notewarden watch --format json` in a subprocess; a thread reads its JSON lines."""

    command: list[str]
    process: subprocess.Popen[str] = field(init=False)
    lines: list[Line] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    cursor: int = 0

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        # Its own process group, so that stop() can also reach worker processes left
        # behind by a daemon stopped during its initial index.
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                        start_new_session=True)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for text in self.process.stdout:
            arrived = time.perf_counter()
            try:
                data = json.loads(text)
            except ValueError:
                data = {"event": "not-json", "text": text, "paths": [], "findings": []}
            with self._changed:
                self.lines.append(Line(arrived, data))
                self._changed.notify_all()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for text in self.process.stderr:
            with self._changed:
                self.stderr.append(text)
                self._changed.notify_all()

    def _fail(self, what: str) -> BenchError:
        tail = "".join(self.stderr[-20:])
        return BenchError(f"{what} (daemon exit code: {self.process.poll()})\n{tail}")

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float) -> Line:
        """The first line after the previous match for which predicate holds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for i in range(self.cursor, len(self.lines)):
                    if predicate(self.lines[i].data):
                        self.cursor = i + 1
                        return self.lines[i]
                if self.process.poll() is not None:
                    raise self._fail("the daemon exited")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._fail(f"no matching pass within {timeout:g} s")
                self._changed.wait(min(left, 0.2))

    def wait_watching(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any("watching" in text for text in self.stderr):
                if self.process.poll() is not None:
                    raise self._fail("the daemon exited")
                if time.monotonic() > deadline:
                    raise self._fail("the daemon never said 'watching'")
                self._changed.wait(0.2)

    def since(self, mark: int) -> list[Line]:
        with self._changed:
            return list(self.lines[mark:])

    def mark(self) -> int:
        with self._changed:
            self.cursor = len(self.lines)
            return self.cursor

    def rss_kib(self) -> int:
        return proc_status(self.process.pid, "VmRSS")

    def stop(self, timeout: float = 10) -> tuple[int | None, float]:
        """SIGTERM; returns (exit code or None if it had to be killed, seconds taken)."""
        started = time.perf_counter()
        code: int | None = self.process.poll()
        if code is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                code = None
        took = time.perf_counter() - started
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # only the daemon's own group
        return code, took


def proc_status(pid: int, key: str) -> int:
    """A `kB` field of /proc/PID/status, in KiB."""
    for text in Path(f"/proc/{pid}/status").read_text().splitlines():
        if text.startswith(key + ":"):
            return int(text.split()[1])
    raise BenchError(f"no {key} in /proc/{pid}/status")


# --------------------------------------------------------------------------- the vault


def prepare_vault(args: argparse.Namespace, scratch: Path) -> Path:
    """--keep DIR as is if it holds anything, else a freshly generated vault (in DIR, or
    in scratch without --keep)."""
    if args.keep is not None and args.keep.is_dir() and any(args.keep.iterdir()):
        print(f"reusing vault {args.keep} (not regenerated; --notes/--seed ignored)")
        return args.keep.resolve()
    vault = args.keep if args.keep is not None else scratch / "vault"
    command = [sys.executable, str(GENERATOR), str(vault),
               "--notes", str(args.notes), "--seed", str(args.seed)]
    print("generating:", shlex.join(command))
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"bench_watch: the vault generator failed (exit code {result.returncode})")
    print(result.stdout.strip())
    return vault.resolve()


def pick_notes(vault: Path, count: int) -> list[str]:
    """`count` notes spread evenly over the vault (sorted paths, so runs agree)."""
    notes = sorted(
        path.relative_to(vault).as_posix() for path in vault.rglob("*.md")
        if not any(part.startswith(".") for part in path.relative_to(vault).parts))
    if not notes:
        sys.exit(f"bench_watch: no notes in {vault}")
    step = max(len(notes) // count, 1)
    return [notes[(i * step) % len(notes)] for i in range(count)]


class Editor:
    """Appends lines to notes, remembering each note's original bytes to restore."""

    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.originals: dict[str, bytes] = {}
        self.count = 0

    def append(self, path: str) -> None:
        full = self.vault / path
        if path not in self.originals:
            self.originals[path] = full.read_bytes()
        self.count += 1
        with full.open("a", encoding="utf-8") as file:
            file.write(f"\nbench_watch edit {self.count}: one more line.\n")

    def restore(self) -> None:
        for path, data in self.originals.items():
            (self.vault / path).write_bytes(data)


# --------------------------------------------------------------------------- measuring


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """(p50, p95, max); p95 by linear interpolation between closest ranks."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[94], max(values)


def mentions(path: str) -> Callable[[dict[str, Any]], bool]:
    return lambda data: data.get("event") != "initial" and path in data.get("paths", ())


def measure_saves(daemon: Daemon, editor: Editor, notes: list[str], interval: float,
                  debounce: float, timeout: float
                  ) -> tuple[list[float], list[float], int, int]:
    """One save per note; returns (elapsed_ms list, wall-minus-debounce ms list, number of
    extra passes (beyond one per save), the daemon's VmRSS after the first save)."""
    rss_first = 0
    elapsed: list[float] = []
    wall: list[float] = []
    start = daemon.mark()
    for path in notes:
        written = time.perf_counter()
        editor.append(path)
        line = daemon.wait_for(mentions(path), timeout)
        elapsed.append(float(line.data["elapsed_ms"]))
        wall.append((line.arrived - written - debounce) * 1000)
        if not rss_first:
            rss_first = daemon.rss_kib()
        # Leave the rest of the interval quiet, so the next save is its own pass.
        time.sleep(max(interval - (time.perf_counter() - written), 0.0))
    time.sleep(max(interval, debounce + 0.2))
    extra = len(daemon.since(start)) - len(notes)
    return elapsed, wall, extra, rss_first


def do_edits(daemon: Daemon, editor: Editor, notes: list[str], edits: int, pause: float,
             timeout: float) -> tuple[int, float]:
    """`edits` appends, BATCH notes at a time; each batch is waited for. Returns (passes,
    seconds)."""
    started = time.perf_counter()
    start = daemon.mark()
    done = 0
    batch_no = 0
    while done < edits:
        size = min(BATCH, edits - done)
        batch = [notes[(batch_no * BATCH + i) % len(notes)] for i in range(size)]
        for path in batch:
            editor.append(path)
        last = batch[-1]
        daemon.wait_for(mentions(last), timeout)
        done += size
        batch_no += 1
        time.sleep(pause)
    return len(daemon.since(start)), time.perf_counter() - started


# --------------------------------------------------------------------------- report


def ms(value: float) -> str:
    return f"{value:.1f} ms"


def verdict(holds: bool) -> str:
    return "yes" if holds else "**NO**"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000,
                        help="notes in the generated vault (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="vault folder to reuse if it exists, else to generate and keep")
    parser.add_argument("--saves", type=int, default=50,
                        help="single-note saves timed for latency (default 50)")
    parser.add_argument("--interval", type=float, default=0.6,
                        help="seconds between saves (default 0.6)")
    parser.add_argument("--edits", type=int, default=1000,
                        help="edits between the two memory readings (default 1000)")
    parser.add_argument("--pause", type=float, default=0.05,
                        help="seconds of sleep between batches of edits (default 0.05)")
    parser.add_argument("--debounce", type=float, default=None,
                        help="pass --debounce to the daemon (default: its own, "
                        f"{DEFAULT_DEBOUNCE} s)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds to wait for the initial pass (default 600)")
    args = parser.parse_args(argv)
    if args.saves < 1 or args.edits < 0:
        parser.error("--saves must be at least 1 and --edits at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # The store goes to a scratch folder of the bench's own, not the user's cache folder.
    os.environ.setdefault("NOTEWARDEN_CACHE_DIR", tempfile.mkdtemp(prefix="notewarden-bench-"))
    notewarden = Path(sys.executable).parent / "notewarden"
    if not notewarden.exists():
        print(f"bench_watch: notewarden not found at {notewarden} "
              "(install it into this environment: pip install -e .)", file=sys.stderr)
        return 1
    if not Path("/proc/self/status").exists():
        print("bench_watch: needs Linux (/proc)", file=sys.stderr)
        return 1
    debounce = DEFAULT_DEBOUNCE if args.debounce is None else args.debounce
    print("command:", shlex.join([sys.executable, *sys.argv]))
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"os.cpu_count(): {os.cpu_count()} (usable by this process: {affinity})")
    print(f"python: {sys.version.split()[0]} ({sys.executable})")

    with tempfile.TemporaryDirectory(prefix="notewarden-bench-watch-") as scratch:
        vault = prepare_vault(args, Path(scratch))
        command = [str(notewarden), "watch", str(vault), "--format", "json"]
        if args.debounce is not None:
            command += ["--debounce", str(args.debounce)]
        print("daemon:", shlex.join(command))
        notes = pick_notes(vault, max(args.saves, 100))
        editor = Editor(vault)
        started = time.perf_counter()
        daemon = Daemon(command)
        try:
            initial = daemon.wait_for(lambda d: d.get("event") == "initial", args.timeout)
            daemon.wait_watching(60)
            ready = time.perf_counter() - started
            print(f"initial pass: {initial.arrived - started:.2f} s wall "
                  f"(elapsed_ms {initial.data['elapsed_ms']:.0f}), "
                  f"{len(initial.data['findings'])} findings; watching after {ready:.2f} s")

            elapsed, wall, extra, rss_first = measure_saves(
                daemon, editor, notes[: args.saves], args.interval, debounce, 30)
            rss_saves = daemon.rss_kib()
            print(f"saves: {len(elapsed)} notes, {args.interval:g} s apart, debounce "
                  f"{debounce:g} s; passes beyond one per save: {extra}")

            rss_after = rss_first
            edit_passes, edit_seconds = 0, 0.0
            if args.edits:
                edit_passes, edit_seconds = do_edits(daemon, editor, notes, args.edits,
                                                     args.pause, 30)
                time.sleep(debounce + 0.5)
                rss_after = daemon.rss_kib()
            hwm = proc_status(daemon.process.pid, "VmHWM")
        except BenchError as exc:
            print(f"\nbench_watch: FAILED: {exc}", file=sys.stderr)
            daemon.stop()
            editor.restore()
            return 1
        code, stop_seconds = daemon.stop()
        editor.restore()

    p50, p95, worst = percentiles(elapsed)
    w50, w95, wworst = percentiles(wall)
    ratio = rss_after / rss_first
    latency_holds = p95 <= MAX_P95_ELAPSED_MS
    memory_holds = ratio <= MAX_RSS_RATIO
    print()
    print("| measurement | p50 | p95 | max | target | holds |")
    print("|---|---|---|---|---|---|")
    print(f"| pass elapsed_ms (change -> findings) | {ms(p50)} | {ms(p95)} | {ms(worst)} "
          f"| p95 <= {MAX_P95_ELAPSED_MS:.0f} ms | {verdict(latency_holds)} |")
    print(f"| write -> JSON line, minus {debounce:g} s debounce | {ms(w50)} | {ms(w95)} "
          f"| {ms(wworst)} | - | - |")
    print()
    print("| memory (daemon VmRSS) | value | target | holds |")
    print("|---|---|---|---|")
    print(f"| after the first save | {rss_first / 1024:.1f} MB | - | - |")
    print(f"| after all {len(elapsed)} saves | {rss_saves / 1024:.1f} MB | - | - |")
    print(f"| after {args.edits} more edits ({edit_passes} passes, {edit_seconds:.0f} s) "
          f"| {rss_after / 1024:.1f} MB | - | - |")
    print(f"| ratio | {ratio:.3f} | <= {MAX_RSS_RATIO:.2f} | {verdict(memory_holds)} |")
    print(f"| peak (VmHWM, includes the initial index) | {hwm / 1024:.1f} MB | - | - |")
    print()
    print(f"SIGTERM: exit code {code} after {stop_seconds:.2f} s. MB = MiB.")
    if code != 0:
        print("bench_watch: the daemon did not exit cleanly", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
