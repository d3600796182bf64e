"""The Dagster UI as a person sees it: the asset graph page shows every layer group."""

from __future__ import annotations

import pytest

from csc_pipeline.ui_check import LAYER_GROUPS, capture_ui, find_chromium


@pytest.mark.skipif(find_chromium() is None, reason="Chromium not installed (.ci/run installs it: apt-get install chromium)")
def test_asset_graph_page_shows_the_layer_groups_and_is_saved(tmp_path):
    path = tmp_path / "ui_asset_graph.png"
    seen = capture_ui(path, tmp_path / "dagster_home")
    assert seen == list(LAYER_GROUPS)
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000  # a rendered page, not a blank
