"""Measure `notewarden watch` on a big vault: time from a save to its findings, and memory.

    python bench/watch_latency.py --vault /tmp/vault10k [--saves 50] [--edits 1000]

The vault comes from bench/generate_vault.py. For each of --saves single-note saves it
records the pass's own `elapsed_ms` (processing time after the debounce, as the daemon
reports it). Then it makes --edits more saves and compares the daemon's resident memory
(VmRSS) after the first edit and after the last. Targets: p95 <= 100 ms; memory within 10%.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path, required=True)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--edits", type=int, default=1000)
    args = parser.parse_args()
    # The store goes to a scratch folder of the bench's own, not the user's cache folder.
    os.environ.setdefault("NOTEWARDEN_CACHE_DIR", tempfile.mkdtemp(prefix="notewarden-bench-"))
    notes = sorted(args.vault.rglob("*.md"))
    notes = [note for note in notes
             if not any(part.startswith(".") for part in note.relative_to(args.vault).parts)]
    script = Path(sys.executable).parent / "notewarden"
    command = [str(script), "watch", str(args.vault), "--format", "json"]
    print("command:", " ".join(command))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    passes: queue.Queue[dict] = queue.Queue()

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith("{"):
                passes.put(json.loads(line))

    threading.Thread(target=read, daemon=True).start()
    try:
        initial = passes.get(timeout=600)
        print(f"initial pass: {initial['elapsed_ms']:.0f} ms, {len(notes)} notes")
        time.sleep(1.0)

        def save(note: Path, i: int) -> None:
            with open(note, "a", encoding="utf-8") as handle:
                handle.write(f"\nEdit {i} links to [[{notes[(i * 7) % len(notes)].stem}]].\n")

        def wait_pass(path: Path) -> dict:
            rel = path.relative_to(args.vault).as_posix()
            while True:
                report = passes.get(timeout=30)
                if rel in report["paths"]:
                    return report

        elapsed, wall = [], []
        for i in range(args.saves):
            note = notes[(i * 97) % len(notes)]
            started = time.perf_counter()
            save(note, i)
            report = wait_pass(note)
            wall.append((time.perf_counter() - started) * 1000 - 300)  # minus the debounce
            elapsed.append(report["elapsed_ms"])
            time.sleep(0.2)
        elapsed.sort()
        p95 = elapsed[int(0.95 * (len(elapsed) - 1))]
        print(f"save -> findings, pass elapsed_ms over {len(elapsed)} saves: "
              f"p50 {statistics.median(elapsed):.1f} ms, p95 {p95:.1f} ms, max {elapsed[-1]:.1f} ms"
              f"  (target p95 <= 100 ms: {'yes' if p95 <= 100 else 'NO'})")
        wall.sort()
        wall_p95 = wall[int(0.95 * (len(wall) - 1))]
        print(f"wall time from write to JSON line, minus the 300 ms debounce: "
              f"p50 {statistics.median(wall):.0f} ms, p95 {wall_p95:.0f} ms")

        first = rss_mb(process.pid)
        for i in range(args.edits):
            note = notes[(i * 31) % len(notes)]
            save(note, 10_000 + i)
            if i % 10 == 9:  # ten saves, then let them land as one pass
                wait_pass(note)
        time.sleep(1.0)
        last = rss_mb(process.pid)
        growth = (last - first) / first * 100
        print(f"memory: {first:.0f} MB after the first edits, {last:.0f} MB after "
              f"{args.edits} more ({growth:+.1f}%; target within 10%: "
              f"{'yes' if abs(growth) <= 10 else 'NO'})")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
