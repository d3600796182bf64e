"""Shared chart helpers: atomic PNG rendering with matplotlib (no display needed) and the synthetic-data title."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: CI and servers have no display
import matplotlib.pyplot as plt  # noqa: E402

from csc_pipeline.atomic import PUBLIC, atomic_path  # noqa: E402
from csc_pipeline.synthetic import SYNTHETIC_LABEL  # noqa: E402

def labelled_title(title: str, synthetic: bool) -> str:
    """A chart's title, with the synthetic-data label on a second line when the data are synthetic."""
    return title + (f"\n{SYNTHETIC_LABEL}" if synthetic else "")


def save_figure_atomic(fig, path: Path) -> Path:
    """Render ``fig`` to ``path`` as PNG (atomically) and close it, even when rendering fails."""
    try:
        # The temporary file ends in .png because savefig picks the format by the ending.
        with atomic_path(path, mode=PUBLIC, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
