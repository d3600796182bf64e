"""A local HTTP server (127.0.0.1 only) standing in for the publishers in live-mode tests.

It speaks each publisher's documented request/response shapes: EES pages and release zips, the
GOV.UK content API (a page's attachments as JSON) and its asset host, the StatsWales API (a filter
POST answered with a filter id, then the CSV), Nomis dataset queries, archived files and the
Stat-Xplore table API (a query POST with an APIKey header answered with a JSON cube). Routes are
a dict the test may change while the server runs (a file moved, a release retired or added).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    """An answer other than a plain 200 with the bytes: another status, a slow one, a content type."""

    body: bytes
    status: int = 200
    delay: float = 0.0  # seconds before the headers are sent
    content_type: str = "application/octet-stream"
    location: str | None = None  # a redirect's target


class _Publisher(ThreadingHTTPServer):
    daemon_threads = True

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def fake_publisher(routes: dict[str, bytes | Reply], posts: dict | None = None) -> _Publisher:
    """GET ``routes[path]`` (path with its query string); POST ``posts[path](json_body)``."""
    posts = posts if posts is not None else {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.server.requests.append(self.path)
            self._answer(routes.get(self.path))

        def do_POST(self):
            self.server.requests.append(f"POST {self.path}")
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
            self.server.posted.append(body)
            self.server.post_headers.append(dict(self.headers))  # read by stand-ins that check a key
            handler = posts.get(self.path)
            self._answer(handler(body) if handler else None)

        def _answer(self, reply: bytes | Reply | None):
            if reply is None:
                reply = Reply(b"", status=404)
            elif isinstance(reply, bytes):
                reply = Reply(reply)
            time.sleep(reply.delay)
            etag = f'"{hashlib.sha256(reply.body).hexdigest()[:16]}"'
            if reply.status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(reply.status)
            if reply.status == 200:
                self.send_header("ETag", etag)
            self.send_header("Content-Type", reply.content_type)
            if reply.location:
                self.send_header("Location", reply.location)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, *args):
            pass

    server = _Publisher(("127.0.0.1", 0), Handler)
    server.requests, server.posted, server.post_headers = [], [], []
    server.routes = routes  # for a test that changes what a shared stand-in serves
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fake_ees(routes: dict[str, bytes]) -> _Publisher:
    return fake_publisher(routes)


def ees_page(release_slug: str | None, version_id: str) -> bytes:
    """An EES page whose __NEXT_DATA__ names the release it shows."""
    summary = {"id": version_id, **({"slug": release_slug} if release_slug else {})}
    return ('<html><script id="__NEXT_DATA__" type="application/json">'
            + json.dumps({"props": {"pageProps": {"releaseVersionSummary": summary}}}) + "</script></html>").encode()


def release_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
        archive.writestr("data-guidance/data-guidance.txt", "guidance")
    return buffer.getvalue()


def govuk_content(base: str, attachments: list[str], documents: list[str] = ()) -> bytes:
    """A GOV.UK content API answer: ``details.attachments`` (each with its asset URL), and older
    pages' ``details.documents`` (HTML linking the files)."""
    return json.dumps({
        "base_path": "/government/statistics/page",
        "document_type": "official_statistics",
        "details": {
            "attachments": [{"attachment_type": "file", "title": path.rsplit("/", 1)[-1], "url": f"{base}{path}"}
                            for path in attachments],
            "documents": [f'<section class="attachment"><a href="{base}{path}">file</a></section>' for path in documents],
        },
    }).encode()


ERROR_PAGE = b"<!DOCTYPE html><html><head><title>Sorry, we're experiencing technical difficulties</title></head></html>"
