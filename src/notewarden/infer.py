"""`notewarden schema infer`: a JSON Schema (Draft 2020-12) that every note in a folder
already satisfies, for a user who would rather not write one by hand.

The structure comes from genson (PyPI): a type per property (integers and floats merged
into `number`, mixed types as `anyOf`), `required` for the properties every note has,
`items` for lists, nested mappings alike. genson knows nothing of what the values say,
so a string strategy of notewarden's own (`_ProfiledString`) adds, at every level:

- `format` where every value fits one: `wikilink` (exactly one wiki link, typed_links),
  `date`, `date-time`, `email` or `uri`, each checked both by a strict pattern and by the
  format checker `notewarden check` uses, so a value the checker would not check (a
  format whose checker is not installed) never earns the format;
- `enum` where a string property has a handful of distinct values (at most
  MAX_ENUM_VALUES, each seen twice on average, none longer than MAX_ENUM_LENGTH) and no
  format fits: one note alone never makes an enum.

Notes are read as `check` reads them (pool.read_note, front-matter as js-yaml reads it);
a note whose front-matter does not parse, or that cannot be read, is left out (`check`
reports it as yaml-syntax or unreadable, and validates nothing in it), and a note with no
front-matter counts as one with no properties. Memory stays bounded: each string strategy
keeps at most MAX_ENUM_VALUES + 1 distinct values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genson import SchemaBuilder  # type: ignore[import-untyped]
from genson.schema.strategies import String  # type: ignore[import-untyped]

from notewarden.config import glob_match
from notewarden.engine import UsageError
from notewarden.typed_links import WIKILINK_FORMAT, is_wikilink

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
MAX_ENUM_VALUES = 6
MAX_ENUM_LENGTH = 60
_GLOB_CHARS = frozenset("*?[")

# Each format's strict shape; the format checker must accept the value too.
_SHAPES = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII),
    "date-time": re.compile(
        r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII),
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "uri": re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+"),
}
_FORMATS = (WIKILINK_FORMAT, *_SHAPES)  # in order of preference


def _fits(fmt: str, value: str) -> bool:
    if fmt == WIKILINK_FORMAT:
        return is_wikilink(value)
    if not _SHAPES[fmt].fullmatch(value):
        return False
    from jsonschema import Draft202012Validator

    return bool(Draft202012Validator.FORMAT_CHECKER.conforms(value, fmt))


class _ProfiledString(String):  # type: ignore[misc]
    """genson's string strategy, also keeping which formats every value fits and the
    distinct values while there are few of them."""

    def __init__(self, node_class: Any) -> None:
        super().__init__(node_class)
        self._formats = list(_FORMATS)
        self._values: dict[str, int] | None = {}  # None: too many to be an enum
        self._count = 0

    def add_object(self, obj: str) -> None:
        super().add_object(obj)
        self._count += 1
        self._formats = [fmt for fmt in self._formats if _fits(fmt, obj)]
        if self._values is not None:
            if len(obj) > MAX_ENUM_LENGTH:
                self._values = None
            else:
                self._values[obj] = self._values.get(obj, 0) + 1
                if len(self._values) > MAX_ENUM_VALUES:
                    self._values = None

    def to_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = super().to_schema()
        if self._formats:
            schema["format"] = self._formats[0]
        elif self._values and self._count >= 2 * len(self._values):
            schema["enum"] = sorted(self._values)
        return schema


class _Builder(SchemaBuilder):  # type: ignore[misc]
    EXTRA_STRATEGIES = (_ProfiledString,)


def infer_schema(instances: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A Draft 2020-12 schema that each front-matter instance (JSON-compatible) satisfies."""
    builder = _Builder(schema_uri=DRAFT_2020_12)
    builder.add_schema({"type": "object"})  # even with no notes, or none with properties
    for instance in instances:
        builder.add_object(instance)
    schema: dict[str, Any] = builder.to_schema()
    return schema


@dataclass
class Inferred:
    schema: dict[str, Any]
    notes: int  # notes the schema was inferred from
    skipped: list[str]  # vault paths left out: front-matter that does not parse, unreadable


def infer_from(target: str, cwd: Path | None = None) -> Inferred:
    """Infer a schema from the notes a folder, a note, or a glob names. A glob is split at
    its first part holding `*`, `?` or `[`: the folder before it (which must exist), and
    the glob matched against paths under that folder (`Videos/**`, `People/*.md`)."""
    from notewarden.parsing.front_matter import to_json_compatible
    from notewarden.pool import read_note
    from notewarden.vault import find_vault_root, walk_vault

    base, glob = _split(target, cwd or Path.cwd())
    root = find_vault_root(base if base.is_dir() else base.parent)
    prefix = base.relative_to(root).as_posix() if base != root else ""
    files, _problems = walk_vault(root)
    instances, skipped = [], []
    for file in sorted(files, key=lambda f: f.path):
        if not file.path.lower().endswith(".md") or not _under(file.path, prefix, glob):
            continue
        note = read_note(root, file)
        front = note.front_matter
        if not note.readable or note.front_matter_unclosed or (front is not None
                                                               and front.data is None):
            skipped.append(file.path)
            continue
        data = note.data if note.data is not None else {}
        instances.append(data if front is not None and front.plain
                         else to_json_compatible(data))
    if not instances:
        raise UsageError(f"no notes with readable front-matter match {target!r}")
    return Inferred(infer_schema(instances), len(instances), skipped)


def _split(target: str, cwd: Path) -> tuple[Path, str]:
    parts = Path(target).parts
    for at, part in enumerate(parts):
        if _GLOB_CHARS & set(part):
            base = (cwd / Path(*parts[:at])) if at else cwd
            if not base.is_dir():
                raise UsageError(f"no folder {base} for the glob {target!r}")
            return base.absolute(), "/".join(parts[at:])
    path = (cwd / target).absolute()
    if not path.exists():
        raise UsageError(f"no folder or note {target!r}")
    return path, ""


def _under(path: str, prefix: str, glob: str) -> bool:
    if prefix and path != prefix and not path.startswith(prefix + "/"):
        return False
    rest = path[len(prefix) + 1:] if prefix else path
    return not glob or glob_match(glob, rest)
