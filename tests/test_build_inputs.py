"""The build fingerprint: what a published warehouse was made from."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

from csc_pipeline import acquire, build_inputs
from csc_pipeline.settings import Settings


def _obtained(settings: Settings, family: str, release: str, files: dict[str, str]) -> None:
    """Write the manifest a refresh leaves after obtaining ``files`` (entry id -> sha256)."""
    records = [asdict(acquire.Provenance(entry, family, release, settings.source_mode, f"x/{entry}.csv",
                                         "2026-12-07T00:00:00+00:00", sha, 10, f"raw/{sha}", True))
               for entry, sha in files.items()]
    path = acquire.manifest_path(settings, family, release)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records), encoding="utf-8")


def test_the_fingerprint_changes_with_a_file_the_mode_or_the_analysis_config_and_nothing_else(tmp_path):
    settings = Settings(data_lake=tmp_path / "lake")
    _obtained(settings, "cla_number_and_rate", "2024", {"dfe_cla_number_and_rate_2024": "a" * 64})
    first = build_inputs.build_fingerprint(settings)
    # The same files obtained again (a new fetch time) are the same inputs.
    _obtained(settings, "cla_number_and_rate", "2024", {"dfe_cla_number_and_rate_2024": "a" * 64})
    assert build_inputs.build_fingerprint(settings) == first

    _obtained(settings, "cla_number_and_rate", "2024", {"dfe_cla_number_and_rate_2024": "b" * 64})
    revised = build_inputs.build_fingerprint(settings)
    assert revised != first

    config = tmp_path / "analysis.yaml"
    config.write_text("funnel:\n  overdispersion: additive\n", encoding="utf-8")
    assert build_inputs.build_fingerprint(replace(settings, analysis_config=config)) != revised
    assert build_inputs.build_fingerprint(replace(settings, source_mode="mirror", mirror_dir=tmp_path)) != revised


def test_a_publication_is_remembered_only_while_its_warehouse_is_there(tmp_path):
    settings = Settings(data_lake=tmp_path / "lake")
    assert build_inputs.published_from(settings) is None
    settings.warehouse_path.parent.mkdir(parents=True)
    settings.warehouse_path.write_bytes(b"warehouse")
    build_inputs.record_publication(settings, "f" * 64)
    assert build_inputs.published_from(settings) == "f" * 64
    build_inputs.forget_publication(settings)
    assert build_inputs.published_from(settings) is None
    build_inputs.record_publication(settings, "f" * 64)
    settings.warehouse_path.unlink()
    assert build_inputs.published_from(settings) is None
