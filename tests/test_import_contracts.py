"""The layers as import-linter contracts (pyproject.toml's [tool.importlinter]): only the Dagster layer
(``csc_pipeline.defs``, ``definitions``, ``cli``) imports Dagster, plain modules do not reach it through
that layer, the analyses' statistics never import matplotlib (directly or not), the modules of a
package import each other without cycles, and the demo's family modules use its kit and never each
other."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

from csc_pipeline import analysis

CHECKOUT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.is_file(), f"no {lint_imports}: install the test extras (pip install -e '.[test]')"
    done = subprocess.run([lint_imports, "--no-cache", "--no-logo", CHECKOUT / "pyproject.toml"], cwd=CHECKOUT,
                          capture_output=True, text=True, timeout=300)
    contracts = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert done.returncode == 0 and f"Contracts: {len(contracts)} kept, 0 broken." in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]


def test_every_analysis_module_but_the_charts_and_the_runner_is_kept_free_of_matplotlib():
    contracts = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    statistics = next(c for c in contracts if c["type"] == "forbidden" and c["forbidden_modules"] == ["matplotlib"])
    modules = {f"{analysis.__name__}.{m.name}" for m in pkgutil.iter_modules(analysis.__path__) if not m.ispkg}
    assert set(statistics["source_modules"]) == modules - {f"{analysis.__name__}.runner"}
