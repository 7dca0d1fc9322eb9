"""Typed links: what a note's front-matter says about the links its schema types.

Two JSON Schema additions that notewarden reads (issue 14):

- `"format": "wikilink"`: the string is exactly one wiki link, `[[Target]]`,
  `[[Target#Heading]]` or `[[Target|shown]]` (an embed, `![[...]]`, is not one). That
  is how Obsidian links from a property: Obsidian's help on properties
  (help.obsidian.md/properties, "Property types", Text and List) says internal links in
  properties use the `[[Link]]` syntax and must be quoted (`link: "[[Episode IV]]"`,
  or one per list item); unquoted, `[[B]]` is a nested YAML list, not a string;
- `"x-links-to": {"glob": "People/**", "schema": "_schemas/person.schema.json"}` (both
  members optional): a link in the value must resolve to a note whose vault path matches
  `glob` and whose front-matter satisfies `schema` (a vault path or a bundled schema's
  name, confined as `$ref`s are: see schemas.py). In `items`, it holds each list element.

Whether a target fits can only be known once the vault is indexed, so parsing records two
things per note, both computed from that one note's front-matter, once, in the parse
worker: its *typed links* (each value an `x-links-to` applies to, with its position), and
its *verdicts* (for each schema some `x-links-to` names, why this note's front-matter does
not satisfy it, or "" when it does). The `schema` rule's vault part then compares the two
through the index (rules/schema.py): no note is read twice, and the check stays linear.

Where `x-links-to` applies is found by walking the schema along each top-level property:
`properties`, `patternProperties`, `additionalProperties`, then `items`, following `$ref`
and `allOf` on the way. A keyword under `anyOf`, `oneOf`, `not` or `if` is not followed:
which branch holds is not known without running the branches, and a typed link
should not depend on that guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from notewarden.model import NoteRecord, TypedLink

if TYPE_CHECKING:  # annotations only: schemas imports this module
    from notewarden.parsing.note import ParsedNote
    from notewarden.schemas import SchemaSet

WIKILINK_FORMAT = "wikilink"
LINKS_TO = "x-links-to"
LINKS_TO_MEMBERS = frozenset({"glob", "schema"})

# One wiki link and nothing else: as parsing/body.py's _WIKILINK_RE, anchored.
_ONE_WIKILINK = re.compile(
    r"\[\[(?=[^\]])([^\[\]\n#|]*)(?:#([^\[\]\n|]*))?(?:\|([^\[\]\n]*))?\]\]")
_MAX_REASON = 160  # characters of a verdict kept (the finding quotes it)


def single_wikilink(value: object) -> str | None:
    """The link path of a string that is exactly one wiki link, else None."""
    if not isinstance(value, str):
        return None
    match = _ONE_WIKILINK.fullmatch(value)
    if match is None:
        return None
    target, subpath = match.group(1).strip(), match.group(2)
    if not target and not (subpath or "").strip():
        return None
    return target


def is_wikilink(instance: object) -> bool:
    """The `wikilink` format check: a non-string passes (as every format check does)."""
    return not isinstance(instance, str) or single_wikilink(instance) is not None


def valid_spec(spec: object) -> bool:
    """Is this an `x-links-to` value notewarden can follow?"""
    return isinstance(spec, dict) and spec.keys() <= LINKS_TO_MEMBERS and all(
        isinstance(value, str) and value for value in spec.values())


def _format_path(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def typed_links(validator: Any, label: str, instance: dict[str, Any], node: Any,
                first_line: int) -> list[TypedLink]:
    """The typed links of one note's properties under one schema (its validator). `node`
    is the composed YAML, for positions; `first_line` the front-matter's first line."""
    from notewarden.parsing.positions import key_line

    found: list[TypedLink] = []
    seen: set[tuple[tuple[Any, ...], str, str]] = set()
    roots = list(_applicable(validator, validator.schema, set()))
    for key, value in instance.items():
        for key_validator, subschema in _property_schemas(roots, key):
            for sub_validator, schema in _applicable(key_validator, subschema, set()):
                places: list[tuple[tuple[Any, ...], Any, Any]] = []
                if LINKS_TO in schema:
                    places.append(((key,), value, schema[LINKS_TO]))
                items = schema.get("items")
                if isinstance(items, dict) and isinstance(value, list):
                    for _v, item_schema in _applicable(sub_validator, items, set()):
                        if LINKS_TO in item_schema:
                            places += [((key, i), item, item_schema[LINKS_TO])
                                       for i, item in enumerate(value)]
                for path, text, spec in places:
                    target = single_wikilink(text)
                    if target is None or not valid_spec(spec):
                        continue  # not a link: `format: wikilink` is what requires one
                    glob, schema_ref = spec.get("glob", ""), spec.get("schema", "")
                    if (path, glob, schema_ref) in seen:
                        continue
                    seen.add((path, glob, schema_ref))
                    line, column = key_line(node, path, first_line)
                    found.append(TypedLink(line, column, _format_path(path), text, target,
                                           glob, schema_ref, label))
    return found


def _property_schemas(roots: list[tuple[Any, dict[str, Any]]], key: str
                      ) -> Iterator[tuple[Any, Any]]:
    """The subschemas (with their validators) that apply to property `key`."""
    from notewarden.ecma_regex import PatternError, compile_pattern

    for validator, schema in roots:
        declared = schema.get("properties")
        declared = declared if isinstance(declared, dict) else {}
        if key in declared:
            yield validator, declared[key]
        matched = False
        patterns = schema.get("patternProperties")
        for regex, subschema in (patterns.items() if isinstance(patterns, dict) else ()):
            try:
                if compile_pattern(regex).search(key):
                    matched = True
                    yield validator, subschema
            except PatternError:
                continue  # the validator reports the pattern itself
        extra = schema.get("additionalProperties")
        if key not in declared and not matched and isinstance(extra, dict):
            yield validator, extra


def _applicable(validator: Any, schema: Any, seen: set[int]
                ) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The schema and those that apply to the same value with it: through `$ref` and
    `allOf`. Each schema object is visited once, so a cycle of references ends; a stack,
    not recursion, so a chain thousands long does too."""
    from referencing.exceptions import Unresolvable

    pending = [(validator, schema)]
    while pending:
        validator, schema = pending.pop()
        if not isinstance(schema, dict) or id(schema) in seen:
            continue
        seen.add(id(schema))
        yield validator, schema
        every = schema.get("allOf")
        if isinstance(every, list):
            pending.extend((validator, subschema) for subschema in reversed(every))
        ref = schema.get("$ref")
        if isinstance(ref, str):
            try:
                resolved = validator._resolver.lookup(ref)
            except Unresolvable:  # the $ref keyword reports it
                continue
            pending.append((validator.evolve(schema=resolved.contents,
                                             _resolver=resolved.resolver), resolved.contents))


def verdict(validator: Any, instance: Any) -> str:
    """Why `instance` does not satisfy the validator's schema ("" when it does): its
    first error, as schema findings word it."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))
    if not errors:
        return ""
    error = errors[0]
    path = tuple(error.absolute_path)
    missing = re.match(r"^'(.+)' is a required property$", error.message) \
        if error.validator == "required" else None
    if missing:
        reason = f"{_format_path((*path, missing.group(1))) or missing.group(1)}: " \
                 "required property is missing"
    else:
        reason = f"{_format_path(path) or '(front-matter)'}: {error.message}"
    return reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"


def note_typing(note: ParsedNote, schemas: SchemaSet, previous: NoteRecord | None = None
                ) -> tuple[tuple[TypedLink, ...], tuple[tuple[str, str], ...]]:
    """A note's typed links and verdicts (see the module's docstring), for its record.
    `previous` is the note's last record: with the same front-matter, its are reused."""
    if not schemas.typed and not schemas.link_targets:
        return (), ()
    digest = note.front_matter_digest()
    if previous is not None and digest is not None and previous.front_matter_digest == digest:
        return previous.typed_links, previous.link_verdicts
    wanted = schemas.link_schemas_for(note.path)
    if not note.readable:
        return (), tuple((label, "it could not be read") for label in wanted)
    if note.front_matter_unclosed or (note.front_matter is not None
                                      and note.front_matter.data is None):
        return (), tuple((label, "its front-matter does not parse") for label in wanted)
    from notewarden.parsing.front_matter import to_json_compatible

    data = note.data if note.data is not None else {}
    plain = note.front_matter is not None and note.front_matter.plain
    instance = data if plain else to_json_compatible(data)
    verdicts = tuple((label, verdict(schemas.link_schema_validator(label), instance))
                     for label in wanted)
    links: list[TypedLink] = []
    if isinstance(instance, dict) and instance:
        node = note.front_matter.node if note.front_matter else None
        first_line = note.block.first_line if note.block else 1
        for label, validator in schemas.validators_for(note.path):
            if label in schemas.typed:
                links += typed_links(validator, label, instance, node, first_line)
    return tuple(links), verdicts
