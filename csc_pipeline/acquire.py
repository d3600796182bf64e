"""Obtain catalog entries in demo, mirror or live mode into the immutable raw store, with provenance.

No Dagster here: the ``source_files`` assets call ``obtain_releases`` and record what it returns.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import requests

from csc_pipeline import download, publishers, readers, routes
from csc_pipeline.atomic import OWNER_ONLY, write_json
from csc_pipeline.catalog import RELEASE_TEMPLATED_KINDS, Catalog, SourceEntry
from csc_pipeline.contracts import load_contract
from csc_pipeline.settings import Settings

DEMO_SEED = 20250331


class SourceUnavailable(RuntimeError):
    """A catalog entry cannot be obtained in the configured mode."""


@dataclass(frozen=True)
class Provenance:
    entry_id: str
    family: str
    release: str
    mode: str
    source: str  # URL (with #member for zip members) or the mirror / demo path
    fetched_at: str  # ISO 8601, UTC
    sha256: str
    bytes: int
    raw_path: str
    synthetic: bool


def ensure_demo_source(settings: Settings) -> Path:
    """Generate the synthetic demo set once (it is deterministic, so a marker suffices)."""
    from csc_pipeline.demo.writer import code_fingerprint, generate_demo

    marker = settings.demo_dir / ".generated.json"
    fingerprint = {"seed": DEMO_SEED, "generator": code_fingerprint()}
    if marker.is_file() and json.loads(marker.read_text()) == fingerprint:
        return settings.demo_dir
    generate_demo(settings.demo_dir, seed=DEMO_SEED)
    write_json(marker, fingerprint, mode=OWNER_ONLY)
    return settings.demo_dir


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _from_directory(entry: SourceEntry, root: Path, store: download.RawStore, mode: str) -> Provenance:
    path = root / entry.mirror_path
    if not path.is_file():
        raise SourceUnavailable(
            f"{entry.id}: {mode} file not found: {path} (catalog mirror_path {entry.mirror_path!r})"
        )
    stored = store.ingest_local(path)
    return Provenance(
        entry_id=entry.id, family=entry.family, release=entry.release, mode=mode, source=str(path),
        fetched_at=_now(), sha256=stored.sha256, bytes=stored.bytes, raw_path=str(stored.path),
        synthetic=mode == "demo",
    )


def _live(entry: SourceEntry, catalog: Catalog, store: download.RawStore, policy: download.FetchPolicy,
          session: requests.Session | None) -> Provenance:
    try:
        obtained = routes.obtain(entry, catalog, store, policy, session)
    except (download.DownloadError, routes.RouteError, ValueError) as exc:
        # One line naming the entry: the publisher moved, retired, slowed or changed something.
        raise SourceUnavailable(f"{entry.id}: {str(exc).splitlines()[0]}") from exc
    _refuse_wrong_format(entry, obtained)
    return Provenance(
        entry_id=entry.id, family=entry.family, release=entry.release, mode="live", source=obtained.source,
        fetched_at=obtained.fetched_at.isoformat(timespec="seconds"), sha256=obtained.stored.sha256,
        bytes=obtained.stored.bytes, raw_path=str(obtained.stored.path), synthetic=False,
    )


def _refuse_wrong_format(entry: SourceEntry, obtained: routes.Obtained) -> None:
    """A publisher's error page served with status 200 is not the file: refuse it at the door."""
    accepted = readers.READER_FORMATS[load_contract(entry.contract).reader]
    found = readers.sniff_format(obtained.stored.path)
    if found not in accepted:
        raise SourceUnavailable(f"{entry.id}: {obtained.source} sent {readers.FORMAT_NAMES[found]}, not "
                                f"{' or '.join(sorted(readers.FORMAT_NAMES[f] for f in accepted))} as contract {entry.contract} reads")


def skipped_for_credentials(family: str, catalog: Catalog) -> list[str]:
    """One notice per environment variable the family's live entries need and that is not set."""
    variables = sorted({v for e in catalog.family(family, "live") if (v := routes.missing_credential(e))})
    return [f"{family}: skipped in live mode; set {v} (the publisher's API key) to obtain it" for v in variables]


def acquire_entry(entry: SourceEntry, settings: Settings, catalog: Catalog,
                  session: requests.Session | None = None) -> Provenance:
    store = download.RawStore(settings.raw_dir)
    if settings.source_mode == "live":
        policy = download.FetchPolicy(allowed_hosts=catalog.allowed_hosts, timeout=catalog.fetch_timeout,
                                      max_attempts=catalog.fetch_attempts)
        return _live(entry, catalog, store, policy, session)
    root = ensure_demo_source(settings) if settings.source_mode == "demo" else settings.mirror_dir
    return _from_directory(entry, root, store, settings.source_mode)


def _manifests_root(settings: Settings) -> Path:
    # Per mode, so switching a data lake between demo and mirror never mixes their files.
    return settings.raw_dir / "manifests" / settings.source_mode


def manifest_dir(settings: Settings, family: str) -> Path:
    return _manifests_root(settings) / family


def families_obtained(settings: Settings) -> list[str]:
    """The families with files obtained in this mode (whatever the catalog says now)."""
    root = _manifests_root(settings)
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def manifest_path(settings: Settings, family: str, release: str) -> Path:
    if not re.fullmatch(publishers.RELEASE_KEY_PATTERN, release):
        raise SourceUnavailable(f"{family}: release {release!r} is not a usable release label")
    return manifest_dir(settings, family) / f"{release}.json"


def release_entries(family: str, release: str, settings: Settings, catalog: Catalog) -> list[SourceEntry]:
    """The family's entries for one release in this mode.

    A release the catalog does not list yet (one the release sensor found on EES) is read like the
    family's latest catalogued release, with that release's slug: a new annual release of the same
    files. Families that stopped before the group's latest catalogued release get nothing.
    """
    entries = [e for e in catalog.family(family, settings.source_mode) if e.release == release]
    if settings.source_mode == "live":
        # An entry whose publisher needs a key that is not set is left out (skipped_for_credentials says so).
        entries = [e for e in entries if not routes.missing_credential(e)]
    if entries or settings.source_mode != "live" or release in catalog.releases(catalog.release_group(family)):
        return entries
    group_latest = catalog.releases(catalog.release_group(family), "live")[-1:]
    latest = [e for e in catalog.family(family, "live") if [e.release] == group_latest and e.live.get("kind") in RELEASE_TEMPLATED_KINDS]
    return [catalog.entry(Catalog.uncatalogued_id(e.id, release)) for e in latest]


def acquire_release(family: str, release: str, settings: Settings, catalog: Catalog,
                    session: requests.Session | None = None) -> list[Provenance]:
    """Obtain one release of a family (a release partition) and record it as that release's manifest.

    A family may have nothing in a release (its group's other families do) or in a mode (demo-only
    stand-ins in mirror mode): the manifest is then empty and so are its tables.
    """
    records = [acquire_entry(e, settings, catalog, session) for e in release_entries(family, release, settings, catalog)]
    write_json(manifest_path(settings, family, release), [asdict(r) for r in records], mode=OWNER_ONLY)
    return records


def release_unchanged(family: str, release: str, settings: Settings, catalog: Catalog) -> bool:
    """Whether obtaining this release again would change nothing: its manifest lists exactly the
    release's entries, each stored in the raw store with the sha256 its mirror or demo file has now.
    Never in live mode, where only the publisher can tell."""
    if settings.source_mode == "live":
        return False
    path = manifest_path(settings, family, release)
    if not path.is_file():
        return False
    recorded = {r["entry_id"]: r for r in json.loads(path.read_text(encoding="utf-8"))}
    entries = release_entries(family, release, settings, catalog)
    if set(recorded) != {e.id for e in entries}:
        return False
    root = ensure_demo_source(settings) if settings.source_mode == "demo" else settings.mirror_dir
    for entry in entries:
        source, record = root / entry.mirror_path, recorded[entry.id]
        if not source.is_file() or not Path(record["raw_path"]).is_file() or download.file_sha256(source) != record["sha256"]:
            return False
    return True


@dataclass(frozen=True)
class ObtainedReleases:
    records: list[Provenance]
    # One notice per publisher key a live run lacks (the family's entries that need it are skipped).
    notices: list[str]


def obtain_releases(family: str, releases: list[str], settings: Settings, catalog: Catalog,
                    session: requests.Session | None = None) -> ObtainedReleases:
    """Releases of a family (the partitions of a ``source_files`` run), each recorded as its manifest."""
    records = [r for release in releases for r in acquire_release(family, release, settings, catalog, session)]
    notices = skipped_for_credentials(family, catalog) if settings.source_mode == "live" else []
    return ObtainedReleases(records, notices)


def acquire_family(family: str, settings: Settings, catalog: Catalog,
                   session: requests.Session | None = None) -> list[Provenance]:
    """Every catalogued release of a family in this mode (what a full refresh obtains)."""
    releases = sorted({e.release for e in catalog.family(family, settings.source_mode)})
    return obtain_releases(family, releases, settings, catalog, session).records


def read_manifest(settings: Settings, family: str) -> list[Provenance]:
    """The files of every release of the family obtained so far in this mode, oldest release first."""
    directory = manifest_dir(settings, family)
    paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    return [Provenance(**r) for path in paths for r in json.loads(path.read_text(encoding="utf-8"))]


def obtained_files(settings: Settings, catalog: Catalog, family: str) -> list[Provenance]:
    """``read_manifest``, refusing a family that has files in this mode but none obtained yet."""
    records = read_manifest(settings, family)
    if not records and not manifest_dir(settings, family).is_dir() and catalog.family(family, settings.source_mode):
        raise SourceUnavailable(f"{family}: nothing obtained yet in {settings.source_mode} mode "
                                f"({manifest_dir(settings, family)} is missing); materialise its source_files "
                                "release partitions first (csc refresh does)")
    return records
