"""Issue 14: three billing cases an MSP and a vendor must both be able to sign, each billed by
hand below and read back through every door: the CLI and the HTTP API, each as JSON, CSV
(csv module) and XLSX (openpyxl). A real tally-server under libfaketime (its clock moved
through February 2026 by a rc file, as an admin's actions would be spread over the month),
data from the Python protocol client (real signed gzip batches).

1. A device retired on Feb 4 after its user was active on it on Feb 1: activity before the
   retirement counts (rule 4), so alice and her laptop are billed for February (1 unit).
2. A tenant inactive Feb 10 - Feb 20: its agents are refused meanwhile, upload after the
   reactivation, and those heartbeats are kept but never billed (rule 5): bob (before) is
   billed, carol (only inside the span) is not (1 unit; 2 reported).
3. A laptop whose primary user (dave: most minutes over the trailing 30 days, all in January)
   is not active in February, used by erin who is: erin's license covers it (rule 2), one
   person on one laptop is billed once (1 unit, not 2).
"""

import csv
import io
import json
import os
import ssl
import unittest
import urllib.error
import urllib.request

import openpyxl

from protocol_client import Device
from fake_clock import FakeClockTestCase, user, utc

MONTH = "2026-02"


class BillingCases(FakeClockTestCase):

    START = utc(2, 3)

    def pair(self, tenant, hostname, device_type="business"):
        self.srv.cli("tenant", "add", tenant, check=False)
        code = self.srv.pairing_code(tenant, uses=5, expires="30d")
        d = Device(self.srv.url, self.srv.ca_file, clock=self.fake_now)
        status, doc = d.pair(code, device_type=device_type, hostname=hostname)
        self.assertEqual(status, 200, doc)
        return d

    def upload(self, device, beats, expect=200):
        """`beats`: (end, device minutes, users); returns the answer."""
        hbs = [device.next_heartbeat(end, minutes, users) for end, minutes, users in beats]
        status, doc = device.upload(hbs)
        self.assertEqual(status, expect, doc)
        return doc

    # -- the three doors x three formats ---------------------------------------------------

    def http(self, token, path):
        req = urllib.request.Request(self.srv.url + path,
                                     headers={"Authorization": f"Bearer {token}"})
        ctx = ssl.create_default_context(cafile=self.srv.ca_file)
        with urllib.request.urlopen(req, context=ctx, timeout=60) as resp:
            return resp.read()

    def all_exports(self, tenant):
        """{door: {"units", "reported", "users", "devices": {host: (billed_as, covered_by,
        inactive_span_heartbeats, explanation)}}} for every door and format."""
        out = {}
        cli = lambda fmt: self.srv.cli("usage", "--tenant", tenant, "--month", MONTH,
                                       "--format", fmt).stdout
        xlsx_path = os.path.join(self.workdir, f"{tenant}.xlsx")
        self.srv.cli("usage", "--tenant", tenant, "--month", MONTH, "--format", "xlsx",
                     "-o", xlsx_path)
        with open(xlsx_path, "rb") as f:
            out["cli xlsx"] = self.from_xlsx(f.read())
        out["cli json"] = self.from_json(json.loads(cli("json")))
        out["cli csv"] = self.from_csv(cli("csv"))
        token = self.srv.admin_token()
        base = f"/v1/tenants/{tenant}/usage"
        out["http json"] = self.from_json(json.loads(self.http(token, f"{base}?month={MONTH}")))
        out["http csv"] = self.from_csv(self.http(token, f"{base}.csv?month={MONTH}").decode())
        out["http xlsx"] = self.from_xlsx(self.http(token, f"{base}.xlsx?month={MONTH}"))
        return out

    @staticmethod
    def from_json(doc):
        s = doc["summary"]
        return {"units": s["billable_units"], "reported": s["reported_units"],
                "users": s["active_users"],
                "devices": {d["hostname"]: (d["billed_as"], d["covered_by"] or "",
                                            d["inactive_span_heartbeats"], d["explanation"])
                            for d in doc["devices"]}}

    @staticmethod
    def from_csv(text):
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        s = next(r for r in rows if r["row_type"] == "summary")
        return {"units": int(s["billable_units"]), "reported": int(s["reported_units"]),
                "users": int(s["active_users"]),
                "devices": {r["hostname"]: (r["billed_as"], r["covered_by"],
                                            int(r["inactive_span_heartbeats"]), r["explanation"])
                            for r in rows if r["row_type"] == "device"}}

    @staticmethod
    def from_xlsx(data):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        s = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
        sheet = wb["Devices"]
        header = [c.value for c in sheet[1]]
        devices = {}
        for values in sheet.iter_rows(min_row=2, values_only=True):
            r = dict(zip(header, values))
            devices[r["hostname"]] = (r["billed_as"], r["covered_by"] or "",
                                      r["inactive_span_heartbeats"], r["explanation"])
        return {"units": s["billable_units"], "reported": s["reported_units"],
                "users": s["active_users"], "devices": devices}

    def check_bill(self, tenant, units, reported, users, devices):
        """Every door and format gives the hand-computed bill; `devices`: host → (billed_as,
        covered_by, inactive_span_heartbeats, words the explanation must contain)."""
        for door, got in self.all_exports(tenant).items():
            with self.subTest(tenant=tenant, door=door):
                self.assertEqual(got["units"], units, "billable units")
                self.assertEqual(got["reported"], reported, "reported units")
                self.assertEqual(got["users"], users, "active users")
                self.assertEqual(set(got["devices"]), set(devices))
                for host, (billed_as, covered_by, beats, words) in devices.items():
                    row = got["devices"][host]
                    self.assertEqual(row[:3], (billed_as, covered_by, beats), host)
                    for word in words:
                        self.assertIn(word, row[3], host)

    # -- the scenario -------------------------------------------------------------------------

    def test_three_cases_billed_by_hand_through_every_export(self):
        # Feb 3: every device pairs and uploads what it has.
        lap = self.pair("retire", "lap")
        self.upload(lap, [(utc(2, 1, 10), 5, [user("alice@corp")])])
        desk = self.pair("pause", "desk")
        cart = self.pair("pause", "cart")
        self.upload(desk, [(utc(2, 2, 10), 5, [user("bob@corp")])])
        shared = self.pair("shared", "shared")
        self.upload(shared, [(utc(1, day, 15), 5, [user("dave@corp")])
                             for day in range(27, 32)])  # Jan 27..31: dave's, 25 minutes
        self.upload(shared, [(utc(2, 2, 15), 5, [user("erin@corp")])])  # 5 minutes

        # Feb 4: the laptop is uninstalled (retired).
        self.move_clock(utc(2, 4))
        self.srv.cli("device", "retire", lap.device_id)

        # Feb 10 - Feb 20: tenant "pause" inactive; its agents are refused meanwhile and keep
        # their heartbeats, which arrive after the reactivation.
        self.move_clock(utc(2, 10))
        self.srv.cli("tenant", "set-status", "pause", "inactive")
        self.move_clock(utc(2, 15))
        carts = [(utc(2, day, 11), 5, [user("carol@corp")]) for day in (12, 13, 14)]
        refused = self.upload(cart, carts, expect=403)
        self.assertEqual(refused["error"], "tenant_inactive")
        cart.seq, cart.prev = 0, "0" * 64  # the agent sends the same heartbeats again
        self.move_clock(utc(2, 20))
        self.srv.cli("tenant", "set-status", "pause", "active")
        self.move_clock(utc(2, 21))
        self.assertEqual(self.upload(cart, carts)["accepted"], 3)

        # Feb 25: the month so far, by hand.
        self.move_clock(utc(2, 25))
        # 1. alice (1 unit) covers her laptop, retired after her Feb 1 activity.
        self.check_bill("retire", units=1, reported=1, users=1, devices={
            "lap": ("user-covered", "alice@corp", 0,
                    ["retired on 2026-02-04", "activity before it counts", "alice@corp"])})
        # 2. bob (1 unit) billed; carol and the cart only inside the inactive span: reported
        #    (2 units over the whole month) but not billed.
        self.check_bill("pause", units=1, reported=2, users=2, devices={
            "desk": ("user-covered", "bob@corp", 0, ["bob@corp"]),
            "cart": ("user-covered", "carol@corp", 3,
                     ["3 heartbeat(s) sent while the tenant was inactive", "not billed"])})
        # 3. erin (1 unit) covers the laptop whose primary user dave is not active.
        self.check_bill("shared", units=1, reported=1, users=1, devices={
            "shared": ("user-covered", "erin@corp", 0,
                       ["erin@corp", "primary user dave@corp is not active this month"])})


if __name__ == "__main__":
    unittest.main(verbosity=2)
