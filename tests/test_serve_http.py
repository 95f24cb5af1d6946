"""`kg serve` as a real process on 127.0.0.1, driven with raw sockets and httpx: read deadlines
(silent and slowloris clients, stalled bodies), fair sharing of workers between client
addresses, probes that stay fast while hostile requests are sent, memory after large queries."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
pytest.importorskip("pyoxigraph")

from test_serve import EX  # noqa: E402
from test_serve_safety import CROSS_COUNT, _big_build  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="127.0.0.x source addresses and /proc are Linux's")
HEADER_TIMEOUT, TIMEOUT = 2.0, 4.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m kg serve BUILD` on a free port; stderr kept in a file."""

    def __init__(self, build: Path, log: Path, *args: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        cmd = [sys.executable, "-m", "kg", "serve", str(build), "--port", str(self.port), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()
            try:
                if httpx.get(self.url + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        raise AssertionError("kg serve did not start:\n" + log.read_text())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def rss_mb(self) -> float:
        """Resident memory of the server and all its processes (workers, checkers)."""
        total, todo = 0, [self.proc.pid]
        while todo:
            pid = todo.pop()
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        return total / 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("http")
    srv = Server(_big_build(root), root / "serve.log", "--workers", "4", "--timeout", str(TIMEOUT),
                 "--header-timeout", str(HEADER_TIMEOUT))
    yield srv
    srv.stop()


def _connect(server: Server, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", server.port))
    return sock


def _until_closed(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when it closed."""
    t0, data = time.monotonic(), b""
    sock.settimeout(limit)
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data, time.monotonic() - t0


def _probe(server: Server, tag: str = "") -> float:
    t0 = time.monotonic()
    r = httpx.get(server.url + "/sparql", params={"query": f"ASK {{ <{EX}yuan> ?p ?o }} #{tag}"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True, r.text
    return time.monotonic() - t0


def _trickle(sock: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    for byte in data:
        if stop.is_set():
            return
        try:
            sock.send(bytes([byte]))
        except OSError:
            return
        time.sleep(every)


def test_serve_http_silent_connection_is_closed_after_header_timeout(server):
    sock = _connect(server)
    data, seconds = _until_closed(sock, HEADER_TIMEOUT + 10)
    sock.close()
    assert data == b"" and HEADER_TIMEOUT - 0.5 < seconds < HEADER_TIMEOUT + 2, seconds


def test_serve_http_slowloris_head_gets_408_and_others_are_served(server):
    """Many clients sending their heads a byte every 0.2 s: each is cut at the header
    deadline with 408 (bytes arriving do not extend it); a probe answers quickly meanwhile."""
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
    socks = [_connect(server) for _ in range(50)]
    stop = threading.Event()
    threads = [threading.Thread(target=_trickle, args=(s, head, 0.2, stop), daemon=True) for s in socks]
    for t in threads:
        t.start()
    time.sleep(0.5)
    assert max(_probe(server, f"loris{i}") for i in range(3)) < 1.0
    results = [_until_closed(s, HEADER_TIMEOUT + 10) for s in socks]
    stop.set()
    for s in socks:
        s.close()
    assert all(data.startswith(b"HTTP/1.1 408") for data, _ in results), results[0]
    assert max(seconds for _, seconds in results) < HEADER_TIMEOUT + 2


def test_serve_http_stalled_body_gets_408_within_timeout(server):
    sock = _connect(server)
    t0 = time.monotonic()
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                 b"Content-Length: 100\r\n\r\nASK {")
    data, _ = _until_closed(sock, TIMEOUT + 10)
    sock.close()
    assert data.startswith(b"HTTP/1.1 408"), data
    assert TIMEOUT - 0.5 < time.monotonic() - t0 < TIMEOUT + 2


def test_serve_http_keep_alive_connection_serves_several_requests(server):
    """The deadlines re-arm per request: a connection reused after a pause still works."""
    with httpx.Client(timeout=10) as c:
        for i in range(3):
            r = c.get(server.url + "/sparql", params={"query": f"ASK {{}} #ka{i}"})
            assert r.status_code == 200
            time.sleep(HEADER_TIMEOUT / 2)
        r = c.post(server.url + "/sparql", content=b"ASK {} #ka-post",
                   headers={"content-type": "application/sparql-query"})
        assert r.status_code == 200


def test_serve_http_crafted_query_and_huge_bodies_do_not_stall_probes(server):
    crafted = ("query=" + quote('SELECT * WHERE { ?s ?p "' + '\\"' * 31_000 + " }")).encode()  # 63 KB
    results: dict = {}

    def send(name: str, head: bytes, body) -> None:
        sock = _connect(server)
        t0 = time.monotonic()
        sock.sendall(head)
        try:
            for part in body:
                sock.sendall(part)
        except OSError:
            pass  # the server answered and closed before all 50 MB were sent
        data, _ = _until_closed(sock, 30)
        results[name] = (data[:12], time.monotonic() - t0)
        sock.close()

    mb = b"#" * 2**20
    post = b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    senders = [
        ("crafted", post + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
         + str(len(crafted)).encode() + b"\r\n\r\n", [crafted]),
        ("huge", post + b"Content-Type: application/sparql-query\r\nContent-Length: "
         + str(50 * 2**20).encode() + b"\r\n\r\n", [mb] * 50),
        ("chunked", post + b"Content-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n",
         [b"100000\r\n" + mb + b"\r\n"] * 50 + [b"0\r\n\r\n"]),
    ]
    threads = [threading.Thread(target=send, args=s) for s in senders]
    for t in threads:
        t.start()
    probes = [_probe(server, f"huge{i}") for i in range(5)]
    for t in threads:
        t.join(60)
    assert max(probes) < 1.0, probes
    assert results["crafted"][0] == b"HTTP/1.1 400" and results["crafted"][1] < 5, results
    assert results["huge"][0] == b"HTTP/1.1 413" and results["chunked"][0] == b"HTTP/1.1 413", results


def test_serve_http_memory_stays_bounded_after_large_queries(tmp_path):
    """Five 10 MB queries (under a raised --max-query-bytes) and five refused 50 MB bodies:
    the server's processes together grow by little, since no query text is kept."""
    srv = Server(_big_build(tmp_path, 10), tmp_path / "serve.log", "--workers", "1",
                 "--max-query-bytes", str(12 * 2**20), "--timeout", "60")
    try:
        for i in range(2):
            _probe(srv, f"warm{i}")
        before = srv.rss_mb()
        with httpx.Client(timeout=120) as c:
            for i in range(5):
                q = f'ASK {{ ?s ?p ?o FILTER(?o != "{i}' + "x" * (10 * 2**20) + '") }'
                r = c.post(srv.url + "/sparql", content=q.encode(),
                           headers={"content-type": "application/sparql-query"})
                assert r.status_code == 200, r.text[:300]
                r = c.post(srv.url + "/sparql", content=b"#" * (50 * 2**20),
                           headers={"content-type": "application/sparql-query"})
                assert r.status_code == 413
        after = srv.rss_mb()
    finally:
        srv.stop()
    print(f"RSS of kg serve and its workers: {before:.0f} MB before, {after:.0f} MB after")
    assert after - before < 40, (before, after)


def _greedy(server: Server, source: str, stop: threading.Event, statuses: list) -> None:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=60) as c:
        i = 0
        while not stop.is_set():
            i += 1
            r = c.get(server.url + "/sparql", params={"query": f"{CROSS_COUNT} #{source}-{i}"})
            statuses.append(r.status_code)
            if r.status_code == 429:
                time.sleep(float(r.headers["retry-after"]) / 10)


def test_serve_http_polite_client_is_served_beside_greedy_ones(server):
    """Four client addresses each keep three runaway queries going (more than all the workers
    together); a fifth sends one quick query at a time: every one of its queries succeeds."""
    stop, statuses = threading.Event(), []
    threads = [threading.Thread(target=_greedy, args=(server, f"127.0.0.{n}", stop, statuses), daemon=True)
               for n in range(2, 6) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(TIMEOUT / 2)
    polite, seconds = [], []
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.9"), timeout=60) as c:
        for i in range(4):
            t0 = time.monotonic()
            r = c.get(server.url + "/sparql", params={"query": f"ASK {{ <{EX}yuan> ?p ?o }} #polite{i}"})
            polite.append(r.status_code if r.status_code == 200 else (r.status_code, r.text))
            seconds.append(time.monotonic() - t0)
    stop.set()
    for t in threads:
        t.join(3 * TIMEOUT + 10)
    print(f"polite: {polite} in {[round(s, 2) for s in seconds]} s; greedy: "
          f"{ {s: statuses.count(s) for s in set(statuses)} }")
    assert polite == [200] * 4
    assert 503 in statuses  # the greedy queries did run into the time limit: the pool was full
