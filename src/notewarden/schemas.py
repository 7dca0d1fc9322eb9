"""Loading the JSON Schemas that `.notewarden.toml` maps to notes.

A schema is named either by a path relative to the vault root or by the name of a schema
bundled with notewarden (`obsidian`). Validators are built once per process and reused;
formats (`date`, `date-time`, `email`, `uri`) are checked, which jsonschema does not do by
default.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from notewarden.config import Config, ConfigError, glob_match

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
    _validators: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, config: Config) -> SchemaSet:
        where = config.source or (config.root / ".notewarden.toml")
        entries = []
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
            if base_uri.startswith("file:"):
                for referenced in _referenced_files(document, _uri_path(base_uri)):
                    hasher.update(str(referenced).encode() + b"\0")
                    try:
                        hasher.update(referenced.read_bytes())
                    except OSError:
                        hasher.update(b"<missing>")
        return cls(entries, hasher.hexdigest())

    def check(self, config: Config) -> None:
        """Reject schemas that are not valid JSON Schemas (ConfigError). Called only when
        notes are about to be parsed: a warm run never needs jsonschema at all."""
        if self.digest in _PASSED:
            return
        where = config.source or (config.root / ".notewarden.toml")
        for _glob, label, document, _base in self.entries:
            _check_schema(document, label, where)
        _PASSED.add(self.digest)

    def validators_for(self, path: str) -> list[tuple[str, Any]]:
        """(label, validator) for every schema whose glob matches the note's path."""
        return [
            (label, self._validator(label, document, base_uri))
            for glob, label, document, base_uri in self.entries
            if glob_match(glob, path)
        ]

    def _validator(self, label: str, document: Any, base_uri: str) -> Any:
        validator = self._validators.get(label)
        if validator is None:
            validator = self._validators[label] = _build_validator(document, base_uri)
        return validator

    def __getstate__(self) -> dict[str, Any]:
        return {"entries": self.entries, "digest": self.digest, "_validators": {}}


def _uri_path(uri: str) -> Path:
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(uri).path))


def _referenced_files(document: Any, path: Path) -> list[Path]:
    """Local files a schema reaches through `$ref` (recursively), so that editing one of
    them invalidates cached findings just as editing the schema itself does."""
    found: list[Path] = []
    pending = [(document, path)]
    seen = {path.resolve()}
    while pending:
        node, base = pending.pop()
        stack = [node]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                ref = value.get("$ref")
                if isinstance(ref, str) and not ref.startswith("#") and ":" not in ref:
                    target = (base.parent / ref.split("#", 1)[0]).resolve()
                    if target not in seen:
                        seen.add(target)
                        found.append(target)
                        with contextlib.suppress(OSError, ValueError):
                            pending.append((json.loads(target.read_bytes()), target))
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
    return found


def _read_schema(root: Path, ref: str, where: Path) -> tuple[bytes, str]:
    if "/" not in ref and not ref.endswith(".json"):
        raw = _read_bundled(ref)
        if raw is None:
            names = ", ".join(bundled_schema_names())
            raise ConfigError(f"{where}: no bundled schema named {ref!r} (bundled: {names})")
        return raw, f"urn:notewarden:schema:{ref}"
    path = (root / ref).resolve()
    try:
        return path.read_bytes(), path.as_uri()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read schema {ref!r}: {exc.strerror}") from None


def _check_schema(document: Any, ref: str, where: Path) -> None:
    from jsonschema import Draft202012Validator, exceptions
    from jsonschema.validators import validator_for

    cls = validator_for(document, default=Draft202012Validator)
    try:
        cls.check_schema(document)
    except exceptions.SchemaError as exc:
        raise ConfigError(f"{where}: schema {ref!r} is not a valid JSON Schema: "
                          f"{exc.message}") from None


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


def _build_validator(document: Any, base_uri: str) -> Any:
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def retrieve(uri: str) -> Resource:
        # Relative `$ref`s between schema files in the vault.
        if not uri.startswith("file:"):
            raise LookupError(uri)
        from urllib.parse import unquote, urlparse

        text = Path(unquote(urlparse(uri).path)).read_text(encoding="utf-8")
        return Resource.from_contents(json.loads(text), default_specification=DRAFT202012)

    if _LAZY_DURATION:
        _register_lazy_duration()
    cls = validator_for(document, default=Draft202012Validator)
    if isinstance(document, dict) and "$id" not in document:
        document = {"$id": base_uri, **document}
    return _with_leaf_shortcut(cls)(document, format_checker=cls.FORMAT_CHECKER,
                                    registry=Registry(retrieve=retrieve))  # type: ignore[call-arg]


# Keywords that judge a value by itself and their own argument, never by the schema around
# them or by descending further; the others (annotations) are ignored by validation.
_LEAF_KEYWORDS = frozenset({
    "type", "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "title", "description", "$comment", "default", "examples", "deprecated", "readOnly",
    "writeOnly",
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
