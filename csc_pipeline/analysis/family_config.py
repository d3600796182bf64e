"""Reading a family's YAML section into its frozen settings dataclass, with errors that name the key.

``analysis/config.yaml`` is the one source of every default: a settings class declares each key as
a typed dataclass field without a default, and a key the family's section leaves out takes the
value config.yaml gives it (tests/test_analysis_framework.py checks no field has a default of its
own). The field's type is the type the key must have: ``tuple`` for a list (lists become tuples so
the settings stay hashable and frozen), ``X | None`` where null is allowed, a nested settings class
for a nested section.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

from csc_pipeline.analysis.config import load_analysis_config

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration key that is unknown or has an invalid value."""


def _as_tuple(value: Any) -> tuple:
    return tuple(_as_tuple(v) if isinstance(v, list) else v for v in value)


def _allowed(expected: Any) -> tuple[type, ...]:
    """The classes a field's type admits: the members of a union (``int | None``), else the type itself."""
    members = typing.get_args(expected) if isinstance(expected, types.UnionType) or typing.get_origin(expected) is typing.Union else (expected,)
    return tuple(typing.get_origin(member) or member for member in members)


def _check_type(key: str, value: Any, expected: Any) -> Any:
    allowed = _allowed(expected)
    if value is None and type(None) in allowed:
        return None
    for kind in allowed:
        if kind is bool:
            if isinstance(value, bool):
                return value
        elif kind is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        elif kind is float:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        elif kind is tuple:
            if isinstance(value, (list, tuple)):
                return _as_tuple(value)
        elif isinstance(value, kind):
            return value
    names = " or ".join("null" if kind is type(None) else "list" if kind is tuple else kind.__name__ for kind in allowed)
    raise ConfigError(f"config key {key!r}: expected {names}, got {value!r}")


def parse_settings(cls: type[T], raw: dict | None, section: str, defaults: dict | None = None) -> T:
    """Build ``cls`` from ``raw`` (a YAML mapping), config.yaml's section ``section`` for absent keys
    (``defaults``: that section's values, for a nested section); ``section`` prefixes key names in errors."""
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ConfigError(f"config section {section!r}: expected a mapping, got {type(raw).__name__}")
    if defaults is None:
        defaults = load_analysis_config().for_family(section)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"config section {section!r}: unknown key(s) {', '.join(map(repr, unknown))}; known keys: {', '.join(sorted(fields))}")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, f in fields.items():
        key = f"{section}.{name}"
        if dataclasses.is_dataclass(hints[name]):
            values[name] = parse_settings(hints[name], raw.get(name), key, defaults.get(name, {}))
        elif name in raw or name in defaults:
            values[name] = _check_type(key, raw[name] if name in raw else defaults[name], hints[name])
        elif f.default is dataclasses.MISSING:
            raise ConfigError(f"config key {key!r}: config.yaml gives it no value")
    try:
        return cls(**values)
    except ConfigError as error:
        raise ConfigError(f"config section {section!r}: {error}") from None


def require(condition: bool, key: str, message: str) -> None:
    """For ``__post_init__`` value checks: raise a ConfigError naming ``key`` unless ``condition``."""
    if not condition:
        raise ConfigError(f"config key {key!r}: {message}")
