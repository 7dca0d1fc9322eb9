#!/usr/bin/env python3
"""Benchmark `notewarden check --staged`, what the pre-commit hook runs, on a big vault.

    python bench/bench_staged.py [--notes 10000] [--keep DIR] [--repeat 5]

Generates a vault with bench/generate_vault.py (or reuses `--keep DIR`), makes it a git
repository with everything committed once (slow the first time, reused after), warms the
cache with one `notewarden check`, then edits one note and `git add`s it, and times
`notewarden check --staged` from a subprocess, three ways:

* consecutive: `--repeat` runs one after the other after that one edit. The first pays
  for re-reading the edited note; the others find the cache up to date.
* fresh edit:  before each run (untimed) the note is edited and staged again after a
  `notewarden check`: every run is the first after an edit, as for a real commit.
* unstaged:    as fresh edit, with an unstaged edit to another note as well; the staged
  contents then come from git (`pending`), which bypasses the summary cache.

For reference it also times a plain `notewarden check` of the whole vault with nothing
changed (the warm floor `--staged` builds on: interpreter start, walk, summary cache).

Target: at most 0.3 s with a warm cache. Exit codes 0 and 1 (findings) both count as
success; anything else stops the benchmark with the error. It is a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
GENERATOR = BENCH_DIR / "generate_vault.py"
MARKER_FILE = ".notewarden-bench-vault"  # what generate_vault.py leaves in its vaults
TARGET_SECONDS = 0.3
OK_CODES = (0, 1)
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def notewarden() -> str:
    """The console script of the interpreter running this, else `notewarden` on PATH."""
    script = Path(sys.executable).parent / "notewarden"
    return str(script) if script.exists() else "notewarden"


def git(vault: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=vault, check=True, env={**os.environ, **GIT_ENV},
                   stdout=subprocess.DEVNULL)


def run(command: list[str], cwd: Path) -> float:
    """Run a command (stdout discarded); return its wall time. Stops on a crash."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode not in OK_CODES:
        sys.exit(f"bench_staged: {shlex.join(command)} exited {result.returncode}:\n"
                 + result.stderr.decode("utf-8", "replace")[-2000:])
    return elapsed


def prepare(args: argparse.Namespace, scratch: Path) -> Path:
    """The vault, generated if needed, as a git repository with everything committed."""
    vault = args.keep if args.keep is not None else scratch / "vault"
    if vault.is_dir() and any(vault.iterdir()):
        # This script edits, stages and resets notes: never in a vault someone works in.
        if not (vault / MARKER_FILE).is_file():
            sys.exit(f"bench_staged: {vault} was not made by generate_vault.py; "
                     "pick a new or empty folder")
        print(f"reusing vault {vault} (not regenerated; --notes ignored)")
    else:
        command = [sys.executable, str(GENERATOR), str(vault), "--notes", str(args.notes)]
        print("generating:", shlex.join(command))
        subprocess.run(command, check=True)
    if not (vault / ".git").exists():
        start = time.perf_counter()
        git(vault, "init", "-q", "-b", "main")
        git(vault, "config", "commit.gpgsign", "false")
        git(vault, "add", "-A")
        git(vault, "commit", "-q", "--no-verify", "-m", "vault")
        print(f"committed the vault to git in {time.perf_counter() - start:.1f} s")
    else:  # undo what an interrupted earlier run staged or edited
        git(vault, "reset", "-q", "--hard")
    return vault


def pick_notes(vault: Path) -> tuple[str, str]:
    """Two tracked notes, the same ones every time: one to stage, one to leave unstaged."""
    listed = subprocess.run(["git", "ls-files", "-z", "--", "*.md"], cwd=vault, check=True,
                            capture_output=True).stdout.decode()
    notes = sorted(filter(None, listed.split("\0")))
    return notes[len(notes) // 2], notes[len(notes) // 3]


def edit(vault: Path, note: str, serial: int) -> None:
    """Append a line (with a link) to a note; `serial` makes each edit different."""
    path = vault / note
    text = path.read_text(encoding="utf-8")
    marker = "\nEdited by bench_staged.py"
    text = text.split(marker)[0] + f"{marker} ({serial}): see [[Home]].\n"
    path.write_text(text, encoding="utf-8")


def summary(name: str, seconds: list[float]) -> str:
    best, median = min(seconds), statistics.median(seconds)
    holds = "yes" if best <= TARGET_SECONDS else "NO"
    runs = ", ".join(f"{s:.3f}" for s in seconds)
    return (f"| {name} | {best:.3f} s | {median:.3f} s | {seconds[0]:.3f} s | "
            f"<= {TARGET_SECONDS} s | {holds} | {runs} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000,
                        help="notes in the generated vault (default 10000)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="vault folder to reuse if it exists, else to generate and keep")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    args = parser.parse_args(argv)
    # The store goes to a scratch folder of the bench's own, not the user's cache folder.
    os.environ.setdefault("NOTEWARDEN_CACHE_DIR", tempfile.mkdtemp(prefix="notewarden-bench-"))
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="bench-staged-") as scratch:
        vault = prepare(args, Path(scratch))
        staged_note, other_note = pick_notes(vault)
        check = [notewarden(), "check"]
        staged = [notewarden(), "check", "--staged"]
        print("measured:", shlex.join(staged), f"(in {vault}; stages {staged_note!r})")
        print(f"warm-up: notewarden check took {run(check, vault):.3f} s")

        serial = 0
        edit(vault, staged_note, serial)
        git(vault, "add", "--", staged_note)
        consecutive = [run(staged, vault) for _ in range(args.repeat)]

        fresh, unstaged = [], []
        for target, with_unstaged in ((fresh, False), (unstaged, True)):
            for _ in range(args.repeat):
                serial += 1
                if with_unstaged:
                    edit(vault, other_note, serial)
                run(check, vault)  # the cache is warm: the last check saw this tree
                edit(vault, staged_note, serial)
                git(vault, "add", "--", staged_note)
                target.append(run(staged, vault))
        git(vault, "reset", "-q", "--hard")
        run(check, vault)
        reference = [run(check, vault) for _ in range(args.repeat)]

    print()
    print("| measurement | best | median | first | target | best holds | all runs (s) |")
    print("|---|---|---|---|---|---|---|")
    print(summary("consecutive runs after one edit", consecutive))
    print(summary("fresh edit before each run", fresh))
    print(summary("fresh edit, plus an unstaged edit", unstaged))
    print(summary("reference: plain warm check, nothing changed", reference))


if __name__ == "__main__":
    main()
