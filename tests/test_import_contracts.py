"""The layers as import-linter contracts (pyproject.toml's [tool.importlinter]): only the Dagster layer
(``csc_pipeline.defs``, ``definitions``, ``cli``) imports Dagster, plain modules do not reach it through
that layer, the modules of a package import each other without cycles (one known one listed), and the
demo's family modules use its kit and never each other."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.is_file(), f"no {lint_imports}: install the test extras (pip install -e '.[test]')"
    done = subprocess.run([lint_imports, "--no-cache", "--no-logo", CHECKOUT / "pyproject.toml"], cwd=CHECKOUT,
                          capture_output=True, text=True, timeout=300)
    contracts = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert done.returncode == 0 and f"Contracts: {len(contracts)} kept, 0 broken." in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]
