"""Runtime settings, read from the environment in exactly one place.

Every other module receives a ``Settings`` value instead of reading ``os.environ`` itself, so the
Dagster UI (which shows the resource built from these values) and the CLI always agree on what a
run will do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

SOURCE_CHECKOUT = Path(__file__).resolve().parent.parent
SOURCE_MODES = ("demo", "mirror", "live")
# How long a refresh waits for another one on the same data lake before giving up: a demo refresh
# takes about a minute and a mirror one under two, so ten minutes means something is wrong.
DEFAULT_LOCK_TIMEOUT_SECONDS = 600.0


def package_folder(name: str) -> Path:
    """A folder of files the package reads (``sql``, ``schemas``): the wheel carries the repository's
    top-level folders inside the package; an editable install reads them where they are, at the top
    of the source checkout."""
    shipped = Path(str(resources.files(__package__) / name))
    return shipped if shipped.is_dir() else SOURCE_CHECKOUT / name


def default_data_lake() -> Path:
    """``data_lake/`` in the working directory (never inside the installed package)."""
    return Path.cwd() / "data_lake"


class SettingsError(ValueError):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    source_mode: str = "demo"
    mirror_dir: Path | None = None
    data_lake: Path = field(default_factory=default_data_lake)
    # A YAML file of analysis settings laid over csc_pipeline/analysis/config.yaml (periods,
    # indicator sets, exclusions, thresholds); None runs the analyses with methods.md's defaults.
    analysis_config: Path | None = None
    # Seconds a refresh waits for the data lake's lock (another refresh writing it) before giving up.
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if self.source_mode not in SOURCE_MODES:
            raise SettingsError(
                f"CSC_SOURCE_MODE={self.source_mode!r} is not one of {', '.join(SOURCE_MODES)}"
            )
        if self.source_mode == "mirror":
            if self.mirror_dir is None:
                raise SettingsError("CSC_SOURCE_MODE=mirror needs CSC_MIRROR_DIR (a directory laid out like shared/data/real)")
            if not self.mirror_dir.is_dir():
                raise SettingsError(f"CSC_MIRROR_DIR={self.mirror_dir} is not a directory")
            if not any(self.mirror_dir.iterdir()):
                raise SettingsError(f"CSC_MIRROR_DIR={self.mirror_dir} is empty (expected a layout like shared/data/real)")
        if self.analysis_config is not None and not self.analysis_config.is_file():
            raise SettingsError(f"CSC_ANALYSIS_CONFIG={self.analysis_config} is not a file")
        if not self.lock_timeout > 0:
            raise SettingsError(f"CSC_LOCK_TIMEOUT={self.lock_timeout} is not a positive number of seconds")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        mirror = env.get("CSC_MIRROR_DIR")
        lake = env.get("CSC_DATA_LAKE")
        analysis_config = env.get("CSC_ANALYSIS_CONFIG")
        lock_timeout = env.get("CSC_LOCK_TIMEOUT", "").strip()
        try:
            lock_timeout_seconds = float(lock_timeout) if lock_timeout else DEFAULT_LOCK_TIMEOUT_SECONDS
        except ValueError:
            raise SettingsError(f"CSC_LOCK_TIMEOUT={lock_timeout!r} is not a number of seconds") from None
        return cls(
            source_mode=env.get("CSC_SOURCE_MODE", "demo").strip().lower() or "demo",
            mirror_dir=Path(mirror).expanduser().resolve() if mirror else None,
            data_lake=Path(lake).expanduser().resolve() if lake else default_data_lake(),
            analysis_config=Path(analysis_config).expanduser().resolve() if analysis_config else None,
            lock_timeout=lock_timeout_seconds,
        )

    # Locations inside the data lake: one definition each, used by every layer.
    @property
    def raw_dir(self) -> Path:
        return self.data_lake / "raw"

    @property
    def demo_dir(self) -> Path:
        return self.data_lake / "demo_source"

    @property
    def staged_dir(self) -> Path:
        return self.data_lake / "staged"

    @property
    def warehouse_path(self) -> Path:
        """The published warehouse analysts open."""
        return self.data_lake / "warehouse" / "csc.duckdb"

    @property
    def build_warehouse_path(self) -> Path:
        """The working database every refresh writes; published by atomic copy."""
        return self.data_lake / "warehouse" / "build" / "csc_build.duckdb"

    @property
    def dagster_home(self) -> Path:
        """Run history, beside the data it describes (``DAGSTER_HOME`` overrides it for the CLI)."""
        return self.data_lake / "dagster_home"

    @property
    def logs_dir(self) -> Path:
        """Dagster's event stream of each ``csc`` command, one file per command."""
        return self.data_lake / "logs"

    @property
    def reports_dir(self) -> Path:
        return self.data_lake / "reports"

    @property
    def exports_dir(self) -> Path:
        return self.data_lake / "exports"

    @property
    def source_root(self) -> Path | None:
        """Where mirror-style reads come from: the mirror itself, or the generated demo set."""
        if self.source_mode == "mirror":
            return self.mirror_dir
        if self.source_mode == "demo":
            return self.demo_dir
        return None
