"""The Dagster definitions load and follow the project's conventions."""

from __future__ import annotations

from dagster import AssetKey

from csc_pipeline.definitions import build_definitions
from csc_pipeline.settings import Settings


def test_definitions_load_with_layer_groups_kinds_owners_and_descriptions(tmp_path):
    defs = build_definitions(Settings(data_lake=tmp_path))
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"ingest", "validate", "load", "reference", "staging", "intermediate", "marts", "analysis", "publish"} <= groups
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, key
        assert node.owners == ["team:csc-data"], key
        assert any(tag.startswith("dagster/kind/") for tag in node.tags), key


def test_contract_checks_are_blocking_and_guard_every_source_family(tmp_path):
    defs = build_definitions(Settings(data_lake=tmp_path))
    graph = defs.resolve_asset_graph()
    conformed = {k for k in graph.get_all_asset_keys() if k.path[0] == "conformed"}
    contract_checks = [n for n in graph.asset_check_nodes if n.key.name == "contract"]
    assert conformed and {n.key.asset_key for n in contract_checks} == conformed
    assert all(n.blocking for n in contract_checks)


def test_panel_feeds_publication_and_the_annual_schedule_targets_everything(tmp_path):
    defs = build_definitions(Settings(data_lake=tmp_path))
    graph = defs.resolve_asset_graph()
    published = AssetKey(["warehouse", "published"])
    assert AssetKey(["mart", "la_indicator_panel"]) in graph.get(published).parent_keys
    (schedule,) = defs.schedules
    assert (schedule.name, schedule.job_name) == ("annual_refresh", "csc_refresh")


def test_settings_are_shown_as_resource_config(tmp_path):
    settings = Settings(source_mode="demo", data_lake=tmp_path)
    resource = build_definitions(settings).resources["pipeline_settings"]
    assert resource.settings() == settings

