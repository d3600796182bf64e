"""Adding a source family is the files the README's "Adding a source family" names, nothing else.

A made-up family is added to a temporary copy of the project in exactly those places; a demo refresh
of the copy then carries its values into the published panel.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from csc_pipeline.settings import SOURCE_CHECKOUT

pytestmark = pytest.mark.integration

FAMILY = "example_widgets"
INDICATOR = "example_widgets_count"
MIRROR_PATH = "example/widgets_by_la_2023_to_2025.csv"

FILES = {
    f"csc_pipeline/catalog/{FAMILY}.yaml": f"""
families:
  {FAMILY}:
    publisher: Example publisher
    dataset: Widgets by local authority (made up for tests/test_add_a_family.py)
    licence: OGL-3.0
    modes: [demo]
    releases:
      - {{id: {FAMILY}_2025, release: "2025", mirror_path: {MIRROR_PATH}}}
""",
    f"schemas/{FAMILY}.yaml": f"""
contract: {FAMILY}
title: Widgets by local authority (made up)
reader: csv
columns:
  time_period:      {{kind: integer, not_null: true, min: 2000, max: 2100}}
  time_identifier:  {{kind: text, not_null: true}}
  geographic_level: {{kind: text, not_null: true, allowed: ["Local authority"]}}
  country_code:     {{kind: text, not_null: true}}
  country_name:     {{kind: text, not_null: true}}
  region_code:      {{kind: text}}
  region_name:      {{kind: text}}
  old_la_code:      {{kind: text}}
  new_la_code:      {{kind: text}}
  la_name:          {{kind: text}}
  widgets:          {{kind: number, not_null: true, min: 0}}
unique: [time_period, new_la_code]
la_code_column: new_la_code
la_level: {{column: geographic_level, value: "Local authority"}}
""",
    f"sql/staging/stg_{FAMILY}.sql": f"""-- description: Widgets by local authority (made up for tests/test_add_a_family.py).
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_{FAMILY} AS
WITH panel_cells AS (
    SELECT
        ees_level(w.geographic_level) AS geographic_level,
        ees_area_code(w.geographic_level, w.country_code, w.region_code, w.new_la_code) AS area_code,
        w.old_la_code AS la_code_3,
        w.la_name AS area_name,
        w.country_code,
        CAST(w.time_period AS INTEGER) AS year,
        w.time_identifier || ' ' || w.time_period AS published_period,
        '{INDICATOR}' AS indicator,
        w.widgets AS cell,
        'widgets' AS unit,
        w.source_entry, w.release, w.source_file, w.source_row
    FROM loaded.{FAMILY} AS w
)
SELECT * FROM published_values(panel_cells);
""",
    f"csc_pipeline/reference/indicators/{FAMILY}.csv":
        "indicator,definition,unit,polarity,numerator,denominator,kind\n"
        f"{INDICATOR},Widgets counted by the LA at 31 March (made up),widgets,neutral,,,count\n",
    f"csc_pipeline/demo/families/{FAMILY}.py": f'''"""Demo file of the made-up family ``{FAMILY}``."""

from csc_pipeline.demo.formats import DemoFiles, csv_text
from csc_pipeline.demo.model import Model, march_31

FAMILIES = ("{FAMILY}",)


def write(model: Model, files: DemoFiles) -> None:
    rows = [["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
             "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "widgets"]]
    for year in (2023, 2024, 2025):
        for aid in model.english:
            if model.exists(aid, year):
                period = model.period_at(aid, march_31(year))
                region_code, region_name = period.ees_region
                rows.append([year, "Reporting year", "Local authority", "E92000001", "England", region_code,
                             region_name, period.la_code_3, period.la_code, period.la_name,
                             len(period.la_name) * 10 + year % 100])
    files.write("{MIRROR_PATH}", csv_text(rows, "\\n").encode("utf-8"))
''',
}


def readme_places() -> set[str]:
    """The paths the README's numbered "Adding a source family" steps name, for this family."""
    readme = (SOURCE_CHECKOUT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Adding a source family", 1)[1].split("\n#", 1)[0]
    steps = re.findall(r"^\d+\. `([^`]+)`", section, flags=re.MULTILINE)
    return {step.replace("<family>", FAMILY) for step in steps}


def project_copy(target: Path) -> Path:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=SOURCE_CHECKOUT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = SOURCE_CHECKOUT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_the_readme_names_the_places_this_test_writes():
    assert readme_places() == set(FILES)


def test_a_family_added_in_the_readme_places_reaches_the_panel(tmp_path):
    copy = project_copy(tmp_path / "project")
    for name, text in FILES.items():
        assert not (copy / name).exists(), f"{name} already exists in the project"
        (copy / name).write_text(text.lstrip("\n"), encoding="utf-8")
    lake = tmp_path / "lake"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CSC_", "DAGSTER_"))}
    env |= {"PYTHONPATH": str(copy), "CSC_DATA_LAKE": str(lake)}
    run = subprocess.run([sys.executable, "-m", "csc_pipeline.cli", "refresh"], cwd=copy, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout[-3000:]

    with open(lake / "demo_source" / MIRROR_PATH, encoding="utf-8") as f:
        written = {(r["new_la_code"], int(r["time_period"])): float(r["widgets"]) for r in csv.DictReader(f)}
    con = duckdb.connect(str(lake / "warehouse" / "csc.duckdb"), read_only=True)
    panel = {(code, year): (value, status, entry) for code, year, value, status, entry in con.execute(
        "SELECT la_code, year, value, status, source_entry FROM mart.la_indicator_panel "
        "WHERE geography = 'as_published' AND indicator = ?", [INDICATOR]).fetchall()}
    assert len(written) > 400
    assert {k: v[0] for k, v in panel.items()} == written
    assert {(v[1], v[2]) for v in panel.values()} == {("published", f"{FAMILY}_2025")}
    provenance = con.execute("SELECT count(*) FROM meta.provenance WHERE family = ?", [FAMILY]).fetchone()[0]
    assert provenance == 1
