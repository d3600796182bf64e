"""The Dagster definitions load and follow the project's conventions."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetKey

from csc_pipeline.catalog import load_catalog
from csc_pipeline.definitions import build_definitions
from csc_pipeline.settings import Settings


def test_definitions_load_with_layer_groups_kinds_owners_and_descriptions(tmp_path):
    defs = build_definitions(Settings(data_lake=tmp_path))
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"source_files", "conformed", "loaded", "reference", "staging", "intermediate", "marts", "analysis", "publish"} <= groups
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


def test_each_release_group_has_a_partitioned_job_and_the_schedule_rebuilds_downstream(tmp_path):
    catalog = load_catalog()
    defs = build_definitions(Settings(data_lake=tmp_path), catalog)
    (schedule,) = defs.schedules
    assert (schedule.name, schedule.job_name) == ("annual_refresh", "csc_refresh")
    assert not any(k.path[0] == "source_files" for k in defs.resolve_job_def("csc_refresh").asset_layer.selected_asset_keys)
    cla = defs.resolve_job_def("release__children_looked_after_in_england_including_adoptions")
    selected = cla.asset_layer.selected_asset_keys
    assert {k for k in selected if k.path[0] == "source_files"} == {AssetKey(["source_files", "cla_number_and_rate"])}
    assert AssetKey(["warehouse", "published"]) in selected
    assert len([j for j in defs.jobs if j.name.startswith("release__")]) == len(catalog.release_groups())


def test_the_code_location_loads_as_the_webserver_loads_it(tmp_path):
    # The UI serialises every job, schedule and sensor: a job mixing two release groups' partitions
    # would fail here although the Python objects build.
    import os
    import subprocess
    import sys

    checkout = Path(__file__).resolve().parents[1]
    env = dict(os.environ, DAGSTER_HOME=str(tmp_path), CSC_DATA_LAKE=str(tmp_path / "lake"))
    done = subprocess.run([sys.executable, "-m", "dagster", "definitions", "validate", "-w", str(checkout / "workspace.yaml")],
                          cwd=checkout, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
