"""The analysis families, found rather than listed: every module of this package that declares
``SPEC = FamilySpec(...)`` is one (adding a family is adding its module, its section of config.yaml
and its charts module). The Dagster assets, the report and ``csc config`` all read this registry."""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module

from csc_pipeline import analysis
from csc_pipeline.analysis.results import FamilySpec


@cache
def families() -> dict[str, FamilySpec]:
    """name -> spec of every family, in the order of their titles (methods.md's section numbers)."""
    found = []
    for module in pkgutil.iter_modules(analysis.__path__):
        if module.ispkg:
            continue
        spec = getattr(import_module(f"{analysis.__name__}.{module.name}"), "SPEC", None)
        if isinstance(spec, FamilySpec):
            if spec.name != module.name:
                raise ValueError(f"csc_pipeline/analysis/{module.name}.py: its SPEC is named {spec.name!r}; "
                                 f"a family's name is its module's ({module.name!r})")
            found.append(spec)
    return {spec.name: spec for spec in sorted(found, key=lambda spec: spec.title)}
