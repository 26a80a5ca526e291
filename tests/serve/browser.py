"""Headless Chromium for the replay tests, and the witnesses that nothing left for the live web.

* `RecordingProxy`: an HTTP proxy on loopback that writes down every request it is asked for and
  forwards only those for one allowed host:port (the pywb server); anything else gets a 403.
  Chromium is started with it as its proxy *for loopback too* (`<-loopback>`), so every request
  the browser makes, from any frame, worker or script, passes through the log.
* `Tripwire`: a listening socket on the port where the crawled site used to run, counting the
  connections anyone makes to it (the site is gone: only the archive can answer).
* `Chromium`: Debian's `chromium` with the flags this machine needs, a fresh profile each run,
  all hosts but 127.0.0.1 unresolvable, and the recording proxy.
* `DevTools`: the same browser driven over the DevTools protocol, to click through like a user.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# How Chromium runs here (/work/.library/env/machines/python.md): as root, no GPU, and nothing
# in the background that would try to reach Google.
BASE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--no-pings",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication",
)
# Chromium's own traffic, not the page's: even with all the switches above, this build asks
# these hosts once per start (component updates, sign-in state). The proxy refuses them and no
# host name resolves, so they never reach a network; they are named here only to tell the
# page's requests apart, and `RecordingProxy.forwarded` proves they were not let through.
BROWSER_SERVICE_HOSTS = frozenset({"update.googleapis.com", "accounts.google.com"})
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


@dataclass
class RecordingProxy:
    """Records every request; forwards only those to `allowed` ("host:port")."""

    allowed: str | None = None
    requests: list[str] = field(default_factory=list)  # every URL (or CONNECT host:port) asked
    forwarded: list[str] = field(default_factory=list)  # the ones let through to `allowed`

    def page_requests(self) -> list[str]:
        """`requests` without Chromium's own service traffic (`BROWSER_SERVICE_HOSTS`)."""
        return [r for r in self.requests if _host(r) not in BROWSER_SERVICE_HOSTS]

    def __enter__(self) -> RecordingProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: simple and enough

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_CONNECT(self) -> None:
                proxy.requests.append(f"CONNECT {self.path}")
                self.send_error(403, "no tunnels in replay tests")

            def _forward(self) -> None:
                proxy.requests.append(self.path)
                target = urlsplit(self.path)
                if target.scheme != "http" or target.netloc != proxy.allowed:
                    self.send_error(403, "not the archive")
                    return
                proxy.forwarded.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP
                }
                path = target.path + (f"?{target.query}" if target.query else "")
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                try:
                    upstream.request(self.command, path or "/", body=body, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                finally:
                    upstream.close()
                self.send_response(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _host(request: str) -> str | None:
    if request.startswith("CONNECT "):
        return request.split(" ", 1)[1].rsplit(":", 1)[0]
    return urlsplit(request).hostname


class Tripwire:
    """Listens on 127.0.0.1:`port` and records every connection made to it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connections: list[tuple[str, int]] = []
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, peer = self._socket.accept()
            except OSError:
                return  # closed
            self.connections.append(peer[:2])
            conn.close()

    def close(self) -> None:
        self._socket.close()


@dataclass
class Chromium:
    """One headless Chromium run per call, all its traffic through `proxy`."""

    proxy: RecordingProxy
    timeout: float = 90

    def _run(self, url: str, *flags: str) -> subprocess.CompletedProcess[str]:
        assert CHROMIUM, "chromium is not installed (make test installs TEST_DEBS)"
        with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
            return subprocess.run(
                [
                    CHROMIUM,
                    *BASE_FLAGS,
                    f"--user-data-dir={profile}",
                    f"--proxy-server=http://{self.proxy.address}",
                    "--proxy-bypass-list=<-loopback>",  # loopback through the proxy as well
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    *flags,
                    url,
                ],
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=True,
            )

    def dump_dom(self, url: str) -> str:
        """The DOM after the page loaded and its scripts and requests settled."""
        return self._run(url, "--virtual-time-budget=5000", "--dump-dom").stdout

    def screenshot(self, url: str, path: Path, size: str = "1280,900") -> Path:
        self._run(
            url, "--virtual-time-budget=5000", f"--window-size={size}", f"--screenshot={path}"
        )
        return path


def _above_nine(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class DevTools:
    """Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`).

    No WebSocket library needed: Chromium reads commands on its fd 3 and writes answers and
    events on its fd 4, one JSON message per NUL-terminated chunk. One page, flat session.
    """

    def __init__(self, proxy: RecordingProxy, timeout: float = 30) -> None:
        assert CHROMIUM, "chromium is not installed (make test installs TEST_DEBS)"
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        to_browser, self._commands = os.pipe()
        self._answers, from_browser = os.pipe()
        # Above 9, so that moving them to 3 and 4 cannot overwrite one with the other.
        to_browser, from_browser = (_above_nine(to_browser), _above_nine(from_browser))
        # bash (dash takes single-digit fds only) moves our pipe ends to the browser's fds 3
        # and 4, as the protocol wants.
        script = f'exec "$@" 3<&{to_browser} 4>&{from_browser} {to_browser}<&- {from_browser}>&-'
        self.process = subprocess.Popen(
            [
                "/bin/bash", "-c", script, "bash",
                CHROMIUM,
                *BASE_FLAGS,
                f"--user-data-dir={self._profile.name}",
                f"--proxy-server=http://{proxy.address}",
                "--proxy-bypass-list=<-loopback>",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--window-size=1280,900",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(to_browser, from_browser),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send("Page.enable", session=True)

    def send(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._answers], [], [], deadline - time.monotonic())
            if not ready:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._answers, 65536)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, method: str) -> dict:
        """The next event `method` of our page (earlier ones already received are dropped)."""
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == self.session:
                    del self.events[: index + 1]
                    return event
            self.events.clear()
            self.events.append(self._read())

    def evaluate(self, expression: str, *, await_promise: bool = False):
        params = {"expression": expression, "returnByValue": True, "awaitPromise": await_promise}
        result = self.send("Runtime.evaluate", params, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def click_and_wait(self, selector: str) -> None:
        """Click the element (as a script would) and wait for the page it leads to."""
        self.events.clear()
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        self.wait_for("Page.loadEventFired")

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError, TimeoutError, RuntimeError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._answers)
        self._profile.cleanup()
