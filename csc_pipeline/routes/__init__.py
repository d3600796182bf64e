"""Live routes: how each ``live.kind`` of the catalog is obtained from its publisher.

One small module per publisher interface; ``obtain`` picks the route. Every request goes through
``csc_pipeline.download`` (allow-listed hosts, TLS verified, redirects re-checked, size caps).
Plain Python: no Dagster imports.
"""

from __future__ import annotations

import os

import requests

from csc_pipeline import download
from csc_pipeline.catalog import Catalog, SourceEntry
from csc_pipeline.routes import ees, files, govuk, statswales, statxplore
from csc_pipeline.routes.common import Obtained, RouteError

__all__ = ["Obtained", "RouteError", "missing_credential", "obtain"]

ROUTES = {
    "ees_release_file": ees.obtain,
    "url": files.obtain,
    "archived_file": files.obtain,
    "nomis_dataset": files.obtain,
    "govuk_attachment": govuk.obtain,
    "statswales_api": statswales.obtain,
    "statxplore_table": statxplore.obtain,
}


def missing_credential(entry: SourceEntry) -> str | None:
    """The environment variable the entry's publisher needs and that is not set, if any."""
    variable = entry.live.get("credential_env")
    return variable if variable and not os.environ.get(variable) else None


def obtain(entry: SourceEntry, catalog: Catalog, store: download.RawStore, policy: download.FetchPolicy,
           session: requests.Session | None) -> Obtained:
    kind = entry.live.get("kind")
    if kind not in ROUTES:
        raise RouteError(f"no live source configured (live.kind {kind!r})")
    obtained = ROUTES[kind](entry, catalog, store, policy, session)
    pinned = entry.live.get("sha256")
    if pinned and obtained.stored.sha256 != pinned:
        raise RouteError(f"{obtained.source} has sha256 {obtained.stored.sha256[:12]}… but the catalog "
                         f"pins {pinned[:12]}…: the publisher's file changed or the route found another one; "
                         "check it, then update live.sha256 deliberately")
    return obtained
