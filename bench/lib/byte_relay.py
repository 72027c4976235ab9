"""A TCP relay in front of tally-server that counts the bytes each way per connection
(TLS records included: what the device really sends and receives), and lists the TLS
records each way (content type and size, header included) for a wire breakdown."""

import socket
import threading
import time


class ByteRelay:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.connections = []  # dicts: opened, up, down
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self):
        with self.lock:
            self.connections = []

    def totals(self):
        with self.lock:
            conns = [dict(c, events=list(c["events"])) for c in self.connections]
        for c in conns:
            c["records"] = list(c["records"])
        return conns

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            rec = {"opened": time.time(), "up": 0, "down": 0, "events": [], "records": []}
            with self.lock:
                self.connections.append(rec)
            threading.Thread(target=self._pump, args=(client, upstream, rec, "up"),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, rec, "down"),
                             daemon=True).start()

    def _pump(self, src, dst, rec, key):
        pending = b""  # bytes of a TLS record header not complete yet
        skip = 0  # bytes of the current record still to come
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                now = time.time()
                with self.lock:
                    rec[key] += len(data)
                    rec["events"].append((now, len(data)))
                    view = data
                    while view:
                        if skip:
                            n = min(skip, len(view))
                            skip -= n
                            view = view[n:]
                            continue
                        need = 5 - len(pending)
                        pending += view[:need]
                        view = view[need:]
                        if len(pending) == 5:
                            length = int.from_bytes(pending[3:5], "big")
                            rec["records"].append((now, key, pending[0], 5 + length))
                            skip, pending = length, b""
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.stopped = True
        self.sock.close()
