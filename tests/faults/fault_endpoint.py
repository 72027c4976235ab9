"""A misbehaving HTTPS endpoint that sits in front of the real tally-server.

It terminates TLS with a certificate of the FaultPki (fault_tls.py) and, for
`POST /v1/heartbeats`, does whatever the current mode says; every other request (pairing) is
forwarded. Modes (set_mode(name, **params)):

  forward            relay to the real server and relay its answer
  drop_reply         relay, let the server commit, then reset the connection without an
                     answer; params.on_commit(endpoint) runs first (e.g. kill -9 the server)
  stall              (optionally relay, then) never answer; records when the client gave up
  status             answer params.code with a JSON error and params.headers (500, 429 +
                     Retry-After); does not relay
  garbage_http       relay, then answer 200 with random bytes as the body
  garbage_raw        relay, then write random bytes that are not HTTP and close
  huge               relay, then answer 200 with a 1 GiB body, streamed (never buffered)
  close_mid_reply    relay, then send the headers and half the body, then close
  ack                relay, then answer the real server's 200 with `acked_through` replaced
                     by params.acked_through (an int, or a function of the real ack)
  trickle            relay, then send the real answer one byte every params.interval_s (1 s)
                     until it is sent or the client gives up (recorded as for stall)

The endpoint may also serve the real server's own certificate and key (ServerCertificate),
so the agent cannot tell it from the server it paired with.

`commit` (default True for the relaying modes) says whether the request reaches the real
server first; `once=True` falls back to `forward` after one use. Every request is an Event in
`events`, so tests can assert on timing (Retry-After) and on what the client did.
"""

import http.client
import json
import os
import random
import socket
import socketserver
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "host", "content-length"}
GIB = 1 << 30


@dataclass
class Event:
    t: float                 # time.monotonic() when the request was complete
    path: str
    mode: str
    committed: bool = False  # the real server answered before we misbehaved
    upstream_status: int = 0
    outcome: str = ""        # what we did / how the client reacted
    bytes_sent: int = 0
    client_gave_up_after: float = -1.0  # stall: seconds until the client closed
    done_t: float = 0.0


@dataclass
class Mode:
    name: str = "forward"
    params: dict = field(default_factory=dict)


class ServerCertificate:
    """A FaultPki stand-in that serves tally-server's own certificate and key (its
    data_dir/tls/server.pem and server.key), for a hostile front holding them."""

    def __init__(self, server):
        self.dir = os.path.join(server.data_dir, "tls")
        self.ca_file = os.path.join(self.dir, "ca.pem")

    def pair(self, kind):
        assert kind == "good", f"the server's own certificate has no kind {kind!r}"
        return os.path.join(self.dir, "server.pem"), os.path.join(self.dir, "server.key")


class _Request:
    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body


def _read_request(rfile):
    line = rfile.readline(65537)
    if not line:
        return None
    parts = line.decode("latin-1").strip().split()
    if len(parts) != 3:
        raise ValueError(f"bad request line {line!r}")
    method, path, _ = parts
    headers = []
    while True:
        h = rfile.readline(65537)
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers.append((k.strip(), v.strip()))
    hmap = {k.lower(): v for k, v in headers}
    if "chunked" in hmap.get("transfer-encoding", "").lower():
        body = b""
        while True:
            size = int(rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                rfile.readline()
                break
            body += rfile.read(size)
            rfile.readline()
    else:
        body = rfile.read(int(hmap.get("content-length", "0")))
    if hmap.get("expect", "").lower() == "100-continue":
        pass  # curl only waits for 100-continue on bodies > 1 MiB; ours are small
    return _Request(method, path, headers, body)


class FaultEndpoint:
    def __init__(self, pki, upstream_addr, upstream_ca):
        self.pki = pki
        self.upstream_addr = upstream_addr  # "127.0.0.1:port" of the real server
        self.upstream_ca = upstream_ca
        self.lock = threading.Lock()
        self.mode = Mode()
        self.events = []
        self.handshakes = {"ok": 0, "failed": 0}
        self.handshake_errors = []
        self._conns = set()
        self._contexts = {}
        self.cert_kind = "good"
        self._stop = threading.Event()
        endpoint = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                endpoint._serve_connection(self.request)

        class TcpServer(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = TcpServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # --- control -------------------------------------------------------------------------

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"

    def set_mode(self, name, **params):
        with self.lock:
            self.mode = Mode(name, params)

    def set_cert(self, kind):
        """Serve another certificate kind from the next handshake on; drops open
        connections so a keep-alive client must handshake again."""
        with self.lock:
            self.cert_kind = kind
        self.drop_connections()

    def drop_connections(self):
        with self.lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def heartbeat_events(self, since=0.0):
        with self.lock:
            return [e for e in self.events if e.path.startswith("/v1/heartbeats") and e.t >= since]

    def close(self):
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self.drop_connections()

    # --- per connection ------------------------------------------------------------------

    def _context(self, kind):
        if kind not in self._contexts:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*self.pki.pair(kind))
            self._contexts[kind] = ctx
        return self._contexts[kind]

    def _serve_connection(self, raw):
        with self.lock:
            kind = self.cert_kind
        raw.settimeout(10)
        try:
            conn = self._context(kind).wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with self.lock:
                self.handshakes["failed"] += 1
                self.handshake_errors.append((kind, str(e)))
            return
        with self.lock:
            self.handshakes["ok"] += 1
            self._conns.add(conn)
        upstream = None
        try:
            rfile = conn.makefile("rb")
            while not self._stop.is_set():
                conn.settimeout(120)
                try:
                    req = _read_request(rfile)
                except (OSError, ValueError):
                    return
                if req is None:
                    return
                with self.lock:
                    mode = self.mode
                    if mode.params.get("once"):
                        self.mode = Mode()
                ev = Event(time.monotonic(), req.path, mode.name)
                with self.lock:
                    self.events.append(ev)
                if not req.path.startswith("/v1/heartbeats"):
                    mode = Mode()
                keep, upstream = self._apply(conn, req, mode, ev, upstream)
                ev.done_t = time.monotonic()
                if not keep:
                    return
        finally:
            with self.lock:
                self._conns.discard(conn)
            if upstream:
                upstream.close()
            try:
                conn.close()
            except OSError:
                pass

    def _relay(self, req, upstream):
        """Sends req to the real server; returns (status, headers, body, connection).
        A kept-alive upstream connection the server has since closed (idle timeout) is
        replaced by a fresh one once, as any gateway does."""
        if upstream is not None:
            status, headers, body, conn = self._relay_once(req, upstream)
            if status is not None:
                return status, headers, body, conn
        return self._relay_once(req, None)

    def _relay_once(self, req, upstream):
        if upstream is None:
            ctx = ssl.create_default_context(cafile=self.upstream_ca)
            host, port = self.upstream_addr.rsplit(":", 1)
            upstream = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)
        headers = {k: v for k, v in req.headers if k.lower() not in HOP_BY_HOP}
        try:
            upstream.request(req.method, req.path, body=req.body, headers=headers)
            resp = upstream.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException):
            upstream.close()
            return None, None, None, None
        return resp.status, resp.getheaders(), body, upstream

    @staticmethod
    def _head(status, reason, headers, length):
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{k}: {v}" for k, v in headers if k.lower() not in HOP_BY_HOP]
        lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _apply(self, conn, req, mode, ev, upstream):
        p = mode.params
        relaying = mode.name in ("forward", "drop_reply", "garbage_http", "garbage_raw", "huge",
                                 "close_mid_reply", "stall", "ack", "trickle")
        status = headers = body = None
        must_relay = mode.name in ("forward", "drop_reply", "close_mid_reply", "ack", "trickle")
        if relaying and (must_relay or p.get("commit", mode.name != "stall")):
            status, headers, body, upstream = self._relay(req, upstream)
            if status is None:  # the real server is down: behave like a dead gateway
                ev.outcome = "upstream_down"
                self._reset(conn)
                return False, None
            ev.committed, ev.upstream_status = True, status

        name = mode.name
        if name == "forward":
            conn.sendall(self._head(status, "Relayed", headers, len(body)) + body)
            ev.outcome = f"relayed {status}"
            return True, upstream
        if name == "drop_reply":
            if p.get("on_commit"):
                p["on_commit"](self)
            ev.outcome = "reply dropped after commit"
            self._reset(conn)
            return False, upstream
        if name == "status":
            code = p.get("code", 500)
            err = b'{"error":"internal","message":"fault injected"}' if code >= 500 else \
                b'{"error":"rate_limited","message":"fault injected"}'
            hdrs = [("Content-Type", "application/json")] + list(p.get("headers", {}).items())
            conn.sendall(self._head(code, "Fault", hdrs, len(err)) + err)
            ev.outcome = f"answered {code}"
            return True, upstream
        if name == "garbage_http":
            junk = os.urandom(p.get("size", 4096))
            conn.sendall(self._head(200, "OK", [("Content-Type", "application/json")],
                                    len(junk)) + junk)
            ev.outcome = "200 with garbage body"
            return True, upstream
        if name == "garbage_raw":
            conn.sendall(os.urandom(p.get("size", 2048)))
            ev.outcome = "raw garbage, closed"
            self._reset(conn)
            return False, upstream
        if name == "close_mid_reply":
            head = self._head(status, "Relayed", headers, len(body))
            conn.sendall(head + body[: max(1, len(body) // 2)])
            ev.outcome = "closed mid-reply"
            self._reset(conn)
            return False, upstream
        if name == "ack":
            if status == 200:
                doc = json.loads(body)
                want = p["acked_through"]
                doc["acked_through"] = want(doc["acked_through"]) if callable(want) else want
                ev.outcome = f"ack {doc['acked_through']} instead of {json.loads(body)['acked_through']}"
                body = json.dumps(doc).encode()
            else:
                ev.outcome = f"relayed {status}"
            conn.sendall(self._head(status, "Relayed", headers, len(body)) + body)
            return True, upstream
        if name == "trickle":
            self._trickle(conn, ev, self._head(status, "Relayed", headers, len(body)) + body,
                          p.get("interval_s", 1.0))
            return False, upstream
        if name == "huge":
            self._send_huge(conn, ev, p.get("size", GIB))
            return False, upstream
        if name == "stall":
            self._stall(conn, ev, p.get("max_s", 300))
            return False, upstream
        raise AssertionError(f"unknown mode {name}")

    def _send_huge(self, conn, ev, size):
        """A 200 whose JSON body never ends within any sane cap; generated as it is sent."""
        conn.settimeout(30)
        prefix = b'{"acked_through":0,"pad":"'
        chunk = bytes(random.choice(b"abcdefghijklmnop") for _ in range(64)) * 1024  # 64 KiB
        try:
            conn.sendall(self._head(200, "OK", [("Content-Type", "application/json")], size))
            conn.sendall(prefix)
            ev.bytes_sent = len(prefix)
            while ev.bytes_sent < size and not self._stop.is_set():
                n = min(len(chunk), size - ev.bytes_sent)
                conn.sendall(chunk[:n])
                ev.bytes_sent += n
            ev.outcome = "client read the whole 1 GiB"
        except (OSError, ssl.SSLError):
            ev.outcome = "client closed during the huge body"
        self._reset(conn)

    def _trickle(self, conn, ev, answer, interval_s):
        """Sends `answer` one byte per interval_s; notes when the client closes."""
        start = time.monotonic()
        conn.settimeout(0.2)
        try:
            for i in range(len(answer)):
                if self._stop.is_set():
                    break
                conn.sendall(answer[i:i + 1])
                ev.bytes_sent = i + 1
                until = time.monotonic() + interval_s
                while time.monotonic() < until:  # a closed client shows as EOF or an error
                    try:
                        if conn.recv(1) == b"":
                            raise ConnectionResetError("client closed")
                    except socket.timeout:
                        continue
        except (OSError, ssl.SSLError):
            ev.client_gave_up_after = time.monotonic() - start
            ev.outcome = "trickled; client gave up"
            self._reset(conn)
            return
        ev.outcome = "trickled the whole answer"
        self._reset(conn)

    def _stall(self, conn, ev, max_s):
        """Holds the connection without answering; notes when the client closes it."""
        start = time.monotonic()
        conn.settimeout(0.5)
        while time.monotonic() - start < max_s and not self._stop.is_set():
            try:
                if conn.recv(1) == b"":
                    break
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                break
        ev.client_gave_up_after = time.monotonic() - start
        ev.outcome = "stalled; client gave up" if ev.client_gave_up_after < max_s else \
            "stalled; client never gave up"

    @staticmethod
    def _reset(conn):
        """Closes with RST (SO_LINGER 0), as a crashed peer or a dropped route would."""
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            conn.close()
        except OSError:
            pass
