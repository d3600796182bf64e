"""Files at a URL written in the catalog: a fixed file (``url``), an archived copy pinned by sha256
(``archived_file``; the pin is checked by ``routes.obtain``) or a Nomis dataset API query
(``nomis_dataset``: the query, with its geography, age and date parameters, is the URL)."""

from __future__ import annotations

from pathlib import PurePosixPath

import requests

from csc_pipeline import download
from csc_pipeline.catalog import Catalog, SourceEntry
from csc_pipeline.routes.common import Obtained, from_fetch


def obtain(entry: SourceEntry, catalog: Catalog, store: download.RawStore, policy: download.FetchPolicy,
           session: requests.Session | None) -> Obtained:
    url = catalog.publisher_url(entry.live["url"])
    # A query URL ends in the API's generic name (data.csv): store it under the catalog's file name.
    name = PurePosixPath(entry.mirror_path).name if entry.live["kind"] == "nomis_dataset" else None
    fetched = download.fetch(url, store, policy, session=session, name=name)
    return from_fetch(fetched, entry.live.get("member"), store)
