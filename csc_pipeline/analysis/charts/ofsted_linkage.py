"""Ofsted linkage charts: grades in force by year, the elastic net's coefficients and its cross-validation curve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from csc_pipeline.analysis.charts.figures import labelled_title, plt, save_figure_atomic
from csc_pipeline.analysis.elastic_net import CrossValidation
from csc_pipeline.analysis.ofsted_linkage import GRADE_NAMES, NO_GRADE, OK, grade_name
from csc_pipeline.analysis.results import AnalysisInputs


def _finish(fig, path: Path, inputs: AnalysisInputs, title: str) -> Path:
    fig.suptitle(labelled_title(title, inputs.synthetic), color="firebrick" if inputs.synthetic else "black")
    return save_figure_atomic(fig, path)


def grade_distribution(path: Path, inputs: AnalysisInputs, grades: pl.DataFrame) -> Path:
    counts = grades.with_columns(grade_name().alias("grade")).group_by("year", "grade").len()
    years = sorted(counts["year"].unique().to_list())
    fig, ax = plt.subplots(figsize=(11, 5))
    bottom = np.zeros(len(years))
    colours = {"Outstanding": "#1a9850", "Good": "#91cf60", GRADE_NAMES[3]: "#fc8d59", "Inadequate": "#d73027", NO_GRADE: "#bdbdbd"}
    for grade, colour in colours.items():
        by_year = dict(counts.filter(pl.col("grade") == grade).select("year", "len").iter_rows())
        heights = np.array([by_year.get(y, 0) for y in years], dtype=float)
        ax.bar(years, heights, bottom=bottom, color=colour, label=grade)
        bottom += heights
    ax.set_xlabel("31 March of year")
    ax.set_ylabel("English LAs")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    return _finish(fig, path, inputs, "Ofsted overall grade in force at 31 March")


def coefficients(path: Path, inputs: AnalysisInputs, coefficients: pl.DataFrame, year: int, status: str) -> Path:
    terms = coefficients.filter(pl.col("is_chosen") & (pl.col("term") != "intercept") & (pl.col("coefficient") != 0)).sort("coefficient")
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(terms.height, 2) + 1.5))
    values = terms["coefficient"].to_list()
    ax.barh(terms["term"].to_list(), values, color=["#d73027" if v > 0 else "#4575b4" for v in values])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("log-odds of Inadequate per SD of the indicator")
    if terms.is_empty():
        ax.text(0.5, 0.5, "no non-zero coefficients at the chosen penalty", ha="center", va="center", transform=ax.transAxes,
                bbox={"facecolor": "white", "edgecolor": "none"})
        ax.set_yticks([])  # no terms: the default 0-centred ticks would read as values
        ax.set_xlim(-1, 1)
    label = "" if status == OK else f" [status: {status}, not a finding]"
    return _finish(fig, path, inputs, f"Elastic-net predictors of an Inadequate rating (indicators of {year}){label}")


def cv_curve(path: Path, inputs: AnalysisInputs, cv: CrossValidation, year: int) -> Path:
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.errorbar(cv.lambdas, cv.mean_deviance, yerr=cv.deviance_se, marker="o", markersize=3, capsize=2, label="model")
    ax.axhline(cv.null_mean_deviance, color="grey", linestyle="--", label="intercept only")
    ax.axvline(cv.chosen_lambda, color="firebrick", linestyle=":", label=f"chosen lambda {cv.chosen_lambda:.3g}")
    ax.set_xscale("log")
    ax.invert_xaxis()  # the path runs from lambda_max (left) to the smallest penalty
    ax.set_xlabel("penalty lambda (path from lambda_max)")
    ax.set_ylabel("held-out binomial deviance per LA")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _finish(fig, path, inputs, f"Cross-validated deviance of the Inadequate model (indicators of {year})")
