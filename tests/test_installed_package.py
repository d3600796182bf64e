"""The package works installed, not only from its checkout: a wheel built from this checkout, installed
(not editable) into a fresh venv, runs ``csc refresh`` from an unrelated directory and writes
``./data_lake/`` there, reading its SQL models, contracts, catalog and reference files from the
installed package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import duckdb
import pytest

CHECKOUT = Path(__file__).resolve().parents[1]


def _clean_env() -> dict[str, str]:
    """The environment without csc's settings or a Dagster home, so every default is in play."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CSC_") and k not in ("DAGSTER_HOME", "PYTHONPATH")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv holding the wheel of this checkout; its dependencies are the
    test venv's (a .pth file), so the test needs no network beyond the build backend."""
    root = tmp_path_factory.mktemp("installed")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"), str(CHECKOUT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (root / "dist").glob("csc_pipeline-*.whl")
    fresh = root / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    fresh_site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # A path line adds the test venv's packages after the fresh venv's own; the .pth files there (the
    # checkout's editable install among them) are not processed, so csc_pipeline comes from the wheel.
    (fresh_site / "test_venv_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return fresh / "bin"


def test_the_wheel_carries_the_sql_models_and_contracts_and_reads_them_from_the_installed_package(installed, tmp_path):
    where = subprocess.run(
        [installed / "python", "-c",
         "import csc_pipeline.warehouse as w, csc_pipeline.contracts as c, csc_pipeline.catalog as k; "
         "print(w.SQL_DIR); print(c.SCHEMAS_DIR); print(len(w.discover_models())); print(len(k.load_catalog().entries))"],
        cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=300)
    assert where.returncode == 0, where.stderr[-3000:]
    sql_dir, schemas_dir, models, entries = where.stdout.split()
    fresh = installed.parent
    assert Path(sql_dir).is_relative_to(fresh) and Path(schemas_dir).is_relative_to(fresh)
    from csc_pipeline import warehouse
    from csc_pipeline.catalog import load_catalog

    assert int(models) == len(warehouse.discover_models()) and int(entries) == len(load_catalog().entries)
    assert sorted(p.name for p in Path(schemas_dir).iterdir()) == sorted(p.name for p in (CHECKOUT / "schemas").iterdir())


def test_csc_refresh_of_the_installed_package_writes_the_data_lake_in_the_working_directory(installed, demo_run, tmp_path):
    work = tmp_path / "analyst"
    # The demo set the session's refresh generated (its marker fingerprints the same demo modules the
    # wheel holds, so the installed package reuses it instead of generating it again).
    shutil.copytree(demo_run[0].demo_dir, work / "data_lake" / "demo_source")
    done = subprocess.run([installed / "csc", "refresh"], cwd=work, env=_clean_env(), capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    warehouse = work / "data_lake" / "warehouse" / "csc.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        panel_rows = con.execute("SELECT count(*) FROM mart.la_indicator_panel").fetchone()[0]
    with duckdb.connect(str(demo_run[0].warehouse_path), read_only=True) as con:
        assert panel_rows == con.execute("SELECT count(*) FROM mart.la_indicator_panel").fetchone()[0] > 0
    assert (work / "data_lake" / "dagster_home").is_dir()
    assert not list(installed.parent.rglob("data_lake")), "the installed package wrote a data lake inside the venv"
