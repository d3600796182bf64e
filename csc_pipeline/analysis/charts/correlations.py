"""Correlation charts: heatmaps of rho per year and the stable pairs' median rho."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from csc_pipeline.analysis.charts.figures import labelled_title, plt, save_figure_atomic
from csc_pipeline.analysis.results import AnalysisInputs


def heatmap(path: Path, inputs: AnalysisInputs, rows: pl.DataFrame, indicators: list[str], title: str) -> Path:
    """Matrix of rho (lower and upper triangle), '*' where the BH-adjusted p is below alpha; blank if untested."""
    index = {name: i for i, name in enumerate(indicators)}
    matrix = np.full((len(indicators), len(indicators)), np.nan)
    np.fill_diagonal(matrix, 1.0)
    marks = {}
    for row in rows.iter_rows(named=True):
        i, j = index[row["indicator_a"]], index[row["indicator_b"]]
        matrix[i, j] = matrix[j, i] = row["rho"]
        marks[(i, j)] = marks[(j, i)] = "*" if row["significant_bh"] else ""
    size = 1.0 + 0.6 * len(indicators)
    fig, ax = plt.subplots(figsize=(size + 2.5, size + 1.5))
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-1, vmax=1)
    for (i, j), mark in marks.items():
        ax.text(j, i, f"{matrix[i, j]:.2f}{mark}", ha="center", va="center", fontsize=7,
                color="white" if abs(matrix[i, j]) > 0.6 else "black")
    ax.set_xticks(range(len(indicators)), indicators, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(indicators)), indicators, fontsize=8)
    fig.colorbar(image, ax=ax, shrink=0.7, label="Spearman rho (* BH-adjusted p < alpha)")
    ax.set_title(labelled_title(title, inputs.synthetic), fontsize=10)
    return save_figure_atomic(fig, path)


def stable_pairs(path: Path, inputs: AnalysisInputs, stable: pl.DataFrame, title: str) -> Path:
    """Sorted bar chart of the median rho of the stable pairs, labelled with years significant / tested."""
    rows = stable.sort("median_rho")
    labels = [f"{a} ~ {b}" for a, b in zip(rows["indicator_a"], rows["indicator_b"])]
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.3 * rows.height))
    colours = ["firebrick" if r > 0 else "steelblue" for r in rows["median_rho"]]
    ax.barh(range(rows.height), rows["median_rho"], color=colours)
    for i, row in enumerate(rows.iter_rows(named=True)):
        ax.text(row["median_rho"], i, f" {row['years_significant']}/{row['years_tested']} ", va="center", fontsize=7,
                ha="left" if row["median_rho"] > 0 else "right")
    ax.set_yticks(range(rows.height), labels, fontsize=7)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-1.15, 1.15)
    ax.set_xlabel("median Spearman rho over the years tested (label: years significant / years tested)")
    ax.set_title(labelled_title(title, inputs.synthetic), fontsize=10)
    return save_figure_atomic(fig, path)
