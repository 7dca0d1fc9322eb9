"""Where a JSON Schema's references may lead: only to the vault's own files and to the
schemas bundled with notewarden.

A schema in a vault is untrusted input. Left to itself, `$ref` reaches any URI: a file
anywhere on the machine (`file:///etc/passwd`, `/abs/path.json`, `../../outside.json`, a
symlink in the vault pointing out of it), a web address, or wherever an `$id` rebases the
references under it. Its values can then surface in findings (`1 is not one of
['TOPSECRET-123']`). So when the schemas are loaded, every `$ref`, `$dynamicRef` and
`$recursiveRef` is resolved here the way jsonschema's `referencing` resolves it
(`urljoin` against the base URI in force, which each `$id` changes), and each must land on:

- a resource the documents themselves define (the document, or an embedded `$id`);
- a file inside the vault (after following symlinks), which is read here, through
  `read_settings_file`, and scanned in turn;
- a bundled schema, `urn:notewarden:schema:NAME`;
- a JSON Schema meta-schema, which jsonschema ships (nothing is fetched).

Anything else is a ConfigError naming the schema and the reference, and nothing outside
the vault is ever opened. `confined_path` is also what the validators' retrieve function
uses at validation time, for a URI this scan could not foresee.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from notewarden.config import ConfigError, read_settings_file

BUNDLED_PREFIX = "urn:notewarden:schema:"
REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
# Keywords whose values are data, never schemas: a `$ref` key in an `enum` is a value.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})
# Keywords whose values are objects mapping names to schemas.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions",
                          "dependentSchemas", "dependencies"})
_META_HOSTS = ("http://json-schema.org/", "https://json-schema.org/")


class RefusedReference(LookupError):
    """A reference that leads outside the vault and the bundled schemas."""

    def __init__(self, uri: str, reason: str) -> None:
        super().__init__(f"{uri}: {reason}")
        self.uri, self.reason = uri, reason


@dataclass(frozen=True)
class Reached:
    """A document a schema's references reach, as read."""

    uri: str  # the URI it is retrieved by (a file: URI in the vault, or a bundled URN)
    raw: bytes
    document: Any


def confined_path(uri: str, root: Path) -> Path:
    """The real path (symlinks followed) of a `file:` URI, if it lies inside the vault;
    raises RefusedReference otherwise. Touches nothing but the path's symlinks."""
    parsed = urlparse(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise RefusedReference(uri, "not a file in the vault")
    path = Path(unquote(parsed.path))
    if not path.is_absolute():
        raise RefusedReference(uri, "not an absolute file URI")
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise RefusedReference(uri, f"{real} is outside the vault")
    return real


def bundled_name(uri: str) -> str | None:
    """NAME for `urn:notewarden:schema:NAME`, else None."""
    return uri[len(BUNDLED_PREFIX):] if uri.startswith(BUNDLED_PREFIX) else None


def with_absolute_id(document: Any, retrieval_uri: str) -> Any:
    """The document with its root `$id` (or draft-4 `id`) made absolute against the URI it
    was read from, as the spec says: jsonschema would take a relative root `$id` as it is,
    so references under it would resolve differently from what `reachable` checked."""
    if not isinstance(document, dict):
        return document
    dialect = _dialect(document, "dollar")
    key = "id" if dialect == "id" else "$id"
    own = _id_of(document, dialect)
    base = urldefrag(urljoin(retrieval_uri, own))[0] if own else retrieval_uri
    if own is None and key in document:  # an `$id` that is no id here (beside `$ref`)
        return document
    return {**document, key: base}


def subschemas(document: Any, base_uri: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Every schema object in a document, with the base URI in force there (each `$id`
    rebases what is under it). Values of unknown keywords are walked too, as a `$ref`
    with a JSON pointer may reach into them; only data keywords (`enum`, `const`,
    `default`, `examples`) are not."""
    pending: list[tuple[Any, str, str]] = [(document, base_uri, _dialect(document, "dollar"))]
    while pending:
        node, base, dialect = pending.pop()
        if not isinstance(node, dict):
            continue
        dialect = _dialect(node, dialect)
        own = _id_of(node, dialect)
        if own:
            base = urldefrag(urljoin(base, own))[0]
        yield node, base
        for key, value in node.items():
            if key in _DATA_KEYWORDS:
                continue
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                pending.extend((child, base, dialect) for child in value.values())
            elif isinstance(value, dict):
                pending.append((value, base, dialect))
            elif isinstance(value, list):
                pending.extend((child, base, dialect) for child in value)


def references(document: Any, base_uri: str) -> Iterator[tuple[str, str, str]]:
    """(keyword, reference as written, absolute URI it resolves to) for every reference in
    the document."""
    for node, base in subschemas(document, base_uri):
        for keyword in REF_KEYWORDS:
            ref = node.get(keyword)
            if isinstance(ref, str):
                yield keyword, ref, urljoin(base, ref)


def reachable(document: Any, base_uri: str, *, root: Path, label: str, where: Path,
              read_bundled: Callable[[str], bytes | None]) -> list[Reached]:
    """The documents a schema's references reach, read and parsed (the schema itself not
    included). Raises ConfigError, naming the schema and the reference, for a reference
    that leads anywhere but the vault's files and the bundled schemas."""
    found: list[Reached] = []
    loaded = {base_uri}
    known: set[str] = set()  # resources the documents define: no retrieval needed
    elsewhere: list[tuple[str, str, str]] = []
    pending = [(document, base_uri, label)]
    while pending:
        current, uri, name = pending.pop()
        known.update(base for _node, base in subschemas(current, uri))
        for keyword, ref, target in references(current, uri):
            target_uri = urldefrag(target)[0]
            if target_uri.startswith("file:"):
                try:
                    path = confined_path(target_uri, root)
                except RefusedReference as exc:
                    reason = exc.reason if ref == target_uri else f"{target_uri}: {exc.reason}"
                    raise _refused(where, name, keyword, ref, reason) from None
                if target_uri in loaded or target_uri in known:
                    continue
                loaded.add(target_uri)
                raw = _read_referenced(path, where, name, keyword, ref)
                reached = Reached(target_uri, raw, _parse(raw, where, name, keyword, ref))
                found.append(reached)
                pending.append((reached.document, target_uri, _relative(path, root)))
            elif (bundled := bundled_name(target_uri)) is not None:
                if target_uri in loaded:
                    continue
                bundled_raw = read_bundled(bundled)
                if bundled_raw is None:
                    raise _refused(where, name, keyword, ref, "no bundled schema by that name")
                loaded.add(target_uri)
                reached = Reached(target_uri, bundled_raw, json.loads(bundled_raw))
                found.append(reached)
                pending.append((reached.document, target_uri, target_uri))
            else:
                elsewhere.append((name, f"{keyword} {ref!r}", target_uri))
    for name, what, target_uri in elsewhere:
        if target_uri not in known and target_uri not in loaded and not _is_meta_schema(
                target_uri):
            raise ConfigError(f"{where}: schema {name!r}: {what} leads to {target_uri}, "
                              f"which is not in the vault; {_ALLOWED}")
    return found


_ALLOWED = ("a schema may refer only to files in the vault and to bundled schemas "
            f"({BUNDLED_PREFIX}NAME)")


def _refused(where: Path, name: str, keyword: str, ref: str, reason: str) -> ConfigError:
    return ConfigError(f"{where}: schema {name!r}: {keyword} {ref!r} is refused: {reason}; "
                       f"{_ALLOWED}")


def _read_referenced(path: Path, where: Path, name: str, keyword: str, ref: str) -> bytes:
    try:
        return read_settings_file(path)
    except OSError as exc:
        raise ConfigError(f"{where}: schema {name!r}: {keyword} {ref!r}: cannot read {path}: "
                          f"{exc.strerror or exc}") from None


def _parse(raw: bytes, where: Path, name: str, keyword: str, ref: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{where}: schema {name!r}: {keyword} {ref!r} names a file that "
                          f"is not valid JSON: {exc}") from None


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root.resolve()).as_posix()


def _is_meta_schema(uri: str) -> bool:
    """A JSON Schema meta-schema, which jsonschema ships and resolves without fetching."""
    if not uri.startswith(_META_HOSTS):
        return False
    from jsonschema_specifications import REGISTRY  # only for schemas that name one

    return uri in REGISTRY


def _dialect(node: dict[str, Any] | Any, inherited: str) -> str:
    """How `$id` is spelt and read under the node's `$schema` (if it names a draft):
    "id" (drafts 3 and 4), "legacy" (6 and 7: ignored beside `$ref`, `#...` is an anchor)
    or "dollar" (2019-09, 2020-12)."""
    schema = node.get("$schema") if isinstance(node, dict) else None
    if not isinstance(schema, str):
        return inherited
    if "draft-03" in schema or "draft-04" in schema:
        return "id"
    if "draft-06" in schema or "draft-07" in schema:
        return "legacy"
    return "dollar"


def _id_of(node: dict[str, Any], dialect: str) -> str | None:
    key = "id" if dialect == "id" else "$id"
    value = node.get(key)
    if not isinstance(value, str):
        return None
    if dialect != "dollar" and ("$ref" in node or value.startswith("#")):
        return None
    return value
