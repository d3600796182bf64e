"""Deprivation charts: the funnel plots of LA rates and percentages against their control limits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from csc_pipeline.analysis.charts.figures import plt, save_figure_atomic
from csc_pipeline.analysis.funnel import Overdispersion, control_limits, level_label, named_las, outside_widest
from csc_pipeline.analysis.results import AnalysisInputs
from csc_pipeline.synthetic import SYNTHETIC_LABEL

# Where an LA's name may go relative to its point (points): right/left, above/below, then further out.
LABEL_OFFSETS = ((4, 3), (4, -10), (-4, 3), (-4, -10), (4, 12), (-4, 12), (4, -19), (-4, -19))


def funnel(
    path: Path,
    inputs: AnalysisInputs,
    positions: pl.DataFrame,
    kind: str,
    multiplier: float,
    levels: tuple[float, ...],
    dispersion: Overdispersion,
    title: str,
    y_label: str,
    x_label: str,
    label_max: int,
) -> Path:
    """The funnel chart; the ``label_max`` LAs furthest outside the widest limits (funnel.named_las) are named,
    the other LAs outside them only marked.

    With one target for all LAs the limits are drawn as smooth curves over the denominator; with
    per-LA targets (deprivation-expected) the chart shows observed / target, and each LA's limits
    divided by its target are joined in order of denominator.
    """
    frame = positions.sort("denominator")
    x = frame["denominator"].to_numpy().astype(float)
    single_target = frame["target"].n_unique() == 1
    scale = np.ones(len(frame)) if single_target else frame["target"].to_numpy().astype(float)
    fig, ax = plt.subplots(figsize=(9, 6))
    outside = outside_widest(frame, levels)
    named = set(named_las(frame, levels, label_max))
    ax.scatter(x, frame["observed"].to_numpy() / scale, s=14, color="steelblue", alpha=0.8, label="LA")
    styles = ["--", ":", "-."]
    for level, style in zip(sorted(levels), styles):
        if single_target:
            grid = np.geomspace(max(x.min() * 0.8, 1.0), x.max() * 1.1, 200)
            lower, upper = control_limits(kind, frame["target"][0], grid, level, multiplier, dispersion)
            ax.plot(grid, lower, style, color="grey", label=f"{level:.1%} limits")
            ax.plot(grid, upper, style, color="grey")
        else:
            suffix = level_label(level)
            ax.plot(x, frame[f"lower_{suffix}"].to_numpy() / scale, style, color="grey", label=f"{level:.1%} limits")
            ax.plot(x, frame[f"upper_{suffix}"].to_numpy() / scale, style, color="grey")
    ax.axhline(frame["target"][0] if single_target else 1.0, color="black", linewidth=1, label="target" if single_target else "expected")
    if outside.height:
        y = outside["observed"].to_numpy() / (1.0 if single_target else outside["target"].to_numpy())
        ax.scatter(outside["denominator"].to_numpy(), y, s=22, color="firebrick",
                   label=f"outside {max(levels):.1%} limits: {outside.height} LAs, {len(named)} most extreme named")
    ax.set_xscale("log")
    # ticks at 1, 2 and 5 x each power of ten, all as plain thousands (20,000 rather than 2x10^4); the
    # minor ticks unlabelled (matplotlib labels them in its own 2x10^4 notation when a decade is short)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(f"{x_label} (log scale)")
    ax.set_ylabel(y_label if single_target else "observed / deprivation-expected")
    note = "" if dispersion.method == "none" else f" (overdispersion {dispersion.method}: phi={dispersion.phi:.2f}, tau2={dispersion.tau2:.3g})"
    ax.set_title(title + note, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside the axes: the points fill them
    _place_labels(ax, [(row["denominator"], row["observed"] / (1.0 if single_target else row["target"]), row["la_name"] or row["la_code"])
                       for row in outside.filter(pl.col("la_code").is_in(named)).sort("sd_beyond_widest", descending=True).iter_rows(named=True)])
    if inputs.synthetic:
        fig.suptitle(SYNTHETIC_LABEL, color="firebrick", fontsize=12, fontweight="bold")
    return save_figure_atomic(fig, path)


def _place_labels(ax, points: list[tuple[float, float, str]]) -> None:
    """Names next to their points, each at the first of LABEL_OFFSETS where it overlaps no name placed before."""
    ax.get_xlim(), ax.get_ylim()  # settle the autoscaled limits, so the boxes measured are where the names are drawn
    renderer = ax.figure.canvas.get_renderer()
    placed = []
    for x, y, text in points:
        for i, (dx, dy) in enumerate(LABEL_OFFSETS):
            label = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=7, ha="left" if dx > 0 else "right")
            box = label.get_window_extent(renderer)
            if i == len(LABEL_OFFSETS) - 1 or not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            label.remove()
