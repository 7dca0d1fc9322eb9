"""
property-type: a property whose value does not fit the type the vault gives it.

## What it does
Reads the property types Obsidian keeps for the whole vault in `.obsidian/types.json`
(`{"types": {"rating": "number", ...}}`, written when a property's type is set in
Obsidian) and reports each value that does not fit its property's type, in Obsidian's
words:

- **Number** (`number`): a YAML number (`5`, `-2`, `3.14`, `1e3`). A quoted `"5"` is text
  to YAML, and so to Dataview, Bases and every script reading the note, so it is reported.
- **Checkbox** (`checkbox`): `true` or `false`.
- **Date** (`date`): a real calendar date written `YYYY-MM-DD`.
- **Date & time** (`datetime`): `YYYY-MM-DDTHH:mm` or `YYYY-MM-DDTHH:mm:ss`.
- **List** (`multitext`): a list, not a single value or a mapping.
- **Text** (`text`): a single value, not a list or a mapping.

An empty value fits every type (Obsidian shows an empty field; a Checkbox reads it as
false). Only properties declared in types.json are checked, compared without regard to
case as Obsidian compares property names. The `aliases` and `tags` types are left to
`alias-format` and `tag-format`; type names this version does not know are ignored. A
types.json that cannot be read or is not JSON is one warning, and nothing is checked.

Source: help.obsidian.md, "Properties" (Editing and formatting/Properties): the six
property types; "once a property type is assigned to a property, all properties with that
name are assumed to have the same property type"; Number "may contain decimal points, but
not operators"; Checkbox is `true` or `false`, empty meaning false; Date and Date & time
"are stored in the following format: `date: 2020-08-21`, `time: 2020-08-21T10:30:00`".
The help does not say which other date spellings Obsidian's date picker shows: this rule
holds them to the stored format above. Nor does it say how names compare: Obsidian's All
properties view lists `URL` and `url` as one property (reported in
decaf-dev/obsidian-vault-explorer#315), hence the case-insensitive names.

## Why it matters
The type is the vault's promise about a property: Obsidian gives it a date picker, a
checkbox or a number field, and Bases, Dataview and scripts sort and filter by it. A value
that does not fit breaks the promise where nobody looks: a quoted `"5"` is text to every
YAML reader, `yes` is neither true nor false, `23/12/2025` sorts as text, and a list
written as one comma-joined string is one item, not several.

## Example
```json
{"types": {"rating": "number", "reviewed": "checkbox", "targets": "multitext"}}
```
```markdown
---
rating: five
reviewed: yes
targets: CANON-30000, CANON-30400
---
```

## Use instead
```markdown
---
rating: 5
reviewed: true
targets:
  - CANON-30000
  - CANON-30400
---
```

## Fix
Safe for a single value in a List property: it becomes a one-item list, losing nothing.
Unsafe (`--unsafe-fixes`) for a comma-joined value in a List property: it is split at its
commas (never inside a `[[link]]`) into a list, which is a guess at what the author meant.
Both rewrite only that property's lines, keeping its comment, the items' quoting and every
other line byte for byte. Other mismatches need the author.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from notewarden.model import Fix, FixSafety, Problem, Severity
from notewarden.parsing.positions import key_line

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.parsing.note import ParsedNote

NAME = "property-type"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.SAFE  # splitting a comma-joined value is unsafe: see fix_safety_for
SUMMARY = "A property value that does not fit its type in .obsidian/types.json."
SCOPE = "note"

# Obsidian's name for each types.json type, as its property menu shows it.
_LABELS = {"text": "Text", "multitext": "List", "number": "Number", "checkbox": "Checkbox",
           "date": "Date", "datetime": "Date & time"}
_COMMA_JOINED = "is one comma-joined text, not a list"
_MAX_SHOWN = 60
_NUMERIC = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?")
_LINK = re.compile(r"\[\[.*?\]\]")


def check(note: ParsedNote, context: Any) -> Iterator[Problem]:
    types = context.property_types
    data = note.data
    if not types or not data or note.block is None or note.front_matter is None:
        return
    for key, value in data.items():
        kind = types.get(key.lower()) if isinstance(key, str) else None
        if kind is None or kind not in _LABELS or value is None or _fits(kind, value):
            continue
        label, detail = _LABELS[kind], _mismatch(kind, value)
        line, column = key_line(note.front_matter.node, (key,), note.block.first_line)
        message = (f"`{key}` is a {label} property in this vault (.obsidian/types.json), "
                   f"but {detail}")
        # Only a block mapping's key has lines of its own to rewrite; JSON front-matter
        # (a flow mapping) is left to the author.
        fixable = kind == "multitext" and not isinstance(value, dict) \
            and note.front_matter_is_block
        fix = make_fix(note, key, value) if fixable and context.want_fixes else None
        yield Problem(line, column, message, fix, fixable)


def fix_safety_for(message: str) -> FixSafety:
    """The safety of the fix for one of this rule's findings, known from its message (the
    store keeps a finding's message and whether it is fixable, not its fix): splitting a
    comma-joined value is unsafe, making a single value a list is safe."""
    return FixSafety.UNSAFE if message.endswith(_COMMA_JOINED) else FixSafety.SAFE


def _fits(kind: str, value: Any) -> bool:
    """Does a (non-empty) value fit the type? (Asked of every declared property of every
    note, so it only tests; _mismatch words the answer for the few that do not fit.)"""
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "checkbox":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, str) and _valid_date(value)
    if kind == "datetime":
        return isinstance(value, str) and _valid_datetime(value)
    if kind == "multitext":
        return isinstance(value, list)
    if kind == "text":
        return not isinstance(value, list | dict)
    return True


def _mismatch(kind: str, value: Any) -> str:
    """Why a value that does not fit the type (see _fits) does not, in Obsidian's words."""
    shown = _shown(value)
    if kind == "number":
        if isinstance(value, str) and _NUMERIC.fullmatch(value.strip()):
            return f"{shown} is quoted, which makes it text, not a number"
        return f"{shown} is not a number"
    if kind == "checkbox":
        return f"{shown} is not true or false"
    if kind == "date":
        return f"{shown} is not a valid date (YYYY-MM-DD)"
    if kind == "datetime":
        return (f"{shown} is not a valid date and time (YYYY-MM-DDTHH:mm or "
                "YYYY-MM-DDTHH:mm:ss)")
    if kind == "multitext":
        if isinstance(value, dict):
            return "it holds a mapping, not a list"
        if len(split_comma_joined(value)) > 1:
            return f"{shown} {_COMMA_JOINED}"
        return f"{shown} is a single value, not a list"
    return f"it holds {shown}, not text"


def _valid_date(text: str) -> bool:
    found = _DATE.fullmatch(text)
    if found is None:
        return False
    try:
        date(*map(int, found.groups()))
    except ValueError:  # 2025-02-30, month 13
        return False
    return True


def _valid_datetime(text: str) -> bool:
    found = _DATETIME.fullmatch(text)
    if found is None:
        return False
    try:
        year, month, day, hour, minute, second = found.groups()
        datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:  # hour 25, minute 61, day 32
        return False
    return True


def _shown(value: Any) -> str:
    """A value as a message shows it: short, and quoted as Python quotes a string."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    shown = repr(value)
    return shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 1] + "…"


def split_comma_joined(value: Any) -> list[str]:
    """The items of a comma-joined string, split at commas outside `[[links]]`, stripped,
    empty ones dropped; a value that is not a string is one item."""
    if not isinstance(value, str):
        return [value]
    links = [(found.start(), found.end()) for found in _LINK.finditer(value)]
    items, start = [], 0
    for at, character in enumerate(value):
        if character == "," and not any(first < at < last for first, last in links):
            items.append(value[start:at])
            start = at + 1
    items.append(value[start:])
    return [item.strip() for item in items if item.strip()]


def make_fix(note: ParsedNote, key: str, value: Any) -> Fix | None:
    """Rewrite the property's value as a block list: a comma-joined string split into its
    items (unsafe), any other single value as its one item (safe). Only the property's
    lines change; the value's quoting and an end-of-line comment are kept."""
    from ruamel.yaml.comments import CommentedSeq

    from notewarden.fm_edit import FrontMatterEditor, NotSpliceable

    split = isinstance(value, str) and len(split_comma_joined(value)) > 1

    def to_list(loaded: Any) -> None:
        current = loaded[key]
        comment = _eol_comment(loaded, key)
        items = CommentedSeq(split_comma_joined(str(current)) if split else [current])
        loaded[key] = items
        if comment is not None:
            loaded.ca.items.pop(key, None)
            items.yaml_add_eol_comment(comment, len(items) - 1)

    try:
        edit = FrontMatterEditor(note).rewrite_key(key, to_list)
    except (KeyError, NotSpliceable):  # lines that do not load alone, or would not parse
        return None
    if edit is None:
        return None
    if split:
        return Fix((edit,), FixSafety.UNSAFE, f"split `{key}` at its commas into a list")
    return Fix((edit,), FixSafety.SAFE, f"make `{key}` a one-item list")


def _eol_comment(loaded: Any, key: str) -> str | None:
    """The end-of-line comment after a scalar value in a ruamel map, if any."""
    tokens = getattr(loaded, "ca", None) and loaded.ca.items.get(key)
    if tokens and len(tokens) > 2 and tokens[2] is not None:
        text = tokens[2].value.strip()
        return text if text.startswith("#") else None
    return None
