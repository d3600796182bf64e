"""The Dagster definitions load and follow the project's conventions."""

from __future__ import annotations

from datetime import datetime, timezone

from dagster import AssetKey, build_schedule_context, instance_for_test

from csc_pipeline.catalog import load_catalog
from csc_pipeline.definitions import build_definitions
from csc_pipeline.defs import runs
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


def test_panel_feeds_publication_and_downstream_assets_follow_their_inputs(tmp_path):
    defs = build_definitions(Settings(data_lake=tmp_path))
    graph = defs.resolve_asset_graph()
    published = AssetKey(["warehouse", "published"])
    assert AssetKey(["mart", "la_indicator_panel"]) in graph.get(published).parent_keys
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if key.path[0] == "source_files":
            assert node.partitions_def is not None and node.automation_condition is None, key
        else:
            assert node.partitions_def is None and node.automation_condition is not None, key
    assert graph.get(published).freshness_policy is not None


def test_the_annual_schedule_requests_every_release_of_every_group_one_run_per_group(tmp_path):
    catalog = load_catalog()
    defs = build_definitions(Settings(data_lake=tmp_path), catalog)
    (schedule,) = defs.schedules
    with instance_for_test() as instance:
        partitions = runs.register_releases(instance, catalog, "demo")
        context = build_schedule_context(instance=instance, scheduled_execution_time=datetime(2026, 12, 1, 6, tzinfo=timezone.utc))
        requests = list(schedule.evaluate_tick(context).run_requests)
    assert len(requests) == len([g for g, keys in partitions.items() if keys])
    cla = next(r for r in requests if r.asset_selection == [AssetKey(["source_files", "cla_number_and_rate"])])
    assert (cla.tags[runs.RANGE_START], cla.tags[runs.RANGE_END]) == ("2021", "2025")
    assert {k.path[-1] for r in requests for k in r.asset_selection} == set(catalog.families()) - {
        f for f in catalog.families() if not catalog.family(f, "demo")}


def test_settings_are_shown_as_resource_config(tmp_path):
    settings = Settings(source_mode="demo", data_lake=tmp_path)
    resource = build_definitions(settings).resources["pipeline_settings"]
    assert resource.settings() == settings

