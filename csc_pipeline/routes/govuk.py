"""Files attached to a GOV.UK page, found through the GOV.UK content API.

``https://www.gov.uk/api/content/<page>`` gives the page as JSON: its attachments (``details.attachments``,
each with a ``url``) and, on older pages, HTML ``details.documents`` linking them. Asset URLs change
with every upload, so the catalog names the page and a file-name pattern, never the file's URL.
``{release}`` in either stands for the entry's release, so a release the catalog does not list yet
is found the same way.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import requests

from csc_pipeline import download
from csc_pipeline.catalog import UNCATALOGUED, Catalog, SourceEntry
from csc_pipeline.routes.common import Obtained, RouteError, from_fetch

_PAGE_PATH = re.compile(r"[a-z0-9]+(?:[a-z0-9-]*[a-z0-9])?(?:/[a-z0-9]+(?:[a-z0-9-]*[a-z0-9])?)*")
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.I)


def page_url(page: str, catalog: Catalog) -> str:
    if not _PAGE_PATH.fullmatch(page):
        raise RouteError(f"not a GOV.UK page path: {page!r}")
    return f"{catalog.publisher_url('{govuk_content_api}')}/{page}"


def attachment_urls(content: object, base: str) -> list[str]:
    """The URLs of the files a content API answer attaches or links, in page order."""
    details = content.get("details") if isinstance(content, dict) else None
    if not isinstance(details, dict):
        raise RouteError(f"{base}: the content API answer has no details object")
    urls = [a["url"] for a in details.get("attachments") or [] if isinstance(a, dict) and isinstance(a.get("url"), str)]
    for document in details.get("documents") or []:
        if isinstance(document, str):
            urls += _HREF.findall(document)
    return list(dict.fromkeys(urljoin(base, u) for u in urls))


def file_name(url: str) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name)


def obtain(entry: SourceEntry, catalog: Catalog, store: download.RawStore, policy: download.FetchPolicy,
           session: requests.Session | None) -> Obtained:
    if UNCATALOGUED in entry.id and "{release}" not in entry.live["page"] + entry.live["pattern"]:
        # A fixed page (a historical release's own) would hand back the catalogued file under another release.
        raise RouteError(f"the catalog's page {entry.live['page']!r} and pattern name no {{release}}, so "
                         f"release {entry.release} cannot be found from them; add the release to the catalog")
    page = entry.live["page"].replace("{release}", entry.release)
    pattern = entry.live["pattern"].replace("{release}", entry.release)
    url = page_url(page, catalog)
    answer = download.fetch(url, store, policy, session=session, name="content.json")
    try:
        content = json.loads(answer.stored.path.read_bytes())
    except ValueError as exc:
        raise RouteError(f"{url}: the content API answer is not JSON") from exc
    candidates = attachment_urls(content, url)
    chosen = [u for u in candidates if fnmatch.fnmatchcase(file_name(u), pattern)]
    if len(chosen) != 1:
        raise RouteError(f"{len(chosen)} attachment(s) of {url} match {pattern!r} (need exactly 1); "
                         f"attached: {[file_name(u) for u in candidates]}")
    return from_fetch(download.fetch(chosen[0], store, policy, session=session), entry.live.get("member"), store)
