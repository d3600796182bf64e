"""The shared chart saver (charts/figures.py): one draw, cropped exactly as savefig's bbox_inches="tight" crops."""

from __future__ import annotations

import io

import numpy as np
import pytest

from csc_pipeline.analysis.charts.figures import DPI, plt, save_figure_atomic


def _legend_outside(layout: str | None):
    """A figure whose content reaches beyond its size: a suptitle above it and a legend right of the axes."""
    fig, ax = plt.subplots(figsize=(6, 4), layout=layout)
    years = np.arange(2010, 2026)
    for i in range(6):
        ax.plot(years, np.sqrt(years - 2009) * (i + 1), label=f"a long series name {i}")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_xlabel("year ending 31 March")
    ax.set_ylabel("rate per 10,000")
    fig.suptitle("A title\nwith a second line", y=1.03)
    return fig


@pytest.mark.parametrize("layout", [None, "constrained"])
def test_saved_png_is_byte_identical_to_a_tight_bbox_save(tmp_path, layout):
    tight = io.BytesIO()
    reference = _legend_outside(layout)
    reference.savefig(tight, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(reference)
    path = save_figure_atomic(_legend_outside(layout), tmp_path / "chart.png")
    assert path.read_bytes() == tight.getvalue()
    assert not plt.get_fignums()  # closed


def test_a_failing_render_closes_the_figure_and_leaves_no_file(tmp_path):
    fig = _legend_outside(None)
    fig.axes[0].text(0.5, 0.5, r"$\unknowncommand$")  # mathtext fails when the text is measured
    with pytest.raises(ValueError):
        save_figure_atomic(fig, tmp_path / "chart.png")
    assert not plt.get_fignums() and not list(tmp_path.iterdir())
