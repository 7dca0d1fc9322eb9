"""
schema: front-matter that breaks its JSON Schema.

## What it does
Validates each note's front-matter against the JSON Schemas (Draft 2020-12) that
`.notewarden.toml` maps to it by glob, one finding per violation, at the offending key's line
(or the front-matter's first line for a missing key). Formats such as `date`, `date-time`,
`email` and `uri` are really checked. With no `[schemas]` table, the bundled `obsidian`
schema checks Obsidian's reserved properties on every note.

## Why it matters
Front-matter drifts: a field is misspelt, a list becomes a comma-joined string, a date
becomes "last spring". Dataview queries, Bases and scripts then silently skip the note.

## Typed links
Two additions to JSON Schema say what a property's link must point to:

- `"format": "wikilink"`: the value is exactly one wiki link, `[[Target]]` or
  `[[Target|shown]]`;
- `"x-links-to": {"glob": "People/**", "schema": "_schemas/person.schema.json"}` (both
  members optional): the link must resolve to a note whose vault path matches `glob` and
  whose front-matter satisfies `schema` (a path from the vault root, or a bundled schema's
  name; like a `$ref`, it may name nothing outside the vault). In `items`, each list
  element is held to it. `x-links-to` applies where `properties`, `patternProperties`,
  `additionalProperties`, `items`, `$ref` and `allOf` lead, not under `anyOf`, `oneOf`,
  `not` or `if`; a value that is not a wiki link is left to `format: wikilink`.

A link that resolves to no note is a `broken-link` finding and nothing more. One that
resolves elsewhere is reported at the property's (or list item's) line, saying what it
links to and why that does not fit.

```json
"guest": {"type": "string", "format": "wikilink",
          "x-links-to": {"glob": "People/**", "schema": "_schemas/person.schema.json"}}
```
```markdown
guest: "[[Hive Alpha]]"
```
gives `guest: [[Hive Alpha]] must link to a note under People/**; it links to
Hives/Hive Alpha.md`.

## Example
```toml
# .notewarden.toml
[schemas]
"Sources/**" = "_schemas/source.schema.json"
```
```markdown
---
integration_targets: CANON-30000, CANON-30400
date_published: last spring
---
```

## Use instead
```markdown
---
integration_targets: [CANON-30000, CANON-30400]
date_published: 2025-12-23
---
```

## Fix
None: the right value is the author's call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from notewarden.config import glob_match
from notewarden.model import FixSafety, NoteRecord, Problem, Severity
from notewarden.parsing.positions import key_line

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.index import VaultIndex
    from notewarden.parsing.note import ParsedNote

NAME = "schema"
SEVERITY = Severity.ERROR
FIX_SAFETY = FixSafety.NONE
SUMMARY = "Front-matter that breaks its JSON Schema (Draft 2020-12)."
SCOPE = "note"

_MAX_MESSAGE = 240
_REQUIRED_RE = re.compile(r"^'(.+)' is a required property$")


def check(note: ParsedNote, context: Any) -> Iterator[Problem]:
    previous = context.previous_schema
    if previous is not None and previous[0] == note.front_matter_digest():
        yield from previous[1]  # the front-matter is unchanged, and so are its findings
        return
    validators = context.validators
    if not validators or not note.readable or note.front_matter_unclosed:
        return
    if note.front_matter is not None and note.front_matter.data is None:
        return  # unparseable: yaml-syntax reports it
    # A note with no front-matter has no properties: a schema that requires some says so.
    data = note.data if note.data is not None else {}
    block = note.block
    from notewarden.parsing.front_matter import to_json_compatible

    plain = note.front_matter is not None and note.front_matter.plain
    instance = data if plain else to_json_compatible(data)
    node = note.front_matter.node if note.front_matter else None
    first_line = block.first_line if block else 1
    for label, validator in validators:
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))
        for error in errors:
            path = tuple(error.absolute_path)
            missing = _REQUIRED_RE.match(error.message) if error.validator == "required" else None
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                for key in _unexpected_keys(error):
                    line, column = key_line(node, (*path, key), first_line)
                    where = _format_path((*path, key))
                    yield Problem(line, column, f"{where}: property not allowed by the "
                                                f"schema ({label})")
                continue
            if missing:
                where = _format_path((*path, missing.group(1)))
                line, column = (1, 1) if not path else key_line(node, path, first_line)
                message = f"{where}: required property is missing ({label})"
            else:
                where = _format_path(path)
                line, column = key_line(node, path, first_line) if path else (1, 1)
                message = f"{where}: {_in_obsidian_words(error)} ({label})"
            if len(message) > _MAX_MESSAGE:
                message = message[: _MAX_MESSAGE - 1] + "…"
            yield Problem(line, column, message)


# JSON Schema's types as Obsidian's property types name them (help.obsidian.md,
# "Properties": Text, List, Number, Checkbox); an empty property is null to JSON Schema.
_OBSIDIAN_TYPE_WORDS = {"array": "a List", "boolean": "a Checkbox (true or false)",
                        "string": "Text", "number": "a Number", "integer": "a whole Number",
                        "null": "empty"}


def _in_obsidian_words(error: Any) -> str:
    """The validator's message, with a `type` error said in Obsidian's words ("'x' is not
    a List") when every type it names has one (`object` has none: kept as it is)."""
    if error.validator != "type":
        return str(error.message)
    types = error.validator_value if isinstance(error.validator_value, list) \
        else [error.validator_value]
    if not types or not all(kind in _OBSIDIAN_TYPE_WORDS for kind in types):
        return str(error.message)
    words = [_OBSIDIAN_TYPE_WORDS[kind] for kind in types]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"{error.instance!r} is not {listed}"


def check_typed_links(record: NoteRecord, index: VaultIndex,
                      source: object = None) -> Iterator[Problem]:
    """The vault part of the rule: each typed link (see typed_links) against the note it
    resolves to, whose verdicts were recorded when that note was parsed."""
    for typed in record.typed_links:
        if typed.target:
            target, _candidates, is_note = index.locate(typed.target, record.path)
        else:
            target, is_note = record.path, True
        if target is None:
            continue  # broken-link (or missing-attachment) reports it
        what = f"{typed.where}: {typed.text} must link to a note"
        if not is_note:
            reason = f"it links to {target}, which is not a note"
            if typed.glob:
                what += f" under {typed.glob}"
        elif typed.glob and not glob_match(typed.glob, target):
            what += f" under {typed.glob}"
            reason = f"it links to {target}"
        elif typed.schema:
            found = index.records.get(target)
            verdict = dict(found.link_verdicts).get(typed.schema) if found else None
            if not verdict:
                continue  # satisfied (None: not a note notewarden could read as one)
            what += f" that satisfies {typed.schema}"
            reason = f"{target} does not ({verdict})"
        else:
            continue
        message = f"{what}; {reason} ({typed.label})"
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 1] + "…"
        yield Problem(typed.line, typed.column, message)


def _unexpected_keys(error: Any) -> list[str]:
    """The keys an `additionalProperties: false` error is about (jsonschema reports them
    all in one error at the parent; notewarden reports each at its own line). Patterns are
    matched as the validator matched them: ECMA-262 on RE2, in bounded time."""
    from notewarden.ecma_regex import PatternError, compile_pattern

    schema = error.schema if isinstance(error.schema, dict) else {}
    declared = set(schema.get("properties", {}))
    patterns = []
    for pattern in schema.get("patternProperties", {}):
        try:
            patterns.append(compile_pattern(pattern))
        except PatternError:
            continue  # the validator reported this pattern as an error of its own
    unexpected = []
    for key in error.instance:
        if key in declared:
            continue
        try:
            if not any(pattern.search(key) for pattern in patterns):
                unexpected.append(key)
        except PatternError:
            continue  # a key too long to match: the validator reported it too
    return unexpected


def _format_path(path: tuple[Any, ...]) -> str:
    if not path:
        return "(front-matter)"
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
