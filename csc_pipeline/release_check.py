"""Which EES publications have a release the pipeline has not processed yet (for the release sensor).

No Dagster here. The sensor keeps a cursor {release group: release version id last processed};
a publication whose page shows another version id has a new release (or an amended one: EES gives
an amendment a new version id under the same slug), which is then processed once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import requests

from csc_pipeline import download, publishers
from csc_pipeline.catalog import Catalog


@dataclass(frozen=True)
class LatestRelease:
    group: str  # the release group (an EES publication), whose source_files assets it partitions
    publication: str  # EES publication slug
    release: str  # release slug, the partition key (e.g. "2026")
    version_id: str  # EES release version id


def ees_publications(catalog: Catalog) -> dict[str, str]:
    """group -> EES publication slug, for every group fetched from EES in live mode."""
    return {
        catalog.release_group(e.family): e.live["publication"]
        for e in catalog.entries
        if e.available_in("live") and e.live.get("kind") == "ees_release_file"
    }


def latest_releases(catalog: Catalog, store: download.RawStore,
                    session: requests.Session | None = None) -> list[LatestRelease]:
    """The release each EES publication page shows now (only the catalog's allowed hosts, TLS verified)."""
    policy = download.FetchPolicy(allowed_hosts=catalog.allowed_hosts)
    found = []
    for group, publication in sorted(ees_publications(catalog).items()):
        page = download.fetch(publishers.ees_publication_url(publication, catalog.ees_site), store, policy, session=session)
        release, version_id = publishers.ees_latest_release(page.stored.path.read_text(encoding="utf-8"))
        found.append(LatestRelease(group, publication, release, version_id))
    return found


def parse_cursor(cursor: str | None) -> dict[str, str]:
    return json.loads(cursor) if cursor else {}


def unprocessed(latest: list[LatestRelease], cursor: dict[str, str]) -> list[LatestRelease]:
    """The releases whose version id differs from the one the cursor says was processed."""
    return [r for r in latest if cursor.get(r.group) != r.version_id]


def advance(cursor: dict[str, str], processed: list[LatestRelease]) -> str:
    return json.dumps({**cursor, **{r.group: r.version_id for r in processed}}, sort_keys=True)
