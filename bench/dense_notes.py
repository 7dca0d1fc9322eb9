"""How much time and memory one pathological note costs: each case is a single note of
about 31 MB (just under the 32 MB size limit) made of one short pattern repeated, checked
cold by the console script. The target (issue 12): peak memory at most about 20x the
note's size, and no case takes more than a few seconds.

    python bench/dense_notes.py [--size-mb 31] [--keep DIR]

Prints a Markdown table: time, peak RSS (the kernel's, from wait4), and RSS / note size.
A single note never starts the parse pool, so the one process is the whole tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    "prose": "The quick brown fox jumps over the lazy dog. ",
    "wikilinks": "[[a]] ",
    "markdown links": "[x](b.md) ",
    "lines": "a\n",
    "headings": "# h\n",
    "block ids": "x ^b\n",
    "tags": "#t ",
    "inline math": "$a$ ",
    "code spans": "`a` ",
    "fences": "```\n```\n",
    "HTML comments": "<!---->",
    "long lines": "word " * 2000 + "\n",
}
FRONT_MATTER_CASES = {
    "flow front-matter": lambda size: "---\n{" + "a: 1, " * (size // 6) + "}\n---\nbody\n",
    "block front-matter": lambda size: "---\n" + "".join(
        f"k{i}: v\n" for i in range(size // 12)) + "---\nbody\n",
    # The densest notes that are still scanned: just under the line and marker limits.
    "links, at the marker limit": lambda size: _spread("[[a]] ", 249_000, size),
    "lines, at the line limit": lambda size: _spread("", 499_000, size),
}


def _spread(unit: str, count: int, size: int) -> str:
    """`count` lines of `unit` padded with prose to `size` characters in all."""
    pad = max(size // count - len(unit) - 1, 0)
    return (unit + "x" * pad + "\n") * count


def notewarden() -> str:
    script = Path(sys.executable).with_name("notewarden")
    return str(script) if script.exists() else shutil.which("notewarden") or "notewarden"


def run_case(folder: Path, cache: Path) -> tuple[float, int]:
    """Seconds and peak RSS in bytes of one cold check of `folder`."""
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "NOTEWARDEN_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        pid = os.posix_spawn(notewarden(), [notewarden(), "check", str(folder), "--format",
                                            "json"], env,
                             file_actions=[(os.POSIX_SPAWN_DUP2, null.fileno(), 1)])
        _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"check of {folder} failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=31.0)
    parser.add_argument("--keep", type=Path, help="folder for the generated notes")
    args = parser.parse_args()
    size = int(args.size_mb * 2**20)
    work = args.keep or Path(tempfile.mkdtemp(prefix="notewarden-dense-"))
    print(f"command: {' '.join(sys.argv)}\nnotewarden: {notewarden()}\n")
    print("| case | note size | time | peak RSS | RSS / size |")
    print("|---|---|---|---|---|")
    makers = {name: (lambda size, unit=unit: unit * (size // len(unit)))
              for name, unit in CASES.items()} | FRONT_MATTER_CASES
    for name, make in makers.items():
        folder = work / name.replace(" ", "-")
        note = folder / "note.md"
        if not note.exists():
            folder.mkdir(parents=True, exist_ok=True)
            note.write_text(make(size), encoding="utf-8", newline="")
        seconds, rss = run_case(folder, work / "cache")
        note_size = note.stat().st_size
        print(f"| {name} | {note_size / 2**20:.1f} MB | {seconds:.2f} s | "
              f"{rss / 2**20:.0f} MB | {rss / note_size:.1f}x |")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
