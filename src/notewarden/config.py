"""Configuration: `.notewarden.toml` at the vault root, plus Obsidian's `.obsidian/app.json`
and `.obsidian/types.json` (the vault's property types).

Unknown keys are an error that names the file, so a typo never silently disables a check.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from notewarden.model import Severity
from notewarden.names import did_you_mean
from notewarden.reading import read_regular_file

CONFIG_FILE = ".notewarden.toml"
TYPES_FILE = ".obsidian/types.json"
OFF = "off"
MAX_SETTINGS_BYTES = 4 * 1024 * 1024
# The type names Obsidian writes into types.json (Text, List, Number, Checkbox, Date,
# Date & time, and the built-in types of `aliases` and `tags`).
PROPERTY_TYPE_NAMES = frozenset({"text", "multitext", "number", "checkbox", "date",
                                 "datetime", "aliases", "tags"})


class ConfigError(Exception):
    """A problem with the user's configuration; reported in one line, exit code 2."""


@dataclass(frozen=True)
class Config:
    root: Path
    source: Path | None = None  # the .notewarden.toml read, if any
    schemas: tuple[tuple[str, str], ...] = (("**", "obsidian"),)  # (glob, schema)
    severities: dict[str, str] = field(default_factory=dict)  # rule -> severity or "off"
    ignore: tuple[str, ...] = ()
    attachment_folder: str = "/"
    user_ignore_filters: tuple[str, ...] = ()
    new_link_format: str = "shortest"
    backlinks_globs: tuple[str, ...] = ()
    symmetric_properties: tuple[str, ...] = ()
    rename_adds_alias: bool = True
    # From .obsidian/types.json: (property name, lowercased, as Obsidian compares them;
    # type), sorted. `property_types_problem` says why the file could not be used.
    property_types: tuple[tuple[str, str], ...] = ()
    property_types_problem: str | None = None

    def is_ignored(self, path: str) -> bool:
        """True for files the user excluded: config `ignore` globs and Obsidian's
        "Excluded files" (`userIgnoreFilters`). They stay in the index, because Obsidian
        still resolves links to them, but nothing is reported in them."""
        if any(glob_match(glob, path) for glob in self.ignore):
            return True
        return any(_obsidian_filter_match(rule, path) for rule in self.user_ignore_filters)


@dataclass(frozen=True)
class ConfigOverrides:
    """What the command line changes in the configuration: `--config FILE` reads another
    file instead of the vault's `.notewarden.toml`, and `--extend-exclude GLOB` adds globs
    to its `ignore` list (vault-relative, like those)."""

    config_file: Path | None = None
    extend_exclude: tuple[str, ...] = ()


_TOP_KEYS = {"ignore", "schemas", "rules", "backlinks", "watch"}
_BACKLINK_KEYS = {"notes", "symmetric"}
_WATCH_KEYS = {"rename-adds-alias"}


def load_config(root: Path, known_rules: set[str],
                overrides: ConfigOverrides | None = None) -> Config:
    """Read the vault's config files. Raises ConfigError with a one-line message."""
    overrides = overrides or ConfigOverrides()
    app = _read_app_json(root)
    path = root / CONFIG_FILE
    if overrides.config_file is not None:
        path = overrides.config_file.absolute()
        if not path.exists():
            raise ConfigError(f"{path}: no such config file (given with --config)")
    settings: dict[str, Any] = {}
    if path.exists():  # a FIFO or folder by that name is an error, not "no config"
        try:
            settings = tomllib.loads(read_settings_file(path).decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    _reject_unknown(path, "", settings, _TOP_KEYS)

    schemas: tuple[tuple[str, str], ...] = (("**", "obsidian"),)
    if "schemas" in settings:
        table = _table(path, "schemas", settings["schemas"])
        for glob, ref in table.items():
            if not isinstance(ref, str) or not ref:
                raise ConfigError(f"{path}: schemas.{glob!r} must be a schema file or name")
        schemas = tuple(table.items())

    severities: dict[str, str] = {}
    for written, value in _table(path, "rules", settings.get("rules", {})).items():
        rule = written.strip().lower()  # rule names match case-insensitively
        if rule not in known_rules:
            raise ConfigError(f"{path}: unknown rule {written!r} in [rules]"
                              f"{did_you_mean(written, known_rules)}")
        if isinstance(value, dict):
            _reject_unknown(path, f"rules.{written}.", value, {"severity"})
            value = value.get("severity")
        allowed = [s.value for s in Severity] + [OFF]
        if value not in allowed:
            raise ConfigError(
                f"{path}: rules.{written} must be one of {', '.join(allowed)}, not {value!r}"
            )
        severities[rule] = value

    backlinks = _table(path, "backlinks", settings.get("backlinks", {}))
    _reject_unknown(path, "backlinks.", backlinks, _BACKLINK_KEYS)
    watch = _table(path, "watch", settings.get("watch", {}))
    _reject_unknown(path, "watch.", watch, _WATCH_KEYS)
    rename_adds_alias = watch.get("rename-adds-alias", True)
    if not isinstance(rename_adds_alias, bool):
        raise ConfigError(f"{path}: watch.rename-adds-alias must be true or false")

    user_ignore_filters = tuple(
        item for item in app.get("userIgnoreFilters") or [] if isinstance(item, str))
    _check_obsidian_filters(root / ".obsidian" / "app.json", user_ignore_filters)
    property_types, property_types_problem = read_property_types(root)
    return Config(
        root=root,
        source=path if settings or path.exists() else None,
        schemas=schemas,
        severities=severities,
        ignore=_string_list(path, "ignore", settings.get("ignore", []))
        + overrides.extend_exclude,
        attachment_folder=str(app.get("attachmentFolderPath") or "/"),
        user_ignore_filters=user_ignore_filters,
        new_link_format=str(app.get("newLinkFormat") or "shortest"),
        backlinks_globs=_string_list(path, "backlinks.notes", backlinks.get("notes", [])),
        symmetric_properties=_string_list(
            path, "backlinks.symmetric", backlinks.get("symmetric", [])
        ),
        rename_adds_alias=rename_adds_alias,
        property_types=property_types,
        property_types_problem=property_types_problem,
    )


def _read_app_json(root: Path) -> dict[str, Any]:
    path = root / ".obsidian" / "app.json"
    try:
        data = json.loads(read_settings_file(path))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read Obsidian settings: {exc}") from None
    except RecursionError:  # arrays nested past what json.loads can recurse into
        raise ConfigError(f"{path}: cannot read Obsidian settings: nested too deeply") from None
    return data if isinstance(data, dict) else {}


def read_property_types(root: Path) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """The vault's property types from `.obsidian/types.json` (`{"types": {name: type}}`),
    and why the file could not be used, if it could not (a one-line warning: a damaged file
    of Obsidian's turns the property-type rule off rather than stopping the run). Entries
    that are not a string naming a known type are left out, as a later Obsidian may add
    types. Names are lowercased: Obsidian treats `URL` and `url` as one property."""
    path = root / TYPES_FILE
    try:
        data = json.loads(read_settings_file(path))
    except FileNotFoundError:
        return (), None
    except OSError as exc:
        return (), f"{path}: cannot read Obsidian's property types: {exc.strerror or exc}"
    except (ValueError, RecursionError) as exc:  # RecursionError: nested past json's limit
        reason = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        return (), f"{path}: not valid JSON ({reason}); property types are not checked"
    types = data.get("types") if isinstance(data, dict) else None
    if not isinstance(types, dict):
        return (), f"{path}: has no \"types\" object; property types are not checked"
    found = {name.lower(): kind for name, kind in types.items()
             if isinstance(name, str) and isinstance(kind, str) and kind in PROPERTY_TYPE_NAMES}
    return tuple(sorted(found.items())), None


def read_settings_file(path: Path) -> bytes:
    """A settings file's bytes (config, Obsidian's JSON, a schema): only a regular file,
    never a FIFO or device that could block, and at most MAX_SETTINGS_BYTES."""
    data = read_regular_file(path, MAX_SETTINGS_BYTES)
    if len(data) > MAX_SETTINGS_BYTES:
        raise OSError(f"over the {MAX_SETTINGS_BYTES // 2**20} MB limit for a settings file")
    return data


def _reject_unknown(path: Path, prefix: str, table: dict[str, Any], known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {prefix}{unknown[0]!r}"
            f" (expected one of: {', '.join(sorted(known))})"
        )


def _table(path: Path, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{key}] must be a table")
    return value


def _string_list(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return tuple(value)


@lru_cache(maxsize=512)
def _glob_regex(glob: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))


def glob_match(glob: str, path: str) -> bool:
    """Match a vault-relative POSIX path against a glob (`*`, `?`, `**`).

    A glob naming a folder also matches everything inside it.
    """
    glob = glob.strip("/")
    if _glob_regex(glob).fullmatch(path):
        return True
    slash = path.rfind("/")
    return slash != -1 and _matches_a_folder_of(glob, path[:slash])


@lru_cache(maxsize=4096)
def _matches_a_folder_of(glob: str, folder: str) -> bool:
    """Does the glob match `folder` or a folder above it? (Remembered: a vault's notes
    share a few hundred folders, and this runs for every note and schema.)"""
    regex = _glob_regex(glob)
    parts = folder.split("/")
    return any(regex.fullmatch("/".join(parts[:i])) for i in range(1, len(parts) + 1))


def _is_regex_filter(rule: str) -> bool:
    return len(rule) > 2 and rule.startswith("/") and rule.endswith("/")


def _check_obsidian_filters(source: Path, rules: tuple[str, ...]) -> None:
    """A `/regex/` filter that is valid JavaScript but cannot run in linear time
    (backreferences, lookaround) is a ConfigError now, not a hang or a skip later."""
    regexes = [rule for rule in rules if _is_regex_filter(rule)]
    if not regexes:
        return
    from notewarden.ecma_regex import InvalidPattern, UnsupportedPattern, compile_pattern

    for rule in regexes:
        try:
            compile_pattern(rule[1:-1], unicode=False)
        except InvalidPattern:
            pass  # not a regex at all: Obsidian excludes nothing with it, nor does notewarden
        except UnsupportedPattern as exc:
            raise ConfigError(f"{source}: userIgnoreFilters (Excluded files) entry {rule!r} "
                              f"cannot be matched in bounded time: {exc.reason}") from None


def _obsidian_filter_match(rule: str, path: str) -> bool:
    """Obsidian's "Excluded files": a `/regex/` (a JavaScript regex, matched anywhere in
    the path) or a path prefix such as `Templates/`. The regex runs on RE2 (ecma_regex),
    in time linear in the path, as the file names of a vault are untrusted input."""
    if _is_regex_filter(rule):
        from notewarden.ecma_regex import InvalidPattern, PatternError, compile_pattern

        try:
            return compile_pattern(rule[1:-1], unicode=False).search(path)
        except InvalidPattern:
            return False  # not a regex: Obsidian's RegExp would throw, and exclude nothing
        except PatternError as exc:  # a path too long for this pattern (load checked the rest)
            raise ConfigError(f".obsidian/app.json: userIgnoreFilters (Excluded files) entry "
                              f"{rule!r} cannot be matched against {path!r}: {exc.reason}"
                              ) from None
    return path.startswith(rule)
