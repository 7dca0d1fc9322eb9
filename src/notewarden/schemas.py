"""Loading the JSON Schemas that `.notewarden.toml` maps to notes.

A schema is named either by a path relative to the vault root or by the name of a schema
bundled with notewarden (`obsidian`). Validators are built once per process and reused;
formats (`date`, `date-time`, `email`, `uri`) are checked, which jsonschema does not do by
default.

A schema is untrusted input. Its references reach only the vault's files and the bundled
schemas (schema_refs), both when the schemas are loaded and when jsonschema retrieves a
URI; its regexes run on RE2 (ecma_regex), through notewarden's own `pattern`,
`patternProperties`, `additionalProperties` and `unevaluatedProperties` keywords.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from notewarden import ecma_regex
from notewarden.config import Config, ConfigError, glob_match, read_settings_file
from notewarden.schema_refs import (
    BUNDLED_PREFIX,
    RefusedReference,
    bundled_name,
    confined_path,
    reachable,
    subschemas,
    with_absolute_id,
)
from notewarden.typed_links import LINKS_TO, WIKILINK_FORMAT, is_wikilink, valid_spec

# jsonschema imports rfc3987_syntax when it is installed, only for the `iri` formats, and
# that import builds a grammar for 2 s. notewarden does not need `iri`, so keep it out.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
# isoduration (for the `duration` format) imports arrow and dateutil: 50 ms, a third of
# importing jsonschema, paid by every run that validates anything. jsonschema registers
# `duration` only if isoduration imports, so it is kept out while jsonschema loads, and
# notewarden registers the same check itself, importing isoduration on first use.
_LAZY_DURATION = "isoduration" not in sys.modules
if _LAZY_DURATION:
    sys.modules["isoduration"] = None  # type: ignore[assignment]


def _bundled_folder() -> Any:
    """The folder of bundled schemas: a plain path where the package is installed as files
    (importlib.resources costs ~10 ms of imports, a tenth of a staged check)."""
    import notewarden.bundled_schemas as package

    folder = Path(package.__file__ or "").parent
    if (folder / "obsidian.schema.json").is_file():
        return folder
    from importlib import resources  # installed in a zip, say

    return resources.files("notewarden.bundled_schemas")


def bundled_schema_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".schema.json")
        for entry in _bundled_folder().iterdir()
        if entry.name.endswith(".schema.json")
    )


def _read_bundled(name: str) -> bytes | None:
    entry = _bundled_folder() / f"{name}.schema.json"
    return entry.read_bytes() if entry.is_file() else None


# Digests of schema sets already found valid in this process: checking a schema against
# its metaschema takes about 18 ms, and a fix runs a check for every pass.
_PASSED: set[str] = set()


@dataclass
class SchemaSet:
    """The schemas that apply to the vault's notes, by glob. Picklable for worker processes."""

    entries: list[tuple[str, str, Any, str]]  # (glob, label, schema document, base URI)
    digest: str  # changes whenever the mapping or any schema file changes
    root: str = ""  # the vault: the only place a reference may lead, besides bundled schemas
    documents: dict[str, Any] = field(default_factory=dict)  # referenced ones, by URI
    # The vault's property types (.obsidian/types.json, see config.read_property_types),
    # lowercased name -> type: the other expectations notes are checked against. Part of
    # the digest, so that editing the file re-checks every note.
    property_types: dict[str, str] = field(default_factory=dict)
    # The schemas `x-links-to` names (label as written -> URI in `documents`), and which
    # of `entries`' labels hold an `x-links-to` at all (only their notes are walked).
    link_schemas: dict[str, str] = field(default_factory=dict)
    typed: frozenset[str] = frozenset()
    # (glob or "", schema label) for every `x-links-to` that names a schema: a note gets a
    # verdict for the schema when it matches the glob (see typed_links).
    link_targets: tuple[tuple[str, str], ...] = ()
    _validators: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, config: Config) -> SchemaSet:
        """Read the schemas and every document their references reach; ConfigError for a
        schema or reference outside the vault and the bundled schemas (nothing outside
        is ever opened)."""
        where = config.source or (config.root / ".notewarden.toml")
        entries = []
        documents: dict[str, Any] = {}
        hasher = hashlib.sha256()
        for glob, ref in config.schemas:
            raw, base_uri = _read_schema(config.root, ref, where)
            try:
                document = json.loads(raw)
            except ValueError as exc:
                raise ConfigError(f"{where}: schema {ref!r} is not valid JSON: {exc}") from None
            entries.append((glob, ref, document, base_uri))
            hasher.update(f"{glob}\0{ref}\0".encode())
            hasher.update(raw)
            for reached in reachable(document, base_uri, root=config.root, label=ref,
                                     where=where, read_bundled=_read_bundled):
                documents[reached.uri] = reached.document
                hasher.update(reached.uri.encode() + b"\0" + reached.raw)
        typed, targets = set(), set()
        sources = [(label, document, base) for _glob, label, document, base in entries]
        sources += [(uri, document, uri) for uri, document in documents.items()]
        for label, document, base_uri in sources:
            for spec in _links_to_specs(document, base_uri, label, where):
                typed.add(label)
                if "schema" in spec:
                    targets.add((spec.get("glob", ""), spec["schema"]))
        link_schemas: dict[str, str] = {}
        for ref in sorted({ref for _glob, ref in targets}):
            raw, base_uri = _read_schema(config.root, ref, where, named_by=LINKS_TO)
            try:
                document = json.loads(raw)
            except ValueError as exc:
                raise ConfigError(f"{where}: {LINKS_TO} schema {ref!r} is not valid JSON: "
                                  f"{exc}") from None
            link_schemas[ref] = base_uri
            documents.setdefault(base_uri, document)
            hasher.update(f"{LINKS_TO}\0{ref}\0".encode() + raw)
            for reached in reachable(document, base_uri, root=config.root, label=ref,
                                     where=where, read_bundled=_read_bundled):
                documents.setdefault(reached.uri, reached.document)
                hasher.update(reached.uri.encode() + b"\0" + reached.raw)
        # A `$ref`d document that holds an x-links-to makes the entries reaching it typed:
        # which ones is not worth working out, so every entry is walked then.
        entry_labels = {label for _glob, label, _document, _base in entries}
        if typed - entry_labels:
            typed |= entry_labels
        hasher.update(f"\0types\0{config.property_types!r}".encode())
        return cls(entries, hasher.hexdigest(), str(config.root), documents,
                   property_types=dict(config.property_types), link_schemas=link_schemas,
                   typed=frozenset(typed & entry_labels), link_targets=tuple(sorted(targets)))

    def check(self, config: Config) -> None:
        """Reject schemas that are not valid JSON Schemas, and regexes that cannot be run
        in bounded time (ConfigError). Called only when notes are about to be parsed: a
        warm run never needs jsonschema at all."""
        if self.digest in _PASSED:
            return
        where = config.source or (config.root / ".notewarden.toml")
        for _glob, label, document, _base in self.entries:
            _check_schema(document, label, where)
        for label, uri in self.link_schemas.items():
            _check_schema(self.documents[uri], label, where)
        named = [(label, document, base) for _glob, label, document, base in self.entries]
        named += [(self._name_of(uri), document, uri) for uri, document in self.documents.items()]
        for label, document, base in named:
            for pattern in _patterns(document, base):
                try:
                    ecma_regex.check_pattern(pattern)
                except ecma_regex.PatternError as exc:
                    kind = ("cannot be run in bounded time" if isinstance(
                        exc, ecma_regex.UnsupportedPattern) else "is not a valid regex")
                    raise ConfigError(f"{where}: schema {label!r}: pattern {pattern!r} {kind}: "
                                      f"{exc.reason}") from None
        _PASSED.add(self.digest)

    def validators_for(self, path: str) -> list[tuple[str, Any]]:
        """(label, validator) for every schema whose glob matches the note's path."""
        return [
            (label, self._validator(label, document, base_uri))
            for glob, label, document, base_uri in self.entries
            if glob_match(glob, path)
        ]

    def link_schema_validator(self, label: str) -> Any:
        """The validator of a schema an `x-links-to` names."""
        uri = self.link_schemas[label]
        return self._validator(f"{LINKS_TO}:{label}", self.documents[uri], uri)

    def link_schemas_for(self, path: str) -> list[str]:
        """The `x-links-to` schemas a note at `path` needs a verdict for: those of every
        `x-links-to` whose glob it matches (or that names no glob)."""
        return sorted({schema for glob, schema in self.link_targets
                       if not glob or glob_match(glob, path)})

    def _validator(self, label: str, document: Any, base_uri: str) -> Any:
        validator = self._validators.get(label)
        if validator is None:
            validator = self._validators[label] = _build_validator(
                document, base_uri, root=Path(self.root) if self.root else None,
                documents=self.documents)
        return validator

    def _name_of(self, uri: str) -> str:
        if self.root and uri.startswith("file:"):
            try:
                return confined_path(uri, Path(self.root)).relative_to(
                    Path(self.root).resolve()).as_posix()
            except (RefusedReference, ValueError):
                pass
        return uri

    def __getstate__(self) -> dict[str, Any]:
        return {"entries": self.entries, "digest": self.digest, "root": self.root,
                "documents": self.documents, "property_types": self.property_types,
                "link_schemas": self.link_schemas, "typed": self.typed,
                "link_targets": self.link_targets, "_validators": {}}


def _links_to_specs(document: Any, base_uri: str, label: str,
                    where: Path) -> Iterator[dict[str, str]]:
    """Every `x-links-to` in a schema document; ConfigError for one notewarden cannot
    follow (not an object of string `glob` and `schema`)."""
    for node, _base in subschemas(document, base_uri):
        if LINKS_TO not in node:
            continue
        spec = node[LINKS_TO]
        if not valid_spec(spec):
            shown = json.dumps(spec, ensure_ascii=False)[:80]
            raise ConfigError(f"{where}: schema {label!r}: {LINKS_TO} must be an object with "
                              f"optional string members `glob` and `schema`, not {shown}")
        yield spec


def _patterns(document: Any, base_uri: str) -> Iterator[str]:
    """Every regex a schema document holds: `pattern` values, `patternProperties` keys."""
    for node, _base in subschemas(document, base_uri):
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            yield pattern
        properties = node.get("patternProperties")
        if isinstance(properties, dict):
            yield from properties


_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _read_schema(root: Path, ref: str, where: Path, named_by: str = "") -> tuple[bytes, str]:
    """A schema named in `.notewarden.toml` (or by an `x-links-to`, `named_by`): a bundled
    name, or a file inside the vault, by its path from the vault root."""
    what = f"{named_by} schema" if named_by else "schema"
    if "/" not in ref and "\\" not in ref and not ref.endswith(".json"):
        raw = _read_bundled(ref)
        if raw is None:
            names = ", ".join(bundled_schema_names())
            raise ConfigError(f"{where}: no bundled schema named {ref!r} (bundled: {names})")
        return raw, f"{BUNDLED_PREFIX}{ref}"
    if _URI_SCHEME.match(ref) or Path(ref).is_absolute() or ref.startswith(("/", "\\")):
        raise ConfigError(f"{where}: {what} {ref!r} must be a path relative to the vault "
                          "root or the name of a bundled schema")
    path = (root / ref).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ConfigError(f"{where}: {what} {ref!r} is outside the vault ({path}); schemas "
                          "must be files in the vault or bundled schemas")
    try:
        return read_settings_file(path), path.as_uri()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read {what} {ref!r}: "
                          f"{exc.strerror or exc}") from None


def _check_schema(document: Any, ref: str, where: Path) -> None:
    from jsonschema import Draft202012Validator, exceptions
    from jsonschema.validators import validator_for

    cls = validator_for(document, default=Draft202012Validator)
    try:
        cls.check_schema(document, format_checker=_meta_format_checker(cls))
    except exceptions.SchemaError as exc:
        raise ConfigError(f"{where}: schema {ref!r} is not a valid JSON Schema: "
                          f"{exc.message}") from None


def _meta_format_checker(cls: Any) -> Any:
    """The draft's format checker, with `regex` read as ECMA-262 (as the spec says), not
    as Python's `re`. A valid regex RE2 cannot run passes here: SchemaSet.check then names
    the reason."""
    import copy

    checker = copy.copy(cls.FORMAT_CHECKER)
    checker.checkers = dict(checker.checkers)

    def is_ecma_regex(instance: object) -> bool:
        if isinstance(instance, str):
            try:
                ecma_regex.translate(instance)
            except ecma_regex.InvalidPattern:
                return False
            except ecma_regex.UnsupportedPattern:
                return True
        return True

    checker.checks("regex")(is_ecma_regex)
    return checker


_duration_registered: list[bool] = []


def _register_lazy_duration() -> None:
    """Give the draft 2019-09 and 2020-12 format checkers jsonschema's own `duration`
    check, importing isoduration only when a schema's `duration` value is checked."""
    if _duration_registered:
        return
    _duration_registered.append(True)
    from jsonschema import Draft201909Validator, Draft202012Validator

    if sys.modules.get("isoduration", False) is None:
        del sys.modules["isoduration"]  # jsonschema has loaded: let the real one in
    for cls in (Draft201909Validator, Draft202012Validator):
        if "duration" not in cls.FORMAT_CHECKER.checkers:
            cls.FORMAT_CHECKER.checks("duration")(_is_duration)


def _is_duration(instance: object) -> bool:
    # As jsonschema's is_duration, which is registered only when isoduration is loaded.
    if not isinstance(instance, str):
        return True
    try:
        import isoduration
    except ImportError:  # not installed: jsonschema would not check it either
        return True
    try:
        isoduration.parse_duration(instance)
    except isoduration.DurationParsingException:
        return False
    return instance.endswith(tuple("DMYWHMS"))


def _build_validator(document: Any, base_uri: str, *, root: Path | None = None,
                     documents: Mapping[str, Any] | None = None) -> Any:
    """A validator for the schema: jsonschema's class for its draft, with bounded regexes,
    references confined to `root` and the bundled schemas (`documents` holds those
    already read when the schemas were loaded), and the leaf shortcut."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def resource(contents: Any) -> Resource:
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    def retrieve(uri: str) -> Resource:
        # Only for URIs the load-time scan did not foresee (built by `$id`s or
        # `$dynamicRef`s it could not follow): the same confinement, at validation time.
        name = bundled_name(uri)
        if name is not None:
            raw = _read_bundled(name)
            if raw is None:
                raise RefusedReference(uri, "no bundled schema by that name")
            return resource(json.loads(raw))
        if root is None:
            raise RefusedReference(uri, "not a bundled schema")
        return resource(json.loads(read_settings_file(confined_path(uri, root))))

    if _LAZY_DURATION:
        _register_lazy_duration()
    cls = validator_for(document, default=Draft202012Validator)
    document = with_absolute_id(document, base_uri)
    registry: Any = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    if documents:
        registry = registry.with_resources(
            (uri, resource(contents)) for uri, contents in documents.items())
    return _with_leaf_shortcut(_with_bounded_keywords(cls))(
        document, format_checker=_format_checker(cls), registry=registry)


@cache
def _format_checker(cls: Any) -> Any:
    """The draft's format checker plus notewarden's `wikilink` format (typed_links)."""
    import copy

    checker = copy.copy(cls.FORMAT_CHECKER)
    checker.checkers = dict(checker.checkers)
    checker.checks(WIKILINK_FORMAT)(is_wikilink)
    return checker


def _extras(extras: list[Any]) -> str:
    """`'a', 'b' were` (jsonschema's wording, so that findings read as before)."""
    return f"{', '.join(repr(extra) for extra in extras)} {'was' if len(extras) == 1 else 'were'}"


@cache  # one class per draft, as _with_leaf_shortcut (which is keyed on this class)
def _with_bounded_keywords(cls: Any) -> Any:
    """The validator class with its regex keywords run on RE2 (ecma_regex) and its
    reference keywords reporting a refused or missing target as an error of the schema.

    jsonschema's own `pattern`, `patternProperties`, `additionalProperties` and
    `unevaluatedProperties` call Python's `re`, which backtracks. These do the same work,
    with the same messages and error paths (tests/test_untrusted_schemas.py checks them
    against plain jsonschema), but match through ecma_regex. A regex that cannot be run
    (the schema check refuses those first) or a value too long for it is an error on the
    value, never a pass."""
    from jsonschema.exceptions import ValidationError
    from jsonschema.validators import extend
    from referencing.exceptions import Unresolvable

    keywords = cls.VALIDATORS
    legacy = "$recursiveRef" in keywords  # draft 2019-09 collects evaluated keys its own way

    def unmatchable(pattern: str, exc: ecma_regex.PatternError) -> Any:
        return ValidationError(f"cannot check pattern {pattern!r}: {exc.reason}",
                               validator="pattern", validator_value=pattern)

    def matcher(pattern: str) -> ecma_regex.BoundedPattern:
        return ecma_regex.compile_pattern(pattern)

    def pattern(validator: Any, regex: Any, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string"):
            try:
                matched = matcher(regex).search(instance)
            except ecma_regex.PatternError as exc:
                yield unmatchable(regex, exc)
                return
            if not matched:
                yield ValidationError(f"{instance!r} does not match {regex!r}")

    def matching_keys(patterns: Any, instance: Any) -> tuple[set[str], list[Any]]:
        """The keys some pattern matches, and the errors of patterns that cannot run."""
        keys: set[str] = set()
        errors = []
        for regex in patterns:
            try:
                compiled = matcher(regex)
                keys.update(key for key in instance if compiled.search(key))
            except ecma_regex.PatternError as exc:
                errors.append(unmatchable(regex, exc))
        return keys, errors

    def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        for regex, subschema in patterns.items():
            try:
                compiled = matcher(regex)
                matched = [key for key in instance if compiled.search(key)]
            except ecma_regex.PatternError as exc:
                yield unmatchable(regex, exc)
                continue
            for key in matched:
                yield from validator.descend(instance[key], subschema, path=key,
                                             schema_path=regex)

    def additional_properties(validator: Any, extra_schema: Any, instance: Any,
                              schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        declared = schema.get("properties", {})
        matched, errors = matching_keys(schema.get("patternProperties", {}), instance)
        yield from errors
        extras = {key for key in instance if key not in declared and key not in matched}
        if validator.is_type(extra_schema, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], extra_schema, path=extra)
        elif not extra_schema and extras:
            if "patternProperties" in schema:
                verb = "does" if len(extras) == 1 else "do"
                joined = ", ".join(repr(each) for each in sorted(extras))
                patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
                yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
            else:
                yield ValidationError("Additional properties are not allowed "
                                      f"({_extras(sorted(extras, key=str))} unexpected)")

    def evaluated_keys(validator: Any, instance: Any, schema: Any) -> list[Any]:
        # The keys that count as evaluated for `unevaluatedProperties`, collected over
        # the keywords that evaluate properties, as jsonschema collects them.
        if validator.is_type(schema, "boolean"):
            return []
        keys: list[Any] = []
        for keyword in ("$ref", "$dynamicRef", "$recursiveRef"):
            if keyword not in schema or (keyword == "$dynamicRef" and legacy):
                continue
            try:
                if keyword == "$recursiveRef":
                    from referencing.jsonschema import lookup_recursive_ref

                    resolved = lookup_recursive_ref(validator._resolver)
                else:
                    resolved = validator._resolver.lookup(schema[keyword])
            except Unresolvable:
                continue  # the reference keyword itself reports it
            keys += evaluated_keys(
                validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                instance, resolved.contents)
        if legacy:
            for keyword in ("properties", "additionalProperties", "unevaluatedProperties"):
                value = schema.get(keyword)
                if keyword in schema and validator.is_type(value, "boolean") and value:
                    keys += instance.keys()
                elif keyword in schema and validator.is_type(value, "object"):
                    keys += [name for name in value if name in instance]
        else:
            declared = schema.get("properties")
            if validator.is_type(declared, "object"):
                keys += declared.keys() & instance.keys()
            for keyword in ("additionalProperties", "unevaluatedProperties"):
                subschema = schema.get(keyword)
                if subschema is not None:
                    keys += [key for key, value in instance.items()
                             if next(validator.descend(value, subschema), None) is None]
        if "patternProperties" in schema:
            keys += matching_keys(schema["patternProperties"], instance)[0]
        for name, subschema in schema.get("dependentSchemas", {}).items():
            if name in instance:
                keys += evaluated_keys(validator, instance, subschema)
        for keyword in ("allOf", "oneOf", "anyOf"):
            for subschema in schema.get(keyword, []):
                if next(validator.descend(instance, subschema), None) is None:
                    keys += evaluated_keys(validator, instance, subschema)
        if "if" in schema:
            if validator.evolve(schema=schema["if"]).is_valid(instance):
                keys += evaluated_keys(validator, instance, schema["if"])
                if "then" in schema:
                    keys += evaluated_keys(validator, instance, schema["then"])
            elif "else" in schema:
                keys += evaluated_keys(validator, instance, schema["else"])
        return keys

    def unevaluated_properties(validator: Any, unevaluated: Any, instance: Any,
                               schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        evaluated = evaluated_keys(validator, instance, schema)
        failing = []
        for name in instance:
            if name not in evaluated:
                for _error in validator.descend(instance[name], unevaluated, path=name,
                                                schema_path=name):
                    failing.append(name)  # once per error, as jsonschema does
        if failing and unevaluated is False:
            yield ValidationError("Unevaluated properties are not allowed "
                                  f"({_extras(sorted(failing, key=str))} unexpected)")
        elif failing:
            yield ValidationError("Unevaluated properties are not valid under the given "
                                  f"schema ({_extras(failing)} unevaluated and invalid)")

    def guarded(original: Any) -> Any:
        def reference(validator: Any, ref: Any, instance: Any, schema: Any) -> Any:
            try:
                yield from original(validator, ref, instance, schema)
            except Unresolvable as exc:
                yield ValidationError(_unresolvable(ref, exc), validator="$ref",
                                      validator_value=ref)

        return reference

    replaced: dict[str, Any] = {"pattern": pattern, "patternProperties": pattern_properties,
                                "additionalProperties": additional_properties}
    if "unevaluatedProperties" in keywords:
        replaced["unevaluatedProperties"] = unevaluated_properties
    for keyword in ("$ref", "$dynamicRef", "$recursiveRef"):
        if keyword in keywords:
            replaced[keyword] = guarded(keywords[keyword])
    return extend(cls, replaced)


def _unresolvable(ref: str, exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, RefusedReference):
            # The reason names the target: the ref itself would say it twice, and a long
            # message is cut short (rules/schema.py).
            return (f"$ref is not followed: {cause.reason} (a schema may refer only to the "
                    "vault's files and bundled schemas)")
        cause = cause.__cause__ or getattr(cause, "_wrapped", None)
    return f"$ref {ref!r} cannot be resolved"


# Keywords that judge a value by itself and their own argument, never by the schema around
# them or by descending further; the others (annotations) are ignored by validation.
_LEAF_KEYWORDS = frozenset({
    "type", "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "title", "description", "$comment", "default", "examples", "deprecated", "readOnly",
    "writeOnly", LINKS_TO,  # x-links-to is checked against the index, not here
})


_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
_MAX_VERDICTS = 50_000  # per schema and process: a few MB at most


@cache  # one class per draft: making one builds it with attrs, about 1 ms
def _with_leaf_shortcut(cls: Any) -> Any:
    """The validator class with a shortcut for the common case of front-matter: a property
    (or array item) whose subschema holds only leaf keywords, and whose value passes them.

    jsonschema validates every property by descending into its subschema, which builds a
    new validator and resolver scope each time: three quarters of a note's validation.
    Leaf keywords need neither, so they run here on the parent validator, with jsonschema's
    own keyword functions. Anything else, and any value that fails, takes jsonschema's
    usual path, so the errors reported (and their paths) are exactly jsonschema's."""
    from jsonschema.validators import extend

    keywords = cls.VALIDATORS
    properties, items = keywords["properties"], keywords["items"]
    # Verdicts for scalar values, by (subschema, value type, value): a leaf keyword's verdict
    # depends on nothing else, and front-matter repeats its values (`status: active`,
    # `type: note`, booleans, dates) from note to note.
    # Each entry keeps its subschema, so that the id in its key is never reused by another.
    verdicts: dict[tuple[int, type, Any], tuple[dict[str, Any], bool]] = {}

    def passes(validator: Any, subschema: Any, value: Any) -> bool:
        if type(subschema) is not dict:
            return False
        kind = value.__class__
        if kind in _SCALAR_TYPES:
            key = (id(subschema), kind, value)
            hit = verdicts.get(key)
            if hit is None:
                if len(verdicts) >= _MAX_VERDICTS:
                    verdicts.clear()
                hit = verdicts[key] = (subschema, leaf_passes(validator, subschema, value))
            return hit[1]
        return leaf_passes(validator, subschema, value)

    def leaf_passes(validator: Any, subschema: dict[str, Any], value: Any) -> bool:
        if not subschema.keys() <= _LEAF_KEYWORDS:
            return False
        for keyword, argument in subschema.items():
            check = keywords.get(keyword)
            if check is not None:
                errors = check(validator, argument, value, subschema)
                if errors is not None and next(iter(errors), None) is not None:
                    return False
        return True

    def leaf_properties(validator: Any, declared: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        failing = {name: subschema for name, subschema in declared.items()
                   if name in instance and not passes(validator, subschema, instance[name])}
        if failing:
            yield from properties(validator, failing, instance, schema)

    def leaf_items(validator: Any, each: Any, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "array") and "prefixItems" not in schema \
                and all(passes(validator, each, item) for item in instance):
            return
        yield from items(validator, each, instance, schema)

    return extend(cls, {"properties": leaf_properties, "items": leaf_items})
