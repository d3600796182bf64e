"""The release sensor against a local stand-in for EES: a new release is one partition run, once."""

from __future__ import annotations

import dataclasses
import json
import uuid

from dagster import AssetKey, build_sensor_context, instance_for_test
from fake_publisher import ees_page, fake_ees, release_zip

from csc_pipeline import acquire, release_check
from csc_pipeline.catalog import load_catalog
from csc_pipeline.definitions import build_definitions
from csc_pipeline.defs import runs
from csc_pipeline.defs.ingest import release_partitions
from csc_pipeline.settings import Settings

CLA_GROUP = "children_looked_after_in_england_including_adoptions"
CLA_PUBLICATION = "children-looked-after-in-england-including-adoptions"
CLA_MEMBER = "data/cla_number_and_rate_per_10k_children.csv"
CLA_SOURCE = AssetKey(["source_files", "cla_number_and_rate"])


def _evaluate(sensor, instance, defs, cursor):
    result = sensor(build_sensor_context(instance=instance, definitions=defs, cursor=cursor, resources={"settings": defs.resources["settings"]}))
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def test_a_new_release_on_the_publisher_is_one_partition_run_and_is_processed_once(tmp_path, shared_demo_settings):
    csv_bytes = (acquire.ensure_demo_source(shared_demo_settings) / "dfe/cla/ees_release_2025/cla_number_and_rate_per_10k_children.csv").read_bytes()
    real = load_catalog()
    publications = release_check.ees_publications(real)
    assert publications[CLA_GROUP] == CLA_PUBLICATION
    routes = {f"/find-statistics/{pub}": ees_page(real.releases(group, "live")[-1], str(uuid.uuid4()))
              for group, pub in publications.items()}
    server = fake_ees(routes)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    catalog = dataclasses.replace(real, allowed_hosts=frozenset({"127.0.0.1"}), ees_site=base, ees_content_api=f"{base}/api")
    settings = Settings(source_mode="live", data_lake=tmp_path / "lake")
    defs = build_definitions(settings, catalog)
    sensor = defs.resolve_sensor_def("ees_release_sensor")
    try:
        with instance_for_test() as instance:
            runs.register_releases(instance, catalog, "live")
            # First check: nothing obtained yet, so each publication's current release is one run.
            first = _evaluate(sensor, instance, defs, None)
            assert sorted(r.tags["csc/release_group"] for r in first.run_requests) == sorted(publications)
            assert not first.dynamic_partitions_requests  # the catalog's releases are registered already

            # The publisher puts out release 2026 of CLA.
            new_id = str(uuid.uuid4())
            routes[f"/find-statistics/{CLA_PUBLICATION}"] = ees_page("2026", new_id)
            routes[f"/find-statistics/{CLA_PUBLICATION}/2026"] = ees_page("2026", new_id)
            routes[f"/api/releases/{new_id}/files"] = release_zip({CLA_MEMBER: csv_bytes})
            second = _evaluate(sensor, instance, defs, first.cursor)
            (request,) = second.run_requests
            assert (request.partition_key, request.run_key) == ("2026", f"{CLA_GROUP}:{new_id}")
            job = defs.resolve_job_def(request.job_name)
            selected = job.asset_layer.selected_asset_keys  # the release's files and everything downstream
            assert {k for k in selected if k.path[0] == "source_files"} == {CLA_SOURCE}
            assert AssetKey(["warehouse", "published"]) in selected
            assert "2026" in instance.get_dynamic_partitions(release_partitions(CLA_GROUP).name)
            assert json.loads(second.cursor)[CLA_GROUP] == new_id

            # Checking again finds nothing to do.
            third = _evaluate(sensor, instance, defs, second.cursor)
            assert not third.run_requests

            # The run obtains release 2026 only (the run's ingest step, without the rest of the pipeline).
            result = job.execute_in_process(instance=instance, partition_key="2026", asset_selection=[CLA_SOURCE])
            assert result.success
            assert instance.get_materialized_partitions(CLA_SOURCE) == {"2026"}
            (record,) = json.loads(acquire.manifest_path(settings, "cla_number_and_rate", "2026").read_text())
            assert record["entry_id"] == "dfe_cla_number_and_rate_2025@2026" and record["release"] == "2026"
            assert record["source"] == f"{base}/api/releases/{new_id}/files#cla_number_and_rate_per_10k_children.csv"

            # A lost cursor does not process an obtained release again.
            fresh = _evaluate(sensor, instance, defs, None)
            assert CLA_GROUP not in {r.tags["csc/release_group"] for r in fresh.run_requests}
            assert json.loads(fresh.cursor)[CLA_GROUP] == new_id
    finally:
        server.shutdown()


def test_the_sensor_only_checks_publishers_in_live_mode(tmp_path):
    defs = build_definitions(Settings(source_mode="demo", data_lake=tmp_path))
    with instance_for_test() as instance:
        result = defs.resolve_sensor_def("ees_release_sensor")(build_sensor_context(instance=instance, definitions=defs, resources={"settings": defs.resources["settings"]}))
    assert not result.run_requests and "live mode" in result.skip_reason.skip_message


def test_release_labels_from_a_publisher_page_are_checked_before_use():
    import pytest

    from csc_pipeline import publishers

    assert publishers.ees_latest_release(ees_page("2026", "abc").decode()) == ("2026", "abc")
    for bad in ("../2026", "2026/x", "", "A B"):
        with pytest.raises(ValueError):
            publishers.ees_latest_release(ees_page(bad, "abc").decode())
