"""The preview server under load: slow and idle clients never starve the others, memory stays flat.

Loopback only. While 200 connections are held open by misbehaving clients
(headers trickled a byte at a time, connections opened and left silent, a big
file read a few KB at a time) and 20 live-reload streams are open, 10,000
ordinary requests must all be answered correctly and promptly, the server's
memory must stop growing once warm, and every held connection must still get
its answer at the end (the silent ones, unless the server closed them as idle).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .test_serve import BRIEFING_URL, EventStream, Server, copy_site, wait_until

REQUESTS = 10_000
WORKERS = 16
TRICKLING, IDLE, SLOW_READERS, STREAMS = 100, 50, 50, 20
BIG_FILE = 4 * 1024 * 1024
SLOW_TO_ANSWER = 10.0
"""A request answered later than this means the server stalled; normal answers take milliseconds."""
MEMORY_GROWTH_LIMIT = 16 * 1024 * 1024

EXPECTED = {BRIEFING_URL: 200, "/": 200, "/style.css": 200, "/about-this-archive/": 200, "/no-such-page/": 404,
            BRIEFING_URL.rstrip("/"): 301}

pytestmark = pytest.mark.slow


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def request(port: int, path: str) -> tuple[int, float]:
    """One HTTP/1.0 request; (status, seconds until the whole answer arrived)."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=SLOW_TO_ANSWER * 3) as conn:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), time.perf_counter() - started


def read_all(conn: socket.socket) -> bytes:
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    return data


def late_request(conn: socket.socket) -> bytes:
    """A request on a connection left silent; empty when the server had closed it as idle meanwhile."""
    try:
        conn.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        return read_all(conn)
    except (ConnectionResetError, BrokenPipeError):
        return b""


class SlowClients:
    """The misbehaving clients, and one thread that keeps them misbehaving until released."""

    def __init__(self, port: int) -> None:
        self.trickling = [self._connect(port, b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Slow: ") for _ in range(TRICKLING)]
        self.idle = [self._connect(port, b"") for _ in range(IDLE)]
        self.readers = []
        for _ in range(SLOW_READERS):
            conn = socket.socket()
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            conn.settimeout(60)
            conn.connect(("127.0.0.1", port))
            conn.sendall(b"GET /big.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            self.readers.append(conn)
        self.received = [0] * SLOW_READERS
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._misbehave, daemon=True)
        self._thread.start()

    @staticmethod
    def _connect(port: int, first: bytes) -> socket.socket:
        conn = socket.create_connection(("127.0.0.1", port), timeout=60)
        conn.sendall(first)
        return conn

    def _misbehave(self) -> None:
        while not self._stop.wait(0.2):
            for conn in self.trickling:
                conn.sendall(b"a")
            for number, conn in enumerate(self.readers):
                self.received[number] += len(conn.recv(4096))

    def release(self) -> tuple[list[bytes], list[bytes], list[int]]:
        """Let every held connection finish; return the answers each kind got."""
        self._stop.set()
        self._thread.join()
        for conn in self.trickling:
            conn.sendall(b"\r\n\r\n")
        with ThreadPoolExecutor(max_workers=len(self.readers)) as pool:  # each client reads its own answer
            rest = pool.map(read_all, self.readers)
            trickled = [read_all(conn) for conn in self.trickling]
            idled = [late_request(conn) for conn in self.idle]
            sizes = [before + len(tail) for before, tail in zip(self.received, rest, strict=True)]
        return trickled, idled, sizes

    def close(self) -> None:
        self._stop.set()
        for conn in self.trickling + self.idle + self.readers:
            conn.close()


def test_slow_clients_never_stall_10k_requests_and_memory_stays_flat(tmp_path):
    site = copy_site(tmp_path)
    (site / "static" / "big.bin").write_bytes(os.urandom(BIG_FILE))
    server = Server(site, "--port", "0")
    slow = streams = None
    try:
        wait_until(lambda: request(server.port, "/")[0] == 200, timeout=60)
        slow = SlowClients(server.port)
        streams = [EventStream(server.port) for _ in range(STREAMS)]
        paths = list(EXPECTED)
        memory: dict[int, int] = {}
        results: list[tuple[str, int, float]] = []

        def one(number: int) -> None:
            path = paths[number % len(paths)]
            results.append((path, *request(server.port, path)))
            if number % 1000 == 999:
                memory[number + 1] = rss(server.process.pid)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(one, range(REQUESTS)))
        seconds = time.perf_counter() - started

        wrong = [(path, status) for path, status, _ in results if status != EXPECTED[path]]
        assert len(results) == REQUESTS and not wrong, wrong[:10]
        slowest = max(latency for _, _, latency in results)
        assert slowest < SLOW_TO_ANSWER, f"a request took {slowest:.1f} s"
        growth = memory[REQUESTS] - memory[2000]
        assert growth < MEMORY_GROWTH_LIMIT, f"memory grew {growth / 2**20:.1f} MB from 2k to 10k requests: {memory}"
        assert all(stream.next(timeout=5)["ok"] for stream in streams)

        trickled, idled, sizes = slow.release()
        assert all(answer.startswith(b"HTTP/1.0 200 ") for answer in trickled)
        assert all(answer.startswith(b"HTTP/1.0 200 ") or answer == b"" for answer in idled)  # or closed as idle
        assert all(size > BIG_FILE for size in sizes), "a slow reader got a short answer"
        print(f"\n{REQUESTS:,} requests with {TRICKLING + IDLE + SLOW_READERS} slow clients and {STREAMS} streams: "
              f"{seconds:.1f} s, slowest {slowest * 1000:.0f} ms, memory {memory[2000] / 2**20:.1f} → "
              f"{memory[REQUESTS] / 2**20:.1f} MB")
    finally:
        for stream in streams or []:
            stream.close()
        if slow is not None:
            slow.close()
        code, output = server.stop()
    assert code == 0 and "Traceback" not in output, output
