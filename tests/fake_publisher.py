"""A local HTTP server standing in for a publisher (EES pages and release zips), for live-mode tests."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Publisher(ThreadingHTTPServer):
    daemon_threads = True


def fake_ees(routes: dict[str, bytes]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.server.requests.append(self.path)
            body = routes.get(self.path)
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"' if body is not None else None
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = _Publisher(("127.0.0.1", 0), Handler)
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


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
