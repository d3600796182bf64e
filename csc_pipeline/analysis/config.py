"""Analysis settings: methods.md's defaults in ``config.yaml``, optionally overlaid by a user file.

A data team changes a period, an indicator set, an exclusion or a threshold by writing a small YAML
file with just those keys and pointing ``CSC_ANALYSIS_CONFIG`` at it: no code changes. Each family module turns
its section into typed settings and rejects keys it does not know.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULTS_PATH = Path(__file__).with_name("config.yaml")
SHARED = "shared"


class AnalysisConfigError(ValueError):
    """The analysis configuration is malformed; the message names the file and key."""


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise AnalysisConfigError(f"{path}: cannot read analysis settings: {error}") from error
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise AnalysisConfigError(f"{path}: expected a mapping of section name -> settings mapping")
    return data


def _overlay(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _overlay(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@dataclass(frozen=True)
class AnalysisConfig:
    sections: dict[str, dict]
    source: str  # the file(s) the settings came from, for error messages and the report

    def for_family(self, family: str, reads: tuple[str, ...] = ()) -> dict:
        """The family's settings: its own section laid over the shared one, plus each section in ``reads``
        (itself laid over the shared one) under that section's name, for a family that builds on another's results."""
        settings = _overlay(self.sections.get(SHARED, {}), self.sections.get(family, {}))
        return settings | {section: self.for_family(section) for section in reads}


def load_analysis_config(override: Path | None = None, defaults: Path = DEFAULTS_PATH) -> AnalysisConfig:
    sections = _read(defaults)
    source = str(defaults)
    if override is not None:
        extra = _read(override)
        unknown = sorted(set(extra) - set(sections))
        if unknown:
            raise AnalysisConfigError(
                f"{override}: unknown section(s) {', '.join(unknown)}; known: {', '.join(sorted(sections))}"
            )
        sections = _overlay(sections, extra)
        source = f"{defaults} overlaid by {override}"
    return AnalysisConfig(sections, source)
