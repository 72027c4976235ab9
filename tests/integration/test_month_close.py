"""Issue 20: a month that closes (DESIGN.md §5 rule 7), through the real server and CLI under
libfaketime (the server's clock moved by a rc file, as in test_billing_cases.py), data from
the Python protocol client (real signed gzip batches over HTTPS).

March 2026 of tenant "acme" (UTC, grace_hours 72: it closes on Apr 4 00:00 UTC). Before the
close the report is computed from the rollups and says "closed": false. A server started after
the close freezes March by its month-close job; then a group move, a subscription and a device
type change leave March's report byte for byte the same (HTTP and CLI) while April's follows
them, and a March heartbeat received after the close is listed as a late adjustment without
changing the bill. A user purged after the close (rule 4) is gone from the frozen month too.
"""

import json
import os
import ssl
import datetime
import unittest
import urllib.request

from evidence_reader import StoreReader
from protocol_client import Device
from fake_clock import FakeClockTestCase, user, utc
from tally_harness import wait_until


class MonthClose(FakeClockTestCase):

    START = utc(3, 5)

    def snapshots(self):
        """How many month snapshots the server has stored (read-only, beside the server, from
        the SQLite file or the PostgreSQL database: evidence_reader.StoreReader)."""
        return int(StoreReader(self.srv).rows("SELECT count(*) FROM month_snapshots")[0][0])

    def upload(self, device, beats):
        hbs = [device.next_heartbeat(end, minutes, users) for end, minutes, users in beats]
        status, doc = device.upload(hbs)
        self.assertEqual(status, 200, doc)
        return doc

    def http_json(self, month):
        req = urllib.request.Request(
            f"{self.srv.url}/v1/tenants/acme/usage?month={month}",
            headers={"Authorization": f"Bearer {self.token}"})
        ctx = ssl.create_default_context(cafile=self.srv.ca_file)
        with urllib.request.urlopen(req, context=ctx, timeout=60) as resp:
            return resp.read()

    def cli_json(self, month):
        return self.srv.cli("usage", "--tenant", "acme", "--month", month,
                            "--format", "json").stdout

    def test_a_closed_month_is_frozen_and_late_heartbeats_are_shown_beside_it(self):
        self.srv.cli("tenant", "add", "acme")
        self.token = self.srv.admin_token()
        code = self.srv.pairing_code("acme", uses=5, expires="30d")
        laptop = Device(self.srv.url, self.srv.ca_file, clock=self.fake_now)
        self.assertEqual(laptop.pair(code, hostname="laptop")[0], 200)
        desk = Device(self.srv.url, self.srv.ca_file, clock=self.fake_now)
        self.assertEqual(desk.pair(code, hostname="desk")[0], 200)
        self.srv.cli("group", "add", "--tenant", "acme", "eng")
        self.srv.cli("group", "add-member", "--tenant", "acme", "eng", "alice@corp")
        self.upload(laptop, [(utc(3, d, 10), 5, [user("alice@corp")]) for d in (2, 3, 4)])
        self.upload(desk, [(utc(3, 4, 11), 5, [user("bob@corp")])])

        # Apr 3, 23:59: still open (closes Apr 4 00:00 UTC), computed from the rollups.
        self.move_clock(utc(4, 3, 23, 59))
        self.upload(laptop, [(utc(4, 2, 10), 5, [user("alice@corp")])])
        open_doc = json.loads(self.http_json("2026-03"))
        self.assertFalse(open_doc["summary"]["closed"])
        self.assertEqual(open_doc["summary"]["closes_at"], "2026-04-04T00:00:00Z")
        self.assertEqual(open_doc["summary"]["billable_units"], 2)

        # A server started after the close freezes March by its month-close job.
        self.srv.stop()
        self.move_clock(utc(4, 4, 0, 10))
        self.srv = self.server(db=self.srv.db_url).start()  # the same database on PostgreSQL
        laptop.server_url = desk.server_url = self.srv.url  # a new port
        # Frozen by the month-close job, or first by the console's report warm-up, which
        # also starts with serve and makes a missing snapshot of a closed month; whichever
        # comes first, the server froze it on its own, before any report was asked for here.
        wait_until(lambda: self.snapshots() == 1, 30, what="March's snapshot made by serve")
        frozen = self.http_json("2026-03")
        doc = json.loads(frozen)
        self.assertTrue(doc["summary"]["closed"])
        self.assertEqual(doc["summary"]["billable_units"], 2)
        self.assertEqual(doc["summary"]["late_adjustments"], 0)
        generated = datetime.datetime.fromisoformat(doc["generated_at"].replace("Z", "+00:00"))
        self.assertGreaterEqual(generated.timestamp(), utc(4, 4, 0, 10))
        self.assertEqual(self.cli_json("2026-03").encode(), frozen)
        april_before = self.http_json("2026-04")

        # Apr 5: a March heartbeat of a new user, received after the close: a late adjustment
        # beside the frozen bill, never in it.
        self.move_clock(utc(4, 5))
        self.upload(desk, [(utc(3, 31, 20), 5, [user("carol@corp")])])
        late = json.loads(self.http_json("2026-03"))
        self.assertEqual(late["summary"]["late_adjustments"], 1)
        self.assertEqual(late["summary"]["late_units_delta"], 1)
        self.assertEqual([e["users"] for e in late["late_adjustments"]], [["carol@corp"]])
        self.assertEqual(self.frozen_part(late), self.frozen_part(doc))

        # Apr 6: edits after the close. March's bill stays the same bytes, April follows them.
        self.move_clock(utc(4, 6))
        self.srv.cli("group", "add", "--tenant", "acme", "sales")
        self.srv.cli("subscription", "attach", "--tenant", "acme", "--group", "sales",
                     "--package", "CorePlus")
        self.srv.cli("group", "add-member", "--tenant", "acme", "sales", "alice@corp")
        self.srv.cli("device", "set-type", laptop.device_id, "personal")
        # And a merge, which no history dates: recomputed, March would have one user.
        self.srv.cli("user", "merge", "--tenant", "acme", "bob@corp", "alice@corp")
        edited = json.loads(self.http_json("2026-03"))
        self.assertEqual(self.frozen_part(edited), self.frozen_part(doc))
        self.assertEqual(edited["summary"]["active_users"], 2)
        self.assertEqual(json.loads(self.cli_json("2026-03")), edited)
        april = self.http_json("2026-04")
        self.assertNotEqual(april, april_before)
        alice = next(u for u in json.loads(april)["users"] if u["principal"] == "alice@corp")
        self.assertEqual(alice["package"], "CorePlus")

    def test_the_purge_redacts_a_closed_months_snapshot(self):
        """DESIGN.md §5 rule 4: a user purged after the close is gone from the frozen March
        too (served from the snapshot over HTTPS), and March's figures stay."""
        self.srv.cli("tenant", "add", "acme")
        self.token = self.srv.admin_token()
        code = self.srv.pairing_code("acme", uses=5, expires="30d")
        laptop = Device(self.srv.url, self.srv.ca_file, clock=self.fake_now)
        self.assertEqual(laptop.pair(code, hostname="laptop")[0], 200)
        self.upload(laptop, [(utc(3, 4, 10), 5, [user("Zed.Purgeme@corp"), user("keeper")])])

        self.move_clock(utc(4, 5))  # March closed: the first report freezes it
        frozen = json.loads(self.http_json("2026-03"))
        self.assertTrue(frozen["summary"]["closed"])
        self.assertIn("purgeme", json.dumps(frozen).lower())
        self.upload(laptop, [(utc(4, 5, 10), 5, [user("keeper")])])

        # Jul 10: zed was released on Apr 3 (30 days without signal), purged 90 days later.
        self.move_clock(utc(7, 10))
        self.token = self.srv.admin_token()  # the first one has expired by now
        self.upload(laptop, [(utc(7, 10, 10), 5, [user("keeper")])])
        out = self.srv.cli("purge").stdout
        self.assertIn("purged 1 user(s)", out)
        after = json.loads(self.http_json("2026-03"))
        text = json.dumps(after).lower()
        self.assertNotIn("purgeme", text)
        self.assertIn("purged-", text)
        self.assertIn("keeper", text)
        for key in ("billable_units", "active_users", "active_devices"):
            self.assertEqual(after["summary"][key], frozen["summary"][key])
        self.assertEqual(sorted(u["active_minutes"] for u in after["users"]),
                         sorted(u["active_minutes"] for u in frozen["users"]))

    @staticmethod
    def frozen_part(doc):
        """The report without its late part (what the snapshot holds)."""
        doc = json.loads(json.dumps(doc))
        for key in ("late_adjustments", "late_units_delta"):
            doc["summary"].pop(key)
        doc.pop("late_adjustments")
        return doc

if __name__ == "__main__":
    unittest.main(verbosity=2)
