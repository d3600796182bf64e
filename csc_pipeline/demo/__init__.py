"""Synthetic demo data in the publishers' real file formats.

The kit: ``model`` (the latent authorities, years and counts), ``numbers`` (deterministic draws),
``inspections`` and ``spending`` (latent quantities two families share), ``formats`` (CSV, ODS,
XLSX and XLS writers); ``writer`` runs one module of ``families`` per group of catalog families.
"""

from csc_pipeline.demo.writer import generate_demo

__all__ = ["generate_demo"]
