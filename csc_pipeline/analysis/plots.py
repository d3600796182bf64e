"""Trend charts rendered to PNG with matplotlib (no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: CI and servers have no display
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

from csc_pipeline.atomic import PUBLIC, atomic_path  # noqa: E402

SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA - not official statistics"


def save_figure_atomic(fig, path: Path) -> Path:
    """Render ``fig`` to ``path`` as PNG (atomically) and close it, even when rendering fails."""
    try:
        # The temporary file ends in .png because savefig picks the format by the ending.
        with atomic_path(path, mode=PUBLIC, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def plot_cla_trends(trend: pl.DataFrame, path: Path, synthetic: bool) -> Path:
    """National lines (England, Wales) and English regional lines of the CLA rate per 10,000."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    for (nation,), rows in trend.filter(pl.col("area_level") == "nation").sort("year").group_by(["area"], maintain_order=True):
        left.plot(rows["year"], rows["cla_rate_per_10k"], marker="o", label=nation)
    regions = trend.filter(pl.col("area_level") == "region").sort("year")
    for (region,), rows in regions.group_by(["area"], maintain_order=True):
        right.plot(rows["year"], rows["cla_rate_per_10k"], label=region, linewidth=1.4)
    left.set_title("Children looked after at 31 March: nations")
    right.set_title("English regions")
    left.set_ylabel("per 10,000 children aged 0-17")
    for ax in (left, right):
        ax.set_xlabel("year ending 31 March")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if synthetic:
        fig.suptitle(SYNTHETIC_LABEL, color="firebrick", fontsize=12, fontweight="bold")
    return save_figure_atomic(fig, path)
