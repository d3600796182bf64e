"""Change-in-rate charts: LAs' average rate and average change by region."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from csc_pipeline.analysis.charts.figures import labelled_title, plt, save_figure_atomic
from csc_pipeline.analysis.results import AnalysisInputs


def box_plot(path: Path, inputs: AnalysisInputs, changes: pl.DataFrame, indicator: str, nation: str, first: int, last: int) -> Path:
    # one set of region labels, left of both panels (each panel's own labels overlapped the other panel)
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True, layout="constrained")
    regions = sorted(changes["region"].drop_nulls().unique().to_list())
    for ax, measure, label in ((axes[0], "avg_rate", "average rate per 10,000"),
                               (axes[1], "avg_change", "average yearly change per 10,000")):
        data = [changes.filter((pl.col("region") == r) & pl.col(measure).is_not_null())[measure].to_list() for r in regions]
        ax.boxplot(data, tick_labels=regions, orientation="horizontal")
        ax.set_xlabel(label)
    fig.suptitle(labelled_title(f"{inputs.label(indicator)}: {nation} LAs by region, {first}-{last}", inputs.synthetic))
    return save_figure_atomic(fig, path)
