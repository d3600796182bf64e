"""The layers as import-linter contracts (pyproject.toml's [tool.importlinter]): only the Dagster layer
(``csc_pipeline.defs``, ``definitions``, ``cli``) imports Dagster, plain modules do not reach it through
that layer, and the modules of a package import each other without cycles (two known ones listed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.is_file(), f"no {lint_imports}: install the test extras (pip install -e '.[test]')"
    done = subprocess.run([lint_imports, "--no-cache", "--no-logo", CHECKOUT / "pyproject.toml"], cwd=CHECKOUT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Contracts: 3 kept, 0 broken." in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]
