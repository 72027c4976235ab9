"""GET /metrics (issue 20): Prometheus text format behind a global admin token; its counters
follow what the upload route answered (accepted, duplicate, held out of window, refused by
error code), its histograms count the verified and the committed batches, and the storage
and connection gauges are read from the running server."""

import http.client
import json
import re
import ssl
import time
import unittest

from protocol_client import Device
from tally_harness import TallyTestCase

SAMPLE = re.compile(r'^([a-z_]+)(\{[a-z_]+="[^"\\\n]*"(,[a-z_]+="[^"\\\n]*")*\})? (\S+)$')


def parse(text):
    """{(name, frozenset(labels)): value}; fails on a line that is not exposition format."""
    out, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out, types


class Metrics(TallyTestCase):

    def setUp(self):
        super().setUp()
        self.srv = self.server()
        self.srv.tenant("acme")
        self.code = self.srv.pairing_code("acme", uses=10)
        self.glob = self.srv.admin_token()
        self.acme = self.srv.admin_token("acme")
        self.srv.start()
        host, port = self.srv.addr.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.ctx = ssl.create_default_context(cafile=self.srv.ca_file)

    def get(self, token=None):
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", "/metrics", headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        ctype = resp.getheader("Content-Type")
        conn.close()
        return resp.status, ctype, data.decode()

    def test_tokens(self):
        status, _, body = self.get()
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["error"], "unauthorized")
        status, _, body = self.get("tat_not_a_token")
        self.assertEqual(status, 401)
        status, _, body = self.get(self.acme)
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(body)["error"], "forbidden")

    def test_counters_follow_the_answers(self):
        dev = Device(self.srv.url, self.srv.ca_file)
        self.assertEqual(dev.pair(self.code)[0], 200)
        now = int(time.time())
        body = dev.batch_body([dev.next_heartbeat(now - 600), dev.next_heartbeat(now - 300),
                               dev.next_heartbeat(now)])
        status, ack = dev.post_body(body)
        self.assertEqual((status, ack["accepted"]), (200, 3))
        status, ack = dev.post_body(body)  # the same batch again: 3 duplicates
        self.assertEqual((status, ack["duplicates"]), (200, 3))
        # A heartbeat a year old: held as evidence, not counted (outside the time window).
        status, ack = dev.upload([dev.next_heartbeat(now - 365 * 86400)])
        self.assertEqual((status, ack.get("out_of_window", 0)), (200, 1))
        status, _ = dev.post_body(body, signature="A" * 86)
        self.assertEqual(status, 401)
        status, _ = dev.post_body(body, device_id="d_unknown")
        self.assertEqual(status, 401)

        status, ctype, text = self.get(self.glob)
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        m, types = parse(text)
        v = lambda name, **labels: m.get((name, frozenset(labels.items())))
        self.assertEqual(v("tally_batches_total", result="accepted"), 3)
        self.assertEqual(v("tally_batches_total", result="refused", reason="bad_signature"), 1)
        self.assertEqual(v("tally_batches_total", result="refused", reason="unknown_device"), 1)
        self.assertEqual(v("tally_heartbeats_total", result="accepted"), 3)
        self.assertEqual(v("tally_heartbeats_total", result="duplicate"), 3)
        self.assertEqual(v("tally_heartbeats_total", result="refused", reason="out_of_window"), 1)
        self.assertEqual(v("tally_heartbeats_total", result="refused", reason="fork"), 0)
        # Verified: the three accepted batches (a refused signature never verified).
        for hist in ("tally_batch_verify_seconds", "tally_batch_commit_seconds"):
            self.assertEqual(types[hist], "histogram")
            self.assertEqual(v(hist + "_count"), 3, hist)
            self.assertEqual(v(hist + "_bucket", le="+Inf"), 3, hist)
            buckets = sorted((float(dict(k[1])["le"]), val) for k, val in m.items()
                             if k[0] == hist + "_bucket" and dict(k[1])["le"] != "+Inf")
            counts = [c for _, c in buckets]
            self.assertEqual(counts, sorted(counts), "cumulative buckets")
            self.assertGreater(v(hist + "_sum"), 0)
        self.assertEqual(types["tally_batches_total"], "counter")
        # One evidence batch for the 3 counted heartbeats (schema 10) + 1 held heartbeat.
        self.assertEqual(v("tally_evidence_rows"), 2)
        self.assertGreater(v("tally_database_bytes", file="main"), 0)
        self.assertIsNotNone(v("tally_database_bytes", file="wal"))
        self.assertGreaterEqual(v("tally_open_connections"), 1)  # this request's
        # SQLite's group commit: the 3 stored batches (accepted, duplicate, held) went through
        # it, in at most as many transactions (PostgreSQL has no such counters).
        if not self.srv.db_url:
            self.assertEqual(types["tally_commit_transactions_total"], "counter")
            units = v("tally_commit_units_total")
            self.assertGreaterEqual(units, 3)
            self.assertGreaterEqual(v("tally_commit_transactions_total"), 1)
            self.assertLessEqual(v("tally_commit_transactions_total"), units)


if __name__ == "__main__":
    unittest.main()
