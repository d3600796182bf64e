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
from urllib.parse import urlsplit

SOURCE_CHECKOUT = Path(__file__).resolve().parent.parent
SOURCE_MODES = ("demo", "mirror", "live")
# How long a refresh waits for another one on the same data lake before giving up: a demo refresh
# takes about a minute and a mirror one under two, so ten minutes means something is wrong.
DEFAULT_LOCK_TIMEOUT_SECONDS = 600.0


# The annual safety-net refresh: 1 December 06:00 (Europe/London), after the November CLA and
# October CIN releases. CSC_REFRESH_CRON moves it (e.g. a test makes it due within a minute).
DEFAULT_REFRESH_CRON = "0 6 1 12 *"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
PG_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg2")


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
class AlertSettings:
    """Where failure alerts go (``csc_pipeline.alerts``); nothing is sent when neither is set."""

    webhook_url: str | None = None  # CSC_ALERT_WEBHOOK_URL: JSON POST
    smtp_host: str | None = None  # CSC_ALERT_SMTP_HOST: host or host:port (587 by default)
    smtp_port: int = 587
    smtp_starttls: bool = True  # CSC_ALERT_SMTP_STARTTLS=0 only for a relay on this machine
    smtp_user: str | None = None  # CSC_ALERT_SMTP_USER / CSC_ALERT_SMTP_PASSWORD
    smtp_password: str | None = field(default=None, repr=False)
    email_from: str = "csc-pipeline@localhost"  # CSC_ALERT_EMAIL_FROM
    email_to: tuple[str, ...] = ()  # CSC_ALERT_EMAIL_TO: comma-separated

    @property
    def configured(self) -> bool:
        return bool(self.webhook_url or self.smtp_host)

    @classmethod
    def from_env(cls, env) -> "AlertSettings":
        webhook = env.get("CSC_ALERT_WEBHOOK_URL", "").strip() or None
        if webhook:
            parts = urlsplit(webhook)
            if not (parts.scheme == "https" or parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
                raise SettingsError(f"CSC_ALERT_WEBHOOK_URL={webhook!r} must be an https:// URL "
                                    "(plain http only to this machine)")
        smtp = env.get("CSC_ALERT_SMTP_HOST", "").strip()
        host, _, port = smtp.rpartition(":") if smtp.count(":") == 1 else (smtp, "", "")
        if port and not port.isdigit():
            raise SettingsError(f"CSC_ALERT_SMTP_HOST={smtp!r}: the port after ':' is not a number")
        starttls = env.get("CSC_ALERT_SMTP_STARTTLS", "1").strip().lower() not in ("0", "false", "no", "off")
        if smtp and not starttls and host not in LOOPBACK_HOSTS:
            raise SettingsError(f"CSC_ALERT_SMTP_STARTTLS=0 is only allowed for a relay on this machine, not {host!r}")
        email_to = tuple(a.strip() for a in env.get("CSC_ALERT_EMAIL_TO", "").split(",") if a.strip())
        if smtp and not email_to:
            raise SettingsError("CSC_ALERT_SMTP_HOST is set but CSC_ALERT_EMAIL_TO (who to tell) is not")
        return cls(
            webhook_url=webhook,
            smtp_host=host or None,
            smtp_port=int(port) if port else 587,
            smtp_starttls=starttls,
            smtp_user=env.get("CSC_ALERT_SMTP_USER") or None,
            smtp_password=env.get("CSC_ALERT_SMTP_PASSWORD") or None,
            email_from=env.get("CSC_ALERT_EMAIL_FROM", "").strip() or cls.email_from,
            email_to=email_to,
        )


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
    # CSC_REFRESH_CRON: when the daemon (`csc serve`) runs the annual refresh.
    refresh_cron: str = DEFAULT_REFRESH_CRON
    alerts: AlertSettings = AlertSettings()
    # CSC_DAGSTER_PG_URL: run history in PostgreSQL instead of SQLite files in dagster_home (the
    # URL, with its password, stays in the environment: dagster.yaml names the variable).
    dagster_pg_url: str | None = field(default=None, repr=False)

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
        if len(self.refresh_cron.split()) != 5:
            raise SettingsError(f"CSC_REFRESH_CRON={self.refresh_cron!r} is not a cron expression of five fields")
        if self.dagster_pg_url is not None and urlsplit(self.dagster_pg_url).scheme not in PG_SCHEMES:
            raise SettingsError("CSC_DAGSTER_PG_URL is not a postgresql:// URL")

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
            refresh_cron=env.get("CSC_REFRESH_CRON", "").strip() or DEFAULT_REFRESH_CRON,
            alerts=AlertSettings.from_env(env),
            dagster_pg_url=env.get("CSC_DAGSTER_PG_URL", "").strip() or None,
        )

    @property
    def dagster_pg_url_with_driver(self) -> str | None:
        """CSC_DAGSTER_PG_URL naming psycopg2, the driver dagster-postgres is written for (SQLAlchemy
        2.1 would pick psycopg 3 for a bare postgresql:// URL, whose parameter binding it breaks)."""
        if self.dagster_pg_url is None:
            return None
        return "postgresql+psycopg2" + self.dagster_pg_url[self.dagster_pg_url.index(":"):]

    # Locations inside the data lake: one definition each, used by every layer.
    @property
    def raw_dir(self) -> Path:
        return self.data_lake / "raw"

    @property
    def demo_dir(self) -> Path:
        return self.data_lake / "demo_source"

    @property
    def conformed_dir(self) -> Path:
        return self.data_lake / "conformed"

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
