"""Reading a family's YAML section into its frozen settings dataclass, with errors that name the key.

A settings class declares every key as a dataclass field whose default is the ``methods.md``
default; the type of that default is the type the key must have (lists become tuples so the
settings stay hashable and frozen; a nested dataclass default is a nested section). Fields whose
default is ``None`` name their allowed types in ``field(metadata={"types": (...)})``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration key that is unknown or has an invalid value."""


def _as_tuple(value: Any) -> tuple:
    return tuple(_as_tuple(v) if isinstance(v, list) else v for v in value)


def _check_type(key: str, value: Any, default: Any, allowed: tuple[type, ...] | None) -> Any:
    if allowed is not None:
        if value is None or isinstance(value, allowed) and not isinstance(value, bool) or bool in allowed and isinstance(value, bool):
            return _as_tuple(value) if isinstance(value, list) else value
        raise ConfigError(f"config key {key!r}: expected {' or '.join(t.__name__ for t in allowed)} or null, got {value!r}")
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, tuple):
        ok = isinstance(value, (list, tuple))
        value = _as_tuple(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"config key {key!r}: expected {type(default).__name__}, got {value!r}")
    return value


def parse_settings(cls: type[T], raw: dict | None, section: str) -> T:
    """Build ``cls`` from ``raw`` (a YAML mapping), defaults for absent keys; ``section`` prefixes key names in errors."""
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ConfigError(f"config section {section!r}: expected a mapping, got {type(raw).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"config section {section!r}: unknown key(s) {', '.join(map(repr, unknown))}; known keys: {', '.join(sorted(fields))}")
    values = {}
    for name, value in raw.items():
        f = fields[name]
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        key = f"{section}.{name}"
        if dataclasses.is_dataclass(default):
            values[name] = parse_settings(type(default), value, key)
        else:
            values[name] = _check_type(key, value, default, f.metadata.get("types"))
    try:
        return cls(**values)
    except ConfigError as error:
        raise ConfigError(f"config section {section!r}: {error}") from None


def require(condition: bool, key: str, message: str) -> None:
    """For ``__post_init__`` value checks: raise a ConfigError naming ``key`` unless ``condition``."""
    if not condition:
        raise ConfigError(f"config key {key!r}: {message}")
