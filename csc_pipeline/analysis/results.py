"""The contract between the analysis families and the Dagster wrapper that runs them.

Every family of ``methods.md`` is a module in this package that declares ``SPEC = FamilySpec(...)``
(found by ``registry.families()``) with

    def run(inputs: AnalysisInputs, config: dict) -> AnalysisOutput

``config`` is that family's section of ``analysis/config.yaml`` (merged with ``shared``); the
module reads it into its own typed settings. ``run`` computes tables and headlines and asks for
charts (``ChartRequest``), which ``charts/<family>.py`` draws. The wrapper loads the inputs from the
warehouse once, writes every returned table to DuckDB with its comments, attaches the charts to the
asset's metadata and gathers the headlines and tables into the HTML report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from csc_pipeline.analysis.formatting import indicator_label


@dataclass(frozen=True)
class AnalysisInputs:
    """What the analyses read: warehouse marts as polars frames, and where charts go.

    panel: ``mart.la_indicator_panel`` (both geographies; filter ``geography``).
    la_reference: ``mart.la_reference``.
    ofsted_in_force: ``mart.ofsted_judgement_in_force`` (England, one row per LA and 31 March).
    ofsted_judgements: ``mart.ofsted_judgements`` (one row per LA, inspection and judgement area).
    neighbours: ``mart.statistical_neighbours``.
    indicator_dictionary: ``mart.indicator_dictionary`` (kind, numerator and denominator of each
    rate and percentage), for the analyses that go back from a rate to its counts.
    apportionment_weights: ``mart.apportionment_weights`` (predecessor -> successor links), for
    counting an apportioned set of current authorities once (``panel_frames.count_apportioned_sets_once``).
    rate_variants: ``mart.la_rate_variants`` (rates on other bases, e.g. over the latest population
    vintage); None only in tests that build inputs by hand.
    area_values: ``mart.area_indicator_values`` (national and regional values as published), set
    beside the trends' sums of LA values.
    """

    panel: pl.DataFrame
    la_reference: pl.DataFrame
    ofsted_in_force: pl.DataFrame
    ofsted_judgements: pl.DataFrame
    neighbours: pl.DataFrame
    synthetic: bool
    charts_dir: Path
    indicator_dictionary: pl.DataFrame | None = None
    apportionment_weights: pl.DataFrame | None = None
    rate_variants: pl.DataFrame | None = None
    area_values: pl.DataFrame | None = None

    def label(self, indicator: str) -> str:
        """The indicator's title from the dictionary, for chart titles and axes (never the raw id)."""
        if self.indicator_dictionary is None or "definition" not in self.indicator_dictionary.columns:
            return indicator  # inputs built by hand in tests
        found = self.indicator_dictionary.filter(pl.col("indicator") == indicator)["definition"]
        return indicator_label(found[0] if found.len() else None, indicator)


@dataclass(frozen=True)
class AnalysisTable:
    """One warehouse table: ``name`` is schema-qualified (``analysis.change_in_rate``)."""

    name: str
    frame: pl.DataFrame
    description: str
    columns: dict[str, str]  # column -> comment; every column of ``frame`` must be described


@dataclass(frozen=True)
class ChartRequest:
    """A chart a family asks for: ``chart`` names the function of ``charts/<family>.py`` that draws
    it to ``path``; ``data`` are that function's arguments besides the path and the inputs."""

    chart: str
    path: Path
    data: dict


@dataclass
class AnalysisOutput:
    family: str
    tables: list[AnalysisTable] = field(default_factory=list)
    charts: list[Path] = field(default_factory=list)  # drawn: charts.draw fills it from chart_requests
    headlines: list[str] = field(default_factory=list)  # short sentences for the report
    chart_requests: list[ChartRequest] = field(default_factory=list)


@dataclass(frozen=True)
class FamilySpec:
    """An analysis family, as its module declares it (``SPEC = FamilySpec(...)``)."""

    name: str  # the module's name, its asset analysis/<name> and its section of config.yaml
    title: str  # its section heading in the report, numbered as in methods.md
    run: Callable[[AnalysisInputs, dict], AnalysisOutput]
    parse_config: Callable[[dict], object]  # the settings ``run`` reads, checked (a ConfigError names a bad key)
    # Other families' settings sections ``run`` also receives (under the section's name): e.g. the
    # correlations of deprivation residuals use the deprivation family's period, measures and exclusions.
    reads: tuple[str, ...] = ()
