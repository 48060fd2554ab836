"""A real HTTP server on a loopback address for the URL tests: an image, a page, redirects, a 404,
a server that trickles, one that never stops, one that announces 10 GB; it counts what it was
asked, so a test can say a refused URL never reached it."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.helpers import draw_text


class UrlServer:
    def __init__(self, host: str = "127.0.0.1", image: bytes | None = None) -> None:
        self.image = image or draw_text("fetched by url")
        self.requests: list[str] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
                route = getattr(server, "_" + (path.strip("/").replace("-", "_").replace(".", "_") or "image"), None)
                if route is None:
                    self._send(404, b"not found", "text/plain")
                else:
                    route(self, query)

            def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.handler = Handler
        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host, self.port = host, self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str = "/image.png", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def __enter__(self) -> "UrlServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # Routes ----------------------------------------------------------------------------------

    def _image_png(self, handler, query) -> None:
        # Said to be HTML: the type is decided by the bytes.
        handler._send(200, self.image, "text/html")

    def _image(self, handler, query) -> None:
        self._image_png(handler, query)

    def _receipt_png(self, handler, query) -> None:
        self._image_png(handler, query)

    def _sign_png(self, handler, query) -> None:
        self._image_png(handler, query)

    def _page_html(self, handler, query) -> None:
        handler._send(200, b"<html><body>secret admin panel</body></html>", "image/png")

    def _redirect(self, handler, query) -> None:
        handler._send(302, b"", "text/plain", {"Location": query["to"][0]})

    def _missing(self, handler, query) -> None:
        handler._send(404, b"<h1>private details</h1>", "text/html")

    def _trickle(self, handler, query) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        for _ in range(600):
            if self.stopping.is_set():
                return
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(1)

    def _endless(self, handler, query) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"\x89PNG" + b"\0" * 65532
        try:
            while not self.stopping.is_set():
                handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except OSError:
            return

    def _huge(self, handler, query) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", str(10 * 1024**3))
        handler.end_headers()
        try:
            handler.wfile.write(b"\x89PNG" + b"\0" * 1024)
        except OSError:
            return
