"""Issue 20: evidence packs (schema 12) through the real server and CLI under libfaketime.

A device uploads six signed batches on March 2-4 2026 over HTTPS (the Python protocol
client). With the clock on May 20 (past the 35-day acceptance window and its day of margin)
`tally-server purge` packs them, a device-day per row; `verify-evidence` then still verifies
every batch's signature byte for byte and the chain, and one changed byte in a packed
signature makes it fail (exit 1) naming the pack.
"""

import os
import sqlite3
import unittest

from protocol_client import Device
from fake_clock import FakeClockTestCase, user, utc


class EvidencePacks(FakeClockTestCase):

    START = utc(3, 5)

    def db(self):
        return sqlite3.connect(os.path.join(self.srv.data_dir, "tally.db"), timeout=10)

    def count(self, sql):
        con = self.db()
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()

    def test_packed_batches_still_verify_and_a_changed_byte_is_found(self):
        self.srv.cli("tenant", "add", "acme")
        code = self.srv.pairing_code("acme", uses=1, expires="30d")
        laptop = Device(self.srv.url, self.srv.ca_file, clock=self.fake_now)
        self.assertEqual(laptop.pair(code, hostname="laptop")[0], 200)
        for day in (2, 3, 4):
            for hour in (9, 14):
                hbs = [laptop.next_heartbeat(utc(3, day, hour) + 300 * i, 5,
                                             [user("alice@corp")]) for i in range(1, 13)]
                status, doc = laptop.upload(hbs)
                self.assertEqual(status, 200, doc)
        before = self.srv.cli("verify-evidence", "--tenant", "acme", "--month", "2026-03").stdout
        self.assertIn("result: ok", before)
        self.assertIn("6 signed body(ies) verified", before)

        self.srv.stop()
        self.move_clock(utc(5, 20))
        out = self.srv.cli("purge").stdout
        self.assertIn("packed 6 batch(es) of ended days into 3 evidence pack(s)", out)
        self.assertEqual(self.count("SELECT count(*) FROM evidence_batches"), 0)
        self.assertEqual(self.count("SELECT sum(batches) FROM evidence_packs"), 6)
        again = self.srv.cli("purge").stdout
        self.assertIn("packed 0 batch(es)", again)

        after = self.srv.cli("verify-evidence", "--tenant", "acme", "--month", "2026-03").stdout
        self.assertIn("result: ok", after)
        self.assertIn("heartbeats: 72 counted", after)
        self.assertIn("6 signed body(ies) verified", after)
        self.assertIn("72 link(s) checked", after)

        con = self.db()
        try:
            pack, sigs = con.execute(
                "SELECT id, signatures FROM evidence_packs ORDER BY id LIMIT 1").fetchone()
            changed = bytearray(sigs)
            changed[5] ^= 1
            con.execute("UPDATE evidence_packs SET signatures = ? WHERE id = ?",
                        (bytes(changed), pack))
            con.commit()
        finally:
            con.close()
        bad = self.srv.cli("verify-evidence", "--tenant", "acme", "--month", "2026-03",
                           check=False)
        self.assertEqual(bad.returncode, 1, bad.stdout + bad.stderr)
        self.assertIn(f"in evidence pack {pack}", bad.stdout)
        self.assertIn("5 signed body(ies) verified", bad.stdout)


if __name__ == "__main__":
    unittest.main()
