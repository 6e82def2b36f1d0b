"""Slowloris against `sitegen serve`: how fast a normal request is answered while idle connections are held.

Starts the real preview server on the test fixture site, opens N connections
that never finish a request (half of them send nothing, half send part of a
header and stop), then times ordinary page requests on fresh connections.

    python bench/bench_serve_idle.py --idle 5000 --requests 50
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "serve-site"
PAGE = "/briefings/2024/05/ceasefire-talks-resume-in-doha/"


def start(site: Path) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--site", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    assert process.stdout is not None
    for line in process.stdout:
        if match := re.search(r"Serving the preview at http://[^:]+:(\d+)", line):
            return process, int(match.group(1))
    raise SystemExit("the preview server did not start")


def get(port: int) -> float:
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as conn:
        conn.sendall(f"GET {PAGE} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    if not data.startswith(b"HTTP/1.0 200 "):
        raise SystemExit(f"unexpected answer: {data[:100]!r}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=5000, help="idle connections to hold (default 5000)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests (default 50)")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.idle + 100 > hard:
        raise SystemExit(f"the open-file limit ({hard}) is too low for {args.idle} connections")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(FIXTURE, site)
        process, port = start(site)
        held: list[socket.socket] = []
        try:
            baseline = [get(port) for _ in range(args.requests)]
            opened = time.perf_counter()
            for number in range(args.idle):
                conn = socket.create_connection(("127.0.0.1", port), timeout=60)
                if number % 2:
                    conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                held.append(conn)
            opened = time.perf_counter() - opened
            loaded = [get(port) for _ in range(args.requests)]
        finally:
            for conn in held:
                conn.close()
            process.terminate()
            process.wait(timeout=30)
    ms = lambda values: f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"  # noqa: E731
    print(f"no idle connections: {ms(baseline)}")
    print(f"{args.idle:,} idle connections held (opened in {opened:.1f} s): {ms(loaded)}")
    print(f"command: python bench/bench_serve_idle.py --idle {args.idle} --requests {args.requests}")


if __name__ == "__main__":
    main()
