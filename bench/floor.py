#!/usr/bin/env python3
"""The "floor": the least work any linter must do on a vault, done as cheaply as Python can.

    python bench/floor.py VAULT

Walks the vault (skipping dot-folders), reads every `.md` file, splits off the front-matter
(the text between a first line `---` and the next `---` line), parses it with libyaml
(`yaml.CSafeLoader`) and finds wikilinks with one regex over the body. Single process,
single thread, nothing cached. It prints the counts, so the work cannot be skipped.

notewarden's cold `check` is measured against this (target: at most 1.5x the floor).

To let bench/run_check.py's plumbing be tested before notewarden exists, it also accepts
notewarden's calling convention, `floor.py check VAULT --format json`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

import yaml

WIKILINK_RE = re.compile(r"\[\[([^\[\]]+)\]\]")


def markdown_files(root: str) -> list[str]:
    """Paths of every .md file under root, not looking inside dot-folders."""
    paths: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        paths.extend(os.path.join(folder, name) for name in files if name.endswith(".md"))
    return paths


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front-matter YAML or None, body). Front-matter opens on line 1 with `---`
    and ends at the next line that is exactly `---`."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            return text[4:-4], ""
        return None, text
    return text[4:end + 1], text[end + 5:]


def scan(root: str) -> dict[str, int]:
    """Read, parse and link-scan every note; return the counts."""
    counts = {"notes": 0, "chars": 0, "front_matter": 0, "yaml_errors": 0, "links": 0}
    for path in markdown_files(root):
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read()
        counts["notes"] += 1
        counts["chars"] += len(text)
        front_matter, body = split_front_matter(text)
        if front_matter is not None:
            counts["front_matter"] += 1
            try:
                yaml.load(front_matter, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                counts["yaml_errors"] += 1
        counts["links"] += len(WIKILINK_RE.findall(body))
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("words", nargs="+", metavar="VAULT", help="the vault folder")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    if args.words[0] == "check" and len(args.words) == 2:  # notewarden's call shape
        args.words.pop(0)
    if len(args.words) != 1:
        parser.error("expected one VAULT folder")
    root = args.words[0]
    if not os.path.isdir(root):
        sys.exit(f"floor: {root} is not a folder")
    counts = scan(root)
    if args.format == "json":
        print(json.dumps(counts))
    else:
        print(", ".join(f"{key} {value:,}" for key, value in counts.items()))


if __name__ == "__main__":
    main()
