"""The analyses' charts: one module per family (``charts/<family>.py``), the only analysis modules
that import matplotlib (an import-linter contract in pyproject.toml keeps the statistics free of it).

A family's ``run`` asks for its charts with ``ChartRequest``s (which drawing function, the file, the
data); ``draw`` renders them in order, so the figures are in the report in the order asked for.
"""

from __future__ import annotations

from importlib import import_module

from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput


def draw(output: AnalysisOutput, inputs: AnalysisInputs) -> AnalysisOutput:
    """Render every chart ``output`` asks for into ``output.charts`` (their paths)."""
    drawings = import_module(f"{__name__}.{output.family}") if output.chart_requests else None
    for request in output.chart_requests:
        output.charts.append(getattr(drawings, request.chart)(request.path, inputs, **request.data))
    return output
