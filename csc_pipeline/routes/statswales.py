"""StatsWales' API (``https://api.stats.gov.wales/v1``): a dataset by UUID; a filter is POSTed to
``/{uuid}/data`` and answered with its id, whose CSV is then fetched from
``/{uuid}/data/{filterId}?format=csv``."""

from __future__ import annotations

import re
import uuid
from pathlib import PurePosixPath

import requests

from csc_pipeline import download
from csc_pipeline.catalog import Catalog, SourceEntry
from csc_pipeline.routes.common import Obtained, RouteError

FILTER_ID_FIELD = "filterId"
_FILTER_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def obtain(entry: SourceEntry, catalog: Catalog, store: download.RawStore, policy: download.FetchPolicy,
           session: requests.Session | None) -> Obtained:
    try:
        dataset = uuid.UUID(str(entry.live["dataset"]))
    except ValueError as exc:
        raise RouteError(f"live.dataset {entry.live['dataset']!r} is not a StatsWales dataset UUID") from exc
    base = f"{catalog.publisher_url('{statswales_api}')}/{dataset}/data"
    answer = download.post_json(base, entry.live["filters"], policy, session)
    filter_id = answer.get(FILTER_ID_FIELD) if isinstance(answer, dict) else None
    if not isinstance(filter_id, str) or not _FILTER_ID.fullmatch(filter_id):
        keys = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
        raise RouteError(f"{base}: the filter answer has no usable {FILTER_ID_FIELD} (got {keys})")
    url = f"{base}/{filter_id}?format=csv"
    fetched = download.fetch(url, store, policy, session=session, name=PurePosixPath(entry.mirror_path).name)
    return Obtained(url, fetched.stored, fetched.fetched_at)
