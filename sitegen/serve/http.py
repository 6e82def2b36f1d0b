"""The preview's HTTP server: one event loop, bounded, answering only the names it was bound for.

Every connection is a coroutine, not a thread, so clients that connect and
say nothing, trickle their headers a byte at a time or read slowly cost a
socket and a few kilobytes each, never a worker: the loop keeps answering
everyone else. A connection silent for :data:`IDLE_SECONDS` (or not reading
what it asked for) is closed; at :attr:`PreviewServer.max_connections` the
oldest connection still sending its request makes room for a new one.

Requests must name this server: ``Host`` is one of 127.0.0.1, localhost, [::1]
or the ``--host`` given, with the server's port, and an ``Origin``, when sent,
is that same address. A web page on another name that re-resolves to
127.0.0.1 (DNS rebinding) gets 421 and cannot read drafts.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import errno
import fcntl
import ipaddress
import os
import resource
import signal
import socket
import termios
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Protocol

from .paths import HTML_TYPE, TEXT_TYPE, BadRequestPath, Located, TargetTooLong, content_type, request_path
from .reload import EVENTS_URL, SCRIPT_URL, BuildOutcome, BuildStatus, error_page, live_reload_script, with_live_reload

LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # noqa: S104 - naming, not binding
IDLE_SECONDS = 20.0
"""A connection that sends nothing (or reads nothing of its answer) for this long is closed."""
MAX_HEAD_BYTES = 16 * 1024
KEEPALIVE_SECONDS = 15.0
CHUNK = 64 * 1024
SEND_BUFFER = 256 * 1024
BACKLOG = 4096
"""Connections the kernel completes before the loop accepts them (asyncio's own default of 100 makes a
burst of clients wait for SYN retries)."""


class Site(Protocol):
    """What the server needs from a preview session."""

    root: Path
    status: BuildStatus

    def locate(self, path: str) -> Located: ...


def _host_name(host: str) -> str:
    """``host`` as it appears in a Host header: IPv6 addresses in brackets, lower case."""
    host = host.lower()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def split_host(value: str) -> tuple[str, str]:
    """``name`` and ``port`` of a Host header value (``[::1]:8000`` too); ("", "") when malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value.partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return "", ""
        name, port = name + "]", rest[1:]
    else:
        name, _, port = value.partition(":")
    return (name, port) if port.isdigit() or not port else ("", "")


@dataclass(frozen=True)
class HostCheck:
    """The names a request may use for this server (the defence against DNS rebinding)."""

    host: str
    port: int

    def names(self) -> frozenset[str]:
        return frozenset({*LOCAL_NAMES, _host_name(self.host)} - {""})

    def host_ok(self, value: str | None) -> bool:
        """A ``Host`` header naming this server: a local name or the bound host, with our port (or none).

        Bound to every interface (``--host 0.0.0.0``), any IP address is fine
        too, since rebinding needs a domain name; names still must be ours."""
        name, port = split_host(value or "")
        if not name or port not in ("", str(self.port)):
            return False
        return name in self.names() or (self.host in WILDCARD_HOSTS and _is_ip_literal(name))

    def origin_ok(self, value: str | None) -> bool:
        """No ``Origin`` (a same-origin GET), or ``http://`` and a name :meth:`host_ok` accepts."""
        if value is None:
            return True
        scheme, _, rest = value.strip().partition("://")
        return scheme.lower() == "http" and "/" not in rest and self.host_ok(rest)


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    headers: dict[str, str]


class BadRequest(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_head(head: bytes) -> Request:
    """The request line and headers; a malformed request raises :class:`BadRequest`."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0].isalpha():
        raise BadRequest(HTTPStatus.BAD_REQUEST, "Bad request line.")
    method, target, version = parts
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/1.0 and HTTP/1.1 only.")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or line[0] in " \t":
            raise BadRequest(HTTPStatus.BAD_REQUEST, "Bad header line.")
        key = name.lower()
        if key in headers and key in ("host", "origin"):
            raise BadRequest(HTTPStatus.BAD_REQUEST, f"More than one {name} header.")
        headers[key] = value.strip()
    return Request(method, target, headers)


def _head(status: int, kind: str, length: int | None, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.0 {status} {HTTPStatus(status).phrase}", "Server: sitegen-preview", f"Content-Type: {kind}"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += ["Cache-Control: no-store", "X-Content-Type-Options: nosniff", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Exchange:
    """One request and its answer on one connection."""

    def __init__(self, server: PreviewServer, request: Request, writer: asyncio.StreamWriter) -> None:
        self.server, self.request, self.writer = server, request, writer
        self.send_body = request.method != "HEAD"

    async def write(self, data: bytes) -> None:
        """Send ``data``, giving up on a client that read nothing for :data:`IDLE_SECONDS`."""
        self.writer.write(data)
        await drain(self.writer)

    async def send(self, status: int, body: bytes, kind: str = TEXT_TYPE, headers: dict[str, str] | None = None) -> None:
        await self.write(_head(status, kind, len(body), headers) + (body if self.send_body else b""))

    async def answer(self) -> None:
        request, site = self.request, self.server.site
        hosts = self.server.hosts
        if not hosts.host_ok(request.headers.get("host")):
            await self.send(421, b"Misdirected request: this preview answers only to the address it printed.\n")
        elif not hosts.origin_ok(request.headers.get("origin")):
            await self.send(403, b"Forbidden: requests from other sites are refused.\n")
        elif request.method not in ("GET", "HEAD"):
            await self.send(405, b"Method not allowed: the preview answers GET and HEAD only.\n",
                            headers={"Allow": "GET, HEAD"})
        else:
            try:
                path = request_path(request.target)
            except TargetTooLong:
                await self.send(414, b"Request path too long.\n")
                return
            except BadRequestPath:
                await self.send(400, b"Bad request path.\n")
                return
            if path == EVENTS_URL:
                await self.stream_events(site.status)
            elif path == SCRIPT_URL:
                await self.send(200, live_reload_script(), content_type(Path(SCRIPT_URL)))
            else:
                await self.serve_site(path, site)

    async def serve_site(self, path: str, site: Site) -> None:
        outcome = site.status.latest
        found = site.locate(path)
        if found.redirect:
            query = self.request.target.partition("?")[2]
            await self.send(301, b"", headers={"Location": found.redirect + (f"?{query}" if query else "")})
        elif not outcome.ok and (found.file is None or found.file.suffix == ".html"):
            await self.send(500, error_page(outcome, site.root), HTML_TYPE)
        elif found.file is None or not await self.send_file(200, found.file, outcome):
            page = site.locate("/404.html").file
            if page is None or not await self.send_file(404, page, outcome):
                await self.send(404, b"Not found.\n")

    async def send_file(self, status: int, path: Path, outcome: BuildOutcome) -> bool:
        """Send a file (HTML with the live-reload script); False if it vanished under a rebuild."""
        kind = content_type(path)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, across awaits
        except (FileNotFoundError, IsADirectoryError):
            return False
        with handle:
            if kind == HTML_TYPE:
                await self.send(status, with_live_reload(handle.read(), outcome), kind)
                return True
            await self.write(_head(status, kind, os.fstat(handle.fileno()).st_size))
            while self.send_body and (chunk := handle.read(CHUNK)):
                await self.write(chunk)
        return True

    async def stream_events(self, status: BuildStatus) -> None:
        """Server-Sent Events: the latest build at once, then one event per build, and a comment now and
        then so a closed tab is noticed."""
        await self.write(_head(200, "text/event-stream", None))
        if not self.send_body:
            return
        outcome = status.latest
        await self.write(b"retry: 1000\n" + outcome.as_event())
        while not status.closed and not self.server.closing:
            changed = self.server.builds_changed
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(KEEPALIVE_SECONDS):
                    await changed.wait()
            if status.closed or self.server.closing:
                return
            if status.latest.generation == outcome.generation:
                await self.write(b": keep-alive\n\n")
            else:
                outcome = status.latest
                await self.write(outcome.as_event())


def _unsent(writer: asyncio.StreamWriter) -> int:
    """Bytes the client has not yet acknowledged: what the kernel still holds, and what the loop does."""
    sock = writer.get_extra_info("socket")
    queued = array.array("i", [0])
    with contextlib.suppress(OSError, AttributeError):
        fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, queued)
    return queued[0] + writer.transport.get_write_buffer_size()


async def drain(writer: asyncio.StreamWriter) -> None:
    """Wait until the loop may write more, while the client keeps reading; raise TimeoutError once it
    has read nothing for :data:`IDLE_SECONDS`.

    The kernel may hold megabytes for a slow reader and only report room once
    half of it is read, so progress is judged by the bytes still unread, not
    by how long the wait takes."""
    left, stalled = _unsent(writer), 0.0
    while True:
        try:
            async with asyncio.timeout(1.0):
                await writer.drain()
            return
        except TimeoutError:
            now = _unsent(writer)
            stalled = 0.0 if now < left else stalled + 1.0
            left = now
            if stalled >= IDLE_SECONDS:
                raise


async def flush(writer: asyncio.StreamWriter) -> None:
    """Wait until the client has every byte, while it keeps reading, so that closing the socket
    cannot cut a slow reader's answer short (the kernel may drop what it still held)."""
    await drain(writer)
    left, stalled, pause = _unsent(writer), 0.0, 0.005
    while left:
        await asyncio.sleep(pause)
        now = _unsent(writer)
        stalled = 0.0 if now < left else stalled + pause
        if stalled >= IDLE_SECONDS:
            raise TimeoutError
        left, pause = now, min(pause * 2, 0.5)


def _raise_open_file_limit() -> int:
    """As many sockets as the system lets this process hold: idle clients must not exhaust them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 65536)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


class PreviewServer:
    """The listening socket and the event loop that serves it; bound at once, so a taken port is
    reported before the first build, and the real port is known for links (``--port 0``)."""

    site: Site

    def __init__(self, host: str, port: int) -> None:
        family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)[0][0]
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((host, port))
            self.socket.listen(BACKLOG)
        except OSError:
            self.socket.close()
            raise
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self.hosts = HostCheck(host, self.server_address[1])
        self.max_connections = max(64, min(_raise_open_file_limit() - 128, 32_768))
        self.builds_changed = asyncio.Event()
        self._waiting: dict[asyncio.StreamWriter, None] = {}
        """Connections still sending their request, oldest first: the ones to close when full."""
        self._open = 0
        self.closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown`, SIGTERM or Ctrl-C (which raises KeyboardInterrupt, as usual)."""
        asyncio.run(self._serve())

    def shutdown(self) -> None:
        """Stop serving; safe from any thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    def server_close(self) -> None:
        self.socket.close()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        self.builds_changed = asyncio.Event()
        self._loop.add_signal_handler(signal.SIGTERM, self._stop.set)
        self.site.status.listen(lambda: self._notify_threadsafe())
        server = await asyncio.start_server(self._connection, sock=self.socket, backlog=BACKLOG)
        async with server:
            await self._stop.wait()
            self.closing = True
            self._builds_changed()

    def _notify_threadsafe(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(self._builds_changed)

    def _builds_changed(self) -> None:
        """Wake every event stream: they compare the latest build with the one they sent."""
        changed, self.builds_changed = self.builds_changed, asyncio.Event()
        changed.set()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open += 1
        self._make_room()
        with contextlib.suppress(OSError, AttributeError):  # what the kernel holds for one slow reader
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self._waiting[writer] = None
        try:
            head = await self._read_head(reader)
            self._waiting.pop(writer, None)
            if head is not None:
                await self._answer(head, writer)
        except BadRequest as error:
            body = f"{error}\n".encode()
            writer.write(_head(error.status, TEXT_TYPE, len(body)) + body)
        except (ConnectionError, TimeoutError, OSError):
            pass  # a client gone or stalled: nothing to tell anyone
        finally:
            self._open -= 1
            self._waiting.pop(writer, None)
            writer.close()

    def _make_room(self) -> None:
        """At the connection limit, close the oldest connections that have not finished their request."""
        while self._open > self.max_connections and self._waiting:
            oldest = next(iter(self._waiting))
            del self._waiting[oldest]
            oldest.transport.abort()

    @staticmethod
    async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
        """The request's head; None when the client closes or stays silent for :data:`IDLE_SECONDS`."""
        received = b""
        while b"\r\n\r\n" not in received:
            if len(received) > MAX_HEAD_BYTES:
                raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request headers too large.")
            try:
                async with asyncio.timeout(IDLE_SECONDS):
                    chunk = await reader.read(4096)
            except TimeoutError:
                return None
            if not chunk:
                return None
            received += chunk
        return received.split(b"\r\n\r\n", 1)[0]

    async def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> None:
        await Exchange(self, parse_head(head), writer).answer()
        await flush(writer)


def server_url(host: str, port: int) -> str:
    """The address to print and to build links with; a wildcard host is shown as this computer."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - naming, not binding
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def bind_problem(error: OSError, host: str, port: int) -> str:
    """Why the server could not listen, and what to type instead."""
    if error.errno == errno.EADDRINUSE:
        return (f"error: port {port} on {host} is already in use (another `sitegen serve`?).\n"
                f"    hint: pick another port, e.g. `sitegen serve --port {port + 1 if port < 65535 else 8001}`")
    if error.errno == errno.EACCES:
        return (f"error: not allowed to listen on port {port}.\n"
                f"    hint: ports below 1024 need special rights; use e.g. `sitegen serve --port 8000`")
    return (f"error: cannot listen on {host} port {port}: {error.strerror or error}.\n"
            f"    hint: check --host (e.g. 127.0.0.1) and --port (e.g. 8000)")

