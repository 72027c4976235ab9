#!/usr/bin/env python3
"""The HTTPS front under hostile load (issue 17), with the real tally-server binary.

Measures the latency of valid signed uploads (a new TLS connection each, as an agent does)
while the server is held by N idle TCP connections (never a byte; reopened as the server
closes them) and M slow-header TLS clients (one header byte a second; reopened when cut),
then while unauthenticated gzip bombs arrive, and the server's memory (VmRSS idle, VmHWM
peak) throughout. One run prints one table.

  bench/front/flood.py [--idle 10000] [--slow 600] [--uploads 30]
Needs TALLY_SERVER (the binary). Attack sockets come from 127.0.1.x / 127.0.2.x so the
per-address limit (256) does not merely refuse them; the valid client uses 127.0.0.1.
"""

import argparse
import gzip
import os
import resource
import socket
import ssl
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from protocol_client import Device  # noqa: E402
from tally_harness import Server  # noqa: E402


def proc_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Flood:
    def __init__(self, host, port, ctx, idle, slow):
        self.host, self.port, self.ctx = host, port, ctx
        self.idle_n, self.slow_n = idle, slow
        self.stop = threading.Event()
        self.idle = []
        self.slow = []
        self.reopened = 0

    def open_idle(self, i):
        s = socket.socket()
        s.bind((f"127.0.1.{1 + i // 250}", 0))
        s.setblocking(False)
        try:
            s.connect((self.host, self.port))
        except BlockingIOError:
            pass
        return s

    def open_slow(self, i):
        raw = socket.socket()
        raw.bind((f"127.0.2.{1 + i // 250}", 0))
        raw.settimeout(10)
        raw.connect((self.host, self.port))
        s = self.ctx.wrap_socket(raw, server_hostname="localhost")
        s.settimeout(0.5)
        return [s, b"GET /v1/tenants HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000, 0]

    def start(self):
        self.idle = [self.open_idle(i) for i in range(self.idle_n)]
        for i in range(self.slow_n):
            try:
                self.slow.append(self.open_slow(i))
            except OSError:
                self.slow.append(None)
        threading.Thread(target=self.keep_idle, daemon=True).start()
        threading.Thread(target=self.drip, daemon=True).start()

    def keep_idle(self):
        while not self.stop.is_set():
            for i, s in enumerate(self.idle):
                try:
                    if s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b"":
                        raise ConnectionError
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                s.close()
                self.idle[i] = self.open_idle(i)
                self.reopened += 1
            time.sleep(0.5)

    def drip(self):
        while not self.stop.is_set():
            for i, entry in enumerate(self.slow):
                try:
                    if entry is None:
                        raise OSError
                    sock, data, pos = entry
                    sock.send(data[pos:pos + 1])
                    entry[2] = (pos + 1) % len(data)
                except OSError:
                    try:
                        self.slow[i] = self.open_slow(i)
                        self.reopened += 1
                    except OSError:
                        self.slow[i] = None
            time.sleep(1)

    def close(self):
        self.stop.set()
        time.sleep(1.2)
        for s in self.idle:
            s.close()
        for e in self.slow:
            if e:
                e[0].close()


def upload_latencies(dev, n):
    out = []
    for _ in range(n):
        body = dev.batch_body([dev.next_heartbeat()])
        t0 = time.monotonic()
        status, doc = dev.post_body(body)
        out.append(time.monotonic() - t0)
        assert status == 200, (status, doc)
    return out


def fmt(lat):
    lat = sorted(lat)
    return (f"p50 {statistics.median(lat) * 1000:.0f} ms, "
            f"max {lat[-1] * 1000:.0f} ms")


def bombs(url_host, port, ctx, dev, count):
    """Unauthenticated 1 MiB gzip bombs (about 1 GiB inflated), sent at once."""
    bomb = gzip.compress(b"\0" * (1024 * 1024 * 1024), 9)
    statuses = []

    def one(twice):
        s = ctx.wrap_socket(socket.create_connection((url_host, port)), server_hostname="localhost")
        enc = b"Content-Encoding: gzip\r\n" * (2 if twice else 1)
        head = (b"POST /v1/heartbeats HTTP/1.1\r\nHost: x\r\nTally-Device: " +
                dev.device_id.encode() + b"\r\nTally-Signature: " + b"A" * 86 + b"\r\n" + enc +
                b"Content-Length: " + str(len(bomb)).encode() + b"\r\n\r\n")
        try:
            s.sendall(head + bomb)
        except OSError:
            pass
        statuses.append(s.recv(64).split(b" ")[1].decode() if True else "")
        s.close()

    threads = [threading.Thread(target=one, args=(i % 2 == 0,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(bomb), statuses


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--slow", type=int, default=600)
    ap.add_argument("--uploads", type=int, default=30)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    with tempfile.TemporaryDirectory(prefix="tally-flood-") as tmp:
        server = Server(tmp)
        server.tenant("acme")
        code = server.pairing_code("acme", uses=5)
        server.start()
        try:
            pid = server.proc.pid
            host, port = server.addr.rsplit(":", 1)
            port = int(port)
            dev = Device(server.url, server.ca_file)
            assert dev.pair(code)[0] == 200
            quiet = upload_latencies(dev, args.uploads)
            idle_rss = proc_kb(pid, "VmRSS")
            ctx = ssl.create_default_context(cafile=server.ca_file)
            flood = Flood(host, port, ctx, args.idle, args.slow)
            t0 = time.monotonic()
            flood.start()
            opened = time.monotonic() - t0
            time.sleep(2)
            loaded = upload_latencies(dev, args.uploads)
            flood_rss = proc_kb(pid, "VmHWM")
            flood.close()
            bomb_size, statuses = bombs(host, port, ctx, dev, 4)
            after_bomb = upload_latencies(dev, 5)
            peak = proc_kb(pid, "VmHWM")
        finally:
            server.stop()
    print(f"| front flood bench ({args.idle} idle + {args.slow} slow-header, opened in "
          f"{opened:.1f} s, {flood.reopened} reopened) | value |")
    print("|---|---|")
    print(f"| valid uploads, quiet server ({args.uploads}) | {fmt(quiet)} |")
    print(f"| valid uploads during the flood ({args.uploads}) | {fmt(loaded)} |")
    print(f"| valid uploads after 4 bombs of {bomb_size // 1024} KiB (statuses "
          f"{','.join(statuses)}) | {fmt(after_bomb)} |")
    print(f"| server RSS idle | {idle_rss / 1024:.1f} MiB |")
    print(f"| server peak RSS during the flood (VmHWM) | {flood_rss / 1024:.1f} MiB "
          f"(+{(flood_rss - idle_rss) / 1024:.1f}) |")
    print(f"| server peak RSS after the bombs (VmHWM) | {peak / 1024:.1f} MiB "
          f"(+{(peak - idle_rss) / 1024:.1f}) |")


if __name__ == "__main__":
    main()
