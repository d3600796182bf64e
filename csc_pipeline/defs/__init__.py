"""Dagster definitions: thin assets over the plain-Python modules of ``csc_pipeline``."""
