"""`notewarden init`: a commented starter `.notewarden.toml` at the vault root.

It lists every rule at its default severity, a commented `[schemas]` line for each
top-level folder holding notes, and the `[backlinks]` and `[watch]` options, commented out.
It never replaces a file: an existing `.notewarden.toml` is a usage error (exit 2).
"""

from __future__ import annotations

import os
from pathlib import Path

from notewarden.config import CONFIG_FILE
from notewarden.engine import UsageError
from notewarden.rules import RULES
from notewarden.vault import find_vault_root, walk_vault

MAX_FOLDERS = 50  # a vault with more top-level folders gets the first 50 (by name)


def note_folders(root: Path) -> list[str]:
    """The vault's top-level folders that hold a note at any depth, by name (dot-folders
    are skipped, as every walk skips them)."""
    files, _problems = walk_vault(root)
    folders = {file.path.split("/", 1)[0] for file in files
               if "/" in file.path and file.path.lower().endswith(".md")}
    return sorted(folders)[:MAX_FOLDERS]


def toml_string(text: str) -> str | None:
    """`text` as a TOML basic string, every character TOML forbids raw written as an escape;
    None when it holds a lone surrogate (a file-name byte that is not UTF-8), which no TOML
    string can hold."""
    out = ['"']
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return None
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029):
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def starter_config(root: Path) -> str:
    """The text `notewarden init` writes for the vault at `root`."""
    width = max(len(name) for name in RULES)
    lines = [
        "# notewarden's settings for this vault, written by `notewarden init`.",
        "# The README's Configuration section explains every key. Globs are relative to",
        "# the vault root; `**` matches any depth.",
        "",
        "# Nothing is reported in files matching these globs (links to them still resolve).",
        '# ignore = ["Templates/**"]',
        "",
        "[schemas]",
        "# glob -> JSON Schema (Draft 2020-12): a file in the vault, or a bundled name.",
        '"**" = "obsidian"  # Obsidian\'s own properties: aliases, tags, cssclasses, ...',
    ]
    for folder in note_folders(root):
        key = toml_string(f"{folder}/**")
        if key is not None:
            lines.append(f'# {key} = "_schemas/{_schema_name(folder)}.schema.json"')
    lines += [
        "",
        "[rules]",
        '# Each rule at its default severity: "error", "warning", "info" or "off".',
        "# `notewarden rules NAME` explains one.",
    ]
    for name, rule in RULES.items():
        value = f'"{rule.severity.value}"'
        lines.append(f"{name:<{width}} = {value:<9}  # {rule.summary}")
    lines += [
        "",
        "# [backlinks]",
        '# notes = ["Concepts/**"]   # these notes get a backlinks block appended by --fix',
        '# symmetric = ["related"]   # if A lists [[B]] in `related`, B must list [[A]]',
        "",
        "# [watch]",
        "# rename-adds-alias = true  # on a rename, keep the old name as an alias",
        "",
    ]
    return "\n".join(lines)


def _schema_name(folder: str) -> str:
    """A file-name stem for a folder's schema: lowercase, runs of other characters as `-`."""
    stem = "".join(char.lower() if char.isalnum() else "-" for char in folder)
    return "-".join(part for part in stem.split("-") if part) or "notes"


def write_starter(path: Path | None) -> Path:
    """Write the starter config at the root of the vault at or above `path` (default: the
    current folder) and return its path. Refuses to replace any file there."""
    start = (path or Path.cwd()).absolute()
    if not start.is_dir():
        raise UsageError(f"not a folder: {start}")
    root = find_vault_root(start)
    target = root / CONFIG_FILE
    text = starter_config(root).encode("utf-8")
    try:
        # O_EXCL: never replaces a file, nor follows a symlink planted by that name.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise UsageError(f"{target} already exists; not replaced") from None
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(text)
    return target
