"""Explore education statistics: the release page names the release version; its files come as one zip."""

from __future__ import annotations

import requests

from csc_pipeline import download, publishers
from csc_pipeline.catalog import Catalog, SourceEntry
from csc_pipeline.routes.common import Obtained, from_fetch


def obtain(entry: SourceEntry, catalog: Catalog, store: download.RawStore, policy: download.FetchPolicy,
           session: requests.Session | None) -> Obtained:
    live = entry.live
    page_url = publishers.ees_release_url(live["publication"], live["release_slug"], catalog.ees_site)
    page = download.fetch(page_url, store, policy, session=session)
    release_id = publishers.ees_latest_release_version_id(page.stored.path.read_text(encoding="utf-8"))
    url = publishers.ees_release_files_url(release_id, catalog.ees_content_api)
    return from_fetch(download.fetch(url, store, policy, session=session), live["member"], store)
