"""Trends charts: the national and regional series, the interrupted time series and the LA small multiples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from matplotlib.ticker import MaxNLocator

from csc_pipeline.analysis import trends
from csc_pipeline.analysis.charts.figures import labelled_title, plt, save_figure_atomic
from csc_pipeline.analysis.results import AnalysisInputs
from csc_pipeline.analysis.trends import TrendsSettings, region_lookup


def _label(fig, inputs: AnalysisInputs, title: str) -> None:
    fig.suptitle(labelled_title(title, inputs.synthetic), color="firebrick" if inputs.synthetic else "black", y=1.03)


def _value_label(indicator: str, unit: str | None) -> str:
    """The y axis: the unit (the chart's title names the indicator), the id only when there is no unit."""
    return unit or indicator


def _year_axis(ax) -> None:
    ax.set_xlabel("year ending 31 March")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no 2007.5 ticks on annual series


def national_regional(path: Path, inputs: AnalysisInputs, series: pl.DataFrame, indicator: str, unit: str | None) -> Path:
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    for ax, level in ((left, "nation"), (right, "region")):
        for (area,), rows in series.filter(pl.col("area_level") == level).sort("area", "year").group_by(["area"], maintain_order=True):
            ax.plot(rows["year"], rows["value"], marker="o" if level == "nation" else None, markersize=3, label=area)
        _year_axis(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    left.set_title("Nations")
    right.set_title("English regions")
    left.set_ylabel(_value_label(indicator, unit))
    _label(fig, inputs, f"{inputs.label(indicator)}: summed LA numerators over summed denominators")
    return save_figure_atomic(fig, path)


def its(path: Path, inputs: AnalysisInputs, national: pl.DataFrame, fit: dict, indicator: str, unit: str | None, nation: str,
        settings: TrendsSettings) -> Path:
    """The national series with the break marked; the fitted segments when fitted, else why not."""
    years = np.asarray(national["year"].to_list(), dtype=float)
    fig, ax = plt.subplots(figsize=(9, 5))
    ax.plot(years, national["value"], "o", color="black", label=f"{nation} (summed counts)")
    ax.axvline(settings.first_post_break_year - 0.5, color="grey", linestyle=":", label=f"break before {settings.first_post_break_year}")
    if fit["status"] == "fitted":
        grid = np.arange(years.min(), years.max() + 1, dtype=float)
        design = trends.design_matrix(grid, settings.first_post_break_year)  # same origin as the fit: the grid starts at the first year
        params = np.array([fit[t] for t in trends.ITS_TERMS])
        fitted = design @ params
        counterfactual = design[:, :2] @ params[:2]
        pre, post = grid < settings.first_post_break_year, grid >= settings.first_post_break_year
        ax.plot(grid[pre], fitted[pre], color="tab:blue", label="pre-break trend")
        ax.plot(grid[post], fitted[post], color="tab:red", label="post-break trend")
        ax.plot(grid[post], counterfactual[post], "--", color="tab:blue", alpha=0.6, label="pre-break trend continued")
        level = settings.confidence_level * 100
        ax.set_title(f"level change {fit['level_change']:+.2f} ({level:.0f}% CI {fit['level_change_ci_low']:.2f} to {fit['level_change_ci_high']:.2f}); "
                     f"slope change {fit['slope_change']:+.2f} a year ({fit['slope_change_ci_low']:.2f} to {fit['slope_change_ci_high']:.2f})", fontsize=9)
    else:
        ax.set_title(f"not fitted: {fit['skip_reason']}", fontsize=9, color="firebrick")
    _year_axis(ax)
    ax.set_ylabel(_value_label(indicator, unit))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _label(fig, inputs, f"Interrupted time series: {inputs.label(indicator)}, {nation}")
    return save_figure_atomic(fig, path)


def small_multiples(path: Path, inputs: AnalysisInputs, components: pl.DataFrame, kind: str, national: pl.DataFrame, indicator: str,
                    unit: str | None, las: list[str], settings: TrendsSettings) -> Path:
    """One panel per LA: its value, its region's and its neighbours' (each, and pooled)."""
    regions = region_lookup(components)
    fig, axes = plt.subplots(1, len(las), figsize=(5 * len(las), 4.5), sharey=True, squeeze=False)
    for ax, code in zip(axes[0], las):
        la = components.filter((pl.col("la_code") == code) & pl.col("value").is_not_null()).sort("year")
        region = regions.get(code)
        area = national.filter((pl.col("indicator") == indicator) & (pl.col("area") == region)
                               & (pl.col("area_level") == ("nation" if region == "Wales" else "region"))).sort("year")
        neighbour_codes = trends.neighbour_codes(inputs.neighbours, code, settings.neighbours_shown)
        # drawn in code order: the translucent lines overlap, so an order left to a sort on year alone (ties in any
        # order) drew a slightly different PNG on each run
        for i, (_, rows) in enumerate(components.filter(pl.col("la_code").is_in(neighbour_codes) & pl.col("value").is_not_null())
                                      .sort("la_code", "year").group_by("la_code", maintain_order=True)):
            ax.plot(rows["year"], rows["value"], color="grey", alpha=0.4, linewidth=0.8, label="statistical neighbours" if i == 0 else None)
        if neighbour_codes:
            pooled = trends.aggregate(components.filter(pl.col("la_code").is_in(neighbour_codes)), kind,
                               [("neighbours", "nation", pl.lit(True))]).sort("year")
            ax.plot(pooled["year"], pooled["value"], "--", color="dimgrey", label="neighbours pooled")
        else:
            ax.text(0.02, 0.02, "no statistical neighbours in the warehouse", transform=ax.transAxes, fontsize=8, color="grey")
        ax.plot(area["year"], area["value"], color="tab:blue", label=region)
        ax.plot(la["year"], la["value"], color="black", marker="o", markersize=3, label=la["la_name"][0] if la.height else code)
        ax.set_title(la["la_name"][0] if la.height else code, fontsize=10)
        _year_axis(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel(_value_label(indicator, unit))
    _label(fig, inputs, f"{inputs.label(indicator)}: LAs against their region and statistical neighbours")
    return save_figure_atomic(fig, path)
