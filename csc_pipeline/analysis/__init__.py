"""Analyses over the warehouse panel: plain Python (no Dagster), unit-tested directly."""
