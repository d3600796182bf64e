"""The Dagster graph as text, compared with the committed snapshot, so a change to the graph (an asset
added, renamed or regrouped, a dependency, check, job, schedule or sensor changed) shows in review.

After an intended change, regenerate it and commit the difference:

    CSC_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest -q tests/test_definitions_snapshot.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from csc_pipeline.catalog import load_catalog
from csc_pipeline.definitions import build_definitions
from csc_pipeline.settings import Settings

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.txt"


def _partitions(partitions_def) -> str:
    """Release partitions are dynamic (the catalog's releases are added at run time): their name."""
    if partitions_def is None:
        return ""
    return f" partitions={type(partitions_def).__name__}({getattr(partitions_def, 'name', None) or '?'})"


def render_definitions(defs) -> str:
    graph = defs.resolve_asset_graph()
    lines = ["# assets: key [group] partitions <- parents"]
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        parents = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(f"{key.to_user_string()} [{node.group_name}]{_partitions(node.partitions_def)} <- {parents}")
    lines.append("# checks: asset:check (blocking)")
    lines += sorted(f"{n.key.asset_key.to_user_string()}:{n.key.name}{' (blocking)' if n.blocking else ''}"
                    for n in graph.asset_check_nodes)
    lines.append("# jobs: name: assets selected, partitions")
    for job in sorted(defs.jobs, key=lambda j: j.name):
        resolved = defs.resolve_job_def(job.name)
        lines.append(f"{job.name}: {len(resolved.asset_layer.selected_asset_keys)} assets{_partitions(resolved.partitions_def)}")
    lines.append("# schedules: name: cron (timezone) -> job")
    lines += sorted(f"{s.name}: {s.cron_schedule} ({s.execution_timezone}) -> {s.job_name}" for s in defs.schedules)
    lines.append("# sensors: name (default status) -> jobs")
    lines += sorted(f"{s.name} ({s.default_status.value}) -> {', '.join(sorted(t.job_name for t in s.targets)) or '-'}"
                    for s in defs.sensors)
    return "\n".join(lines) + "\n"


def test_the_definitions_match_the_committed_snapshot(tmp_path):
    rendered = render_definitions(build_definitions(Settings(data_lake=tmp_path), load_catalog()))
    if os.environ.get("CSC_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.is_file() else ""
    difference = "".join(difflib.unified_diff(committed.splitlines(True), rendered.splitlines(True),
                                              str(SNAPSHOT), "the definitions now"))
    assert not difference, ("the Dagster graph differs from the snapshot; if intended, regenerate it with "
                            "CSC_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest -q tests/test_definitions_snapshot.py\n"
                            + difference)
