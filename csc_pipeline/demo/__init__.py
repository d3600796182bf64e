"""Synthetic demo data in the publishers' real file formats (see ``generator``)."""

from csc_pipeline.demo.generator import generate_demo

__all__ = ["generate_demo"]
