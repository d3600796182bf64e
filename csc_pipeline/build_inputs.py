"""What a published warehouse was built from, as one fingerprint, so a refresh with nothing new can
say so in seconds instead of rebuilding identical tables.

The fingerprint covers everything a table's value can depend on: the files obtained (catalog entry
and sha256 of each), the code and project data that turn them into tables (the package with its
reference data and catalog, ``sql/``, ``schemas/``), and the settings that change results (source
mode, the analysis configuration). Publication records it beside the warehouse; a refresh that
obtains no new file and computes the same fingerprint has nothing to rebuild.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from csc_pipeline import acquire
from csc_pipeline.digests import folders_sha256
from csc_pipeline.atomic import atomic_write
from csc_pipeline.settings import Settings, package_folder

PACKAGE_DIR = Path(__file__).resolve().parent


def code_fingerprint() -> str:
    """The package (code, catalog, reference data, analysis defaults), ``sql/`` and ``schemas/``."""
    return folders_sha256((PACKAGE_DIR, package_folder("sql"), package_folder("schemas")))


def build_fingerprint(settings: Settings) -> str:
    """The fingerprint of a build from the files obtained now (in this mode), with this code and
    these settings."""
    files = sorted((r.entry_id, r.sha256) for family in acquire.families_obtained(settings)
                   for r in acquire.read_manifest(settings, family))
    analysis_config = settings.analysis_config.read_bytes().hex() if settings.analysis_config else None
    inputs = {"code": code_fingerprint(), "mode": settings.source_mode, "analysis_config": analysis_config, "files": files}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def record_path(settings: Settings) -> Path:
    return settings.warehouse_path.parent / "build_inputs.sha256"


def forget_publication(settings: Settings) -> None:
    """Before a publication: a warehouse replaced without its record (a crash between the two) must
    never pass for one built from the previous inputs."""
    record_path(settings).unlink(missing_ok=True)


def record_publication(settings: Settings, fingerprint: str) -> None:
    """After a publication: what the published warehouse was built from."""
    atomic_write(record_path(settings), lambda tmp: tmp.write_text(fingerprint + "\n", encoding="utf-8"))


def published_from(settings: Settings) -> str | None:
    """The fingerprint recorded at the last publication (None: no warehouse, or none recorded)."""
    path = record_path(settings)
    if not settings.warehouse_path.is_file() or not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip() or None
