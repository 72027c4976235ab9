"""Batches a well-behaved agent never sends, made with the independent Python protocol client
(tests/integration/protocol_client.py): a replayed batch, a batch re-signed with another
device's key, a truncated gzip stream, and gzip bombs (signed and unsigned). None may count,
none may make the server work hard, and the honest heartbeats are counted exactly once."""

import time
import unittest
import zlib

from fault_case import FaultCase, Row, pick, rss_peak_kib, server_ledger
from protocol_client import Device

SERVER_RSS_GROWTH_LIMIT_KIB = 96 * 1024


def gzip_bomb(device_id, inflated_bytes):
    """A gzip stream (one member) of a batch document whose only heartbeat string is
    `inflated_bytes` of spaces: ~1000:1, built in pieces so the test never holds it whole."""
    head = ('{"device_id":"%s","sent_at":"2026-01-01T00:00:00Z","gaps":[],"heartbeats":["'
            % device_id).encode()
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    out = [comp.compress(head)]
    chunk = b" " * (1 << 20)
    for _ in range(inflated_bytes >> 20):
        out.append(comp.compress(chunk))
    out.append(comp.compress(b'"]}'))
    out.append(comp.flush())
    return b"".join(out)


class HostileBatches(FaultCase):

    def setUp(self):
        super().setUp()
        self.srv = self.started_server()
        code = self.srv.pairing_code("acme", uses=3)
        self.dev = Device(self.srv.url, self.srv.ca_file)
        self.intruder = Device(self.srv.url, self.srv.ca_file)
        self.assertEqual(self.dev.pair(code)[0], 200)
        self.assertEqual(self.intruder.pair(code)[0], 200)
        self.now = int(time.time())
        self.sent = 0

    def _honest(self, n):
        hbs = [self.dev.next_heartbeat(end=self.now - 3000 + (self.sent + i) * 300)
               for i in range(n)]
        self.sent += n
        return hbs

    def _counted(self, row, t0=None):
        ledger = server_ledger(self.srv, self.dev.device_id)
        st = {"last_seq": self.dev.seq, "gaps": 0}
        self.reconcile(row, st, ledger)
        row.recovery_s = time.monotonic() - t0 if t0 else 0.0
        intr = server_ledger(self.srv, self.intruder.device_id)
        self.check(not intr.held, f"the intruder's device holds seqs {sorted(intr.held)}")

    def test_replayed_batch(self):
        iterations = pick(5, 50)
        row = Row("replayed batch", iterations)
        body = self.dev.batch_body(self._honest(3))
        status, ack = self.dev.post_body(body)
        self.assertEqual(status, 200, ack)
        for _ in range(iterations):
            status, ack = self.dev.post_body(body)
            self.check(status == 200 and ack.get("accepted") == 0 and
                       ack.get("duplicates") == 3 and ack.get("acked_through") == 3,
                       f"replay answered {status} {ack}")
        self._counted(row)
        self.finish(row)

    def test_batch_resigned_by_another_device(self):
        row = Row("batch re-signed by another key", 3)
        honest = self._honest(2)
        self.assertEqual(self.dev.upload(honest)[0], 200)
        stolen = self.dev.batch_body(self._honest(1))
        self.dev.seq -= 1  # that heartbeat never counts; reuse its seq honestly later
        self.sent -= 1
        # 1) the victim's id with the intruder's signature
        status, err = self.dev.post_body(stolen, sign_key=self.intruder.key)
        self.check(status == 401, f"victim id + intruder signature: {status} {err}")
        # 2) the intruder's id and signature over a body that names the victim
        status, err = self.dev.post_body(stolen, sign_key=self.intruder.key,
                                         device_id=self.intruder.device_id)
        self.check(status in (400, 401, 403), f"body for another device accepted: {status} {err}")
        # 3) a valid signature of the victim moved onto another body
        sig = self.dev.sign(self.dev.batch_body(honest))
        status, err = self.dev.post_body(stolen, signature=sig)
        self.check(status == 401, f"signature from another body accepted: {status} {err}")
        self._counted(row)
        self.finish(row)

    def test_truncated_gzip(self):
        row = Row("truncated gzip", 3)
        body = self.dev.batch_body(self._honest(3))
        for cut in (len(body) // 2, len(body) - 8, 10):  # mid-stream, no trailer, header only
            status, err = self.dev.post_body(body[:cut])
            self.check(status == 400 and isinstance(err, dict) and err.get("error") == "bad_gzip",
                       f"gzip cut at {cut}/{len(body)}: {status} {err}")
        t0 = time.monotonic()
        status, ack = self.dev.post_body(body)
        self.check(status == 200 and ack.get("accepted") == 3, f"the whole batch: {status} {ack}")
        self._counted(row, t0)
        self.finish(row)

    def test_zip_bomb(self):
        size = pick(256 << 20, 1 << 30)
        row = Row(f"zip bomb ({size >> 20} MiB inflated)", 2)
        bomb = gzip_bomb(self.dev.device_id, size)
        pid = self.srv.proc.pid
        before = rss_peak_kib(pid)
        # unsigned (wrong key): must be refused before any inflation
        t = time.monotonic()
        status, err = self.dev.post_body(bomb, sign_key=self.intruder.key)
        unsigned_s = time.monotonic() - t
        self.check(status == 401, f"unsigned bomb: {status} {err} (verify before inflate)")
        # signed by the device itself: inflation must stop at the cap
        t = time.monotonic()
        status, err = self.dev.post_body(bomb)
        signed_s = time.monotonic() - t
        self.check(status == 413, f"signed bomb: {status} {err}")
        self.check(signed_s < 10, f"the server spent {signed_s:.1f}s on a bomb")
        growth = rss_peak_kib(pid) - before
        self.check(growth < SERVER_RSS_GROWTH_LIMIT_KIB,
                   f"server peak RSS grew {growth >> 10} MiB on a {size >> 20} MiB bomb")
        self.check(self.srv.proc.poll() is None, "the server died on a zip bomb")
        t0 = time.monotonic()
        status, ack = self.dev.upload(self._honest(2))
        self.check(status == 200, f"honest upload after the bomb: {status} {ack}")
        self._counted(row, t0)
        row.recovery_s = max(unsigned_s, signed_s)
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
