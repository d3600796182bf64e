"""The source catalog (``catalog/*.yaml``): what is published, where, and under which contract.

``_catalog.yaml`` holds the settings (allowed hosts, publisher base URLs); every other YAML file in
the folder holds ``families`` (one file per source family or publisher, so they can be edited apart):
a block per family with the fields its files share, and a ``releases`` list with one item per
published file. A file is its family's fields overlaid with its item's (``live`` merged key by key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from csc_pipeline import publishers
from csc_pipeline.settings import SOURCE_MODES

CATALOG_DIR = Path(__file__).parent / "catalog"
# live.kind -> the parameters it needs (the route code is in csc_pipeline/routes/).
LIVE_KINDS = {
    "ees_release_file": ("publication", "release_slug", "member"),
    "url": ("url",),
    "archived_file": ("url", "sha256"),
    "govuk_attachment": ("page", "pattern"),
    "statswales_api": ("dataset", "filters"),
    "nomis_dataset": ("url",),
    "statxplore_table": ("credential_env", "query"),
}
# Kinds whose parameters may name `{release}`: a release partition the catalog does not list yet
# (one the release sensor added) is read as the latest entry's file of that release.
RELEASE_TEMPLATED_KINDS = ("ees_release_file", "govuk_attachment")
UNCATALOGUED = "@"


class CatalogError(ValueError):
    """The catalog file is malformed."""


@dataclass(frozen=True)
class SourceEntry:
    id: str
    family: str
    publisher: str
    dataset: str
    release: str
    contract: str
    licence: str
    mirror_path: str
    period: int | None = None
    # Where two sources publish the same indicator for the same LA-year, the lower precedence wins
    # (then the latest release). Default 50.
    precedence: int = 50
    live: dict = field(default_factory=dict)
    modes: tuple[str, ...] = SOURCE_MODES

    def available_in(self, mode: str) -> bool:
        return mode in self.modes


@dataclass(frozen=True)
class Catalog:
    entries: tuple[SourceEntry, ...]
    allowed_hosts: frozenset[str]
    # Publisher base URLs (a local stand-in publisher in tests; the real sites otherwise).
    ees_site: str = publishers.EES_SITE
    ees_content_api: str = publishers.EES_CONTENT_API
    # Other publishers' API bases, by name (``{name}`` at the start of a live URL stands for one).
    publisher_apis: dict = field(default_factory=dict)
    fetch_timeout: float = 60.0  # seconds, for connect and each read
    fetch_attempts: int = 4

    def publisher_url(self, template: str) -> str:
        """A live URL with its leading ``{api}`` name replaced by that publisher's base."""
        if not template.startswith("{"):
            return template
        name, _, rest = template[1:].partition("}")
        if name not in self.publisher_apis:
            raise CatalogError(f"live URL {template!r}: unknown publisher API {{{name}}}; known: {sorted(self.publisher_apis)}")
        return self.publisher_apis[name] + rest

    def family(self, family: str, mode: str | None = None) -> list[SourceEntry]:
        return [e for e in self.entries if e.family == family and (mode is None or e.available_in(mode))]

    def families(self) -> list[str]:
        return sorted({e.family for e in self.entries})

    def release_group(self, family: str) -> str:
        """The group whose releases partition this family's files.

        The files of one EES publication come out together (one release zip holds them all), so
        its families share one set of release partitions, named after the publication; any other
        family is a group of its own.
        """
        publications = {e.live.get("publication") for e in self.family(family) if e.live.get("kind") == "ees_release_file"}
        return publications.pop().replace("-", "_") if len(publications) == 1 else family

    def release_groups(self) -> dict[str, list[str]]:
        """group -> its families."""
        groups: dict[str, list[str]] = {}
        for family in self.families():
            groups.setdefault(self.release_group(family), []).append(family)
        return groups

    def releases(self, group: str, mode: str | None = None) -> list[str]:
        """The catalogued releases of a group's families (in ``mode``), oldest first."""
        families = self.release_groups().get(group, [])
        return sorted({e.release for f in families for e in self.family(f, mode)})

    @staticmethod
    def uncatalogued_id(entry_id: str, release: str) -> str:
        return f"{entry_id}{UNCATALOGUED}{release}"

    def entry(self, entry_id: str) -> SourceEntry:
        """An entry by id; ``<id>@<release>`` is the entry read for a release the catalog does not
        list yet (found by the release sensor): the same file, from that release."""
        base_id, _, release = entry_id.partition(UNCATALOGUED)
        for e in self.entries:
            if e.id == base_id:
                if not release:
                    return e
                live = {**e.live, "release_slug": release} if e.live.get("kind") == "ees_release_file" else e.live
                return replace(e, id=entry_id, release=release, live=live)
        raise KeyError(entry_id)


def _family_entries(family: str, block: dict) -> list[dict]:
    """The catalog entries of one family block: each release item over the family's fields."""
    if not isinstance(block, dict) or not block.get("releases"):
        raise CatalogError(f"family {family}: needs a `releases` list")
    shared = {k: v for k, v in block.items() if k != "releases"}
    entries = []
    for item in block["releases"]:
        entry = {"family": family, "contract": family, **shared, **item,
                 "live": {**(shared.get("live") or {}), **(item.get("live") or {})}}
        if entry["live"].get("kind") == "ees_release_file":
            # An EES release's URL slug is its release label unless the item says otherwise.
            entry["live"].setdefault("release_slug", str(entry.get("release")))
        entries.append(entry)
    return entries


def _entry(raw: dict) -> SourceEntry:
    required = ("id", "family", "publisher", "dataset", "release", "contract", "licence", "mirror_path")
    missing = [k for k in required if not raw.get(k)]
    if missing:
        raise CatalogError(f"catalog entry {raw.get('id', '?')}: missing {missing}")
    modes = tuple(raw.get("modes", SOURCE_MODES))
    if bad := [m for m in modes if m not in SOURCE_MODES]:
        raise CatalogError(f"catalog entry {raw['id']}: unknown modes {bad}")
    live = dict(raw.get("live") or {})
    if "live" in modes and live.get("kind") not in LIVE_KINDS:
        raise CatalogError(f"catalog entry {raw['id']}: live mode needs live.kind in {tuple(LIVE_KINDS)}")
    if missing := [k for k in LIVE_KINDS.get(live.get("kind"), ()) if not live.get(k)]:
        raise CatalogError(f"catalog entry {raw['id']}: live.kind {live['kind']} needs {missing}")
    if live.get("sha256") and not re.fullmatch(r"[0-9a-f]{64}", live["sha256"]):
        raise CatalogError(f"catalog entry {raw['id']}: live.sha256 is not a lowercase hex sha256")
    return SourceEntry(
        id=raw["id"], family=raw["family"], publisher=raw["publisher"], dataset=raw["dataset"],
        release=str(raw["release"]), contract=raw["contract"], licence=raw["licence"],
        mirror_path=raw["mirror_path"], period=raw.get("period"), live=live, modes=modes,
        precedence=int(raw.get("precedence", 50)),
    )


@cache
def load_catalog(catalog_dir: Path = CATALOG_DIR) -> Catalog:
    settings = yaml.safe_load((catalog_dir / "_catalog.yaml").read_text(encoding="utf-8"))
    entries: list[SourceEntry] = []
    for path in sorted(catalog_dir.glob("*.yaml")):
        if path.name == "_catalog.yaml":
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        try:
            if unknown := sorted(set(raw) - {"families"}):
                raise CatalogError(f"unknown top-level keys {unknown} (a catalog file holds `families`)")
            entries += [_entry(e) for name, block in (raw.get("families") or {}).items()
                        for e in _family_entries(name, block)]
        except CatalogError as err:
            raise CatalogError(f"{path.name}: {err}") from None
    ids = [e.id for e in entries]
    if dupes := sorted({i for i in ids if ids.count(i) > 1}):
        raise CatalogError(f"{catalog_dir}: duplicate entry ids {dupes}")
    bases = settings.get("publishers", {}).get("ees", {})
    return Catalog(
        entries=tuple(entries),
        allowed_hosts=frozenset(settings.get("allowed_hosts", ())),
        ees_site=bases.get("site", publishers.EES_SITE),
        ees_content_api=bases.get("content_api", publishers.EES_CONTENT_API),
        publisher_apis=dict(settings.get("publisher_apis", {})),
    )
