"""Usage reports end to end: a real tally-server, data uploaded by the Python protocol client
(real signed, gzip batches), the admin HTTP API with tenant and global tokens, and the report
read back in all three formats — JSON, CSV by the csv module, XLSX by openpyxl — compared
field by field. A tenant admin never reads another tenant's data; an inactive tenant's admins
cannot read reports and its agents are refused."""

import csv
import datetime
import io
import json
import os
import pty
import ssl
import subprocess
import time
import unittest
import urllib.error
import urllib.request

import openpyxl

from protocol_client import Device
from tally_harness import TallyTestCase, SERVER_BIN, current_month


def iso(value):
    """openpyxl datetime (UTC by convention) → RFC 3339 like the JSON."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


class Api:
    def __init__(self, server, token):
        self.base = server.url
        self.ctx = ssl.create_default_context(cafile=server.ca_file)
        self.token = token

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, method, path, body=None, expect=200):
        status, raw = self.call(method, path, body)
        assert status == expect, f"{method} {path}: {status} {raw[:500]!r}"
        return json.loads(raw)


class Reports(TallyTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.server().start()
        self.server.tenant("acme")
        self.server.tenant("other")
        self.month = current_month()
        code = self.server.pairing_code("acme", uses=5)
        other_code = self.server.pairing_code("other", uses=1)
        self.devices = {}
        for name, dtype, role in (("laptop", "business", "workstation"),
                                  ("phone", "personal", "workstation"),
                                  ("srv", "business", "server"),
                                  ("spare", "business", "workstation")):
            d = Device(self.server.url, self.server.ca_file)
            status, doc = d.pair(code, device_type=dtype, role=role, hostname=name)
            self.assertEqual(status, 200, doc)
            self.devices[name] = d
        self.foreign = Device(self.server.url, self.server.ca_file)
        self.assertEqual(self.foreign.pair(other_code, hostname="foreign")[0], 200)

        now = int(time.time())
        alice = {"principal": "alice@corp", "local": False, "kind": "x11", "active_minutes": 5}
        oneil = {"principal": 'o"neil, x', "local": True, "kind": "tty", "active_minutes": 2}
        bob = {"principal": "bob@corp", "local": False, "kind": "ssh", "active_minutes": 5}
        uploads = {
            "laptop": [self.devices["laptop"].next_heartbeat(now - 600, 5, [alice, oneil]),
                       self.devices["laptop"].next_heartbeat(now - 300, 5, [alice])],
            "phone": [self.devices["phone"].next_heartbeat(now - 300, 5, [alice])],
            "srv": [self.devices["srv"].next_heartbeat(now - 300, 5)],
            "spare": [self.devices["spare"].next_heartbeat(now - 300, 3, [bob])],
        }
        for name, hbs in uploads.items():
            status, ack = self.devices[name].upload(hbs)
            self.assertEqual(status, 200, ack)
            self.assertEqual(ack["accepted"], len(hbs))
        status, _ = self.foreign.upload([self.foreign.next_heartbeat(now - 300, 5, [bob])])
        self.assertEqual(status, 200)

        self.global_api = Api(self.server, self.server.admin_token())
        self.acme_api = Api(self.server, self.server.admin_token("acme"))
        self.other_api = Api(self.server, self.server.admin_token("other"))

    def test_report_formats_agree_and_admin_api_changes_billing(self):
        api = self.acme_api
        # Admin API (tenant token): a Core+ group for alice, bob's device assigned to alice.
        api.json("POST", "/v1/tenants/acme/groups", {"name": "eng"})
        api.json("POST", "/v1/tenants/acme/groups/eng/members", {"principal": "Alice@Corp"})
        api.json("POST", "/v1/tenants/acme/subscriptions", {"group": "eng", "package": "Core+"})
        spare = self.devices["spare"].device_id
        api.json("POST", f"/v1/tenants/acme/devices/{spare}/user", {"principal": "alice@corp"})
        groups = api.json("GET", "/v1/tenants/acme/groups")
        self.assertEqual(groups, [{"name": "eng", "package": "Core+", "members": ["alice@corp"]}])
        users = api.json("GET", "/v1/tenants/acme/users")
        self.assertEqual(sorted(u["principal"] for u in users), ["alice@corp", "bob@corp",
                                                                  'o"neil, x'])

        report = api.json("GET", f"/v1/tenants/acme/usage?month={self.month}")
        s = report["summary"]
        # alice (Core+), o"neil (local, Core), bob (Core); srv standalone; spare is assigned
        # to alice by the admin but her business allowance covers her laptop, so bob, active
        # on it with allowance left, covers it (DESIGN.md §5 rule 2): no unit of its own.
        self.assertEqual(s["active_users"], 3)
        self.assertEqual(s["active_devices"], 4)
        self.assertEqual(s["standalone_devices"], 1)
        self.assertEqual(s["overflow_devices"], 0)
        self.assertEqual(s["billable_units"], 4)
        self.assertEqual({p["package"]: p["billable_units"] for p in s["packages"]},
                         {"Core": 3, "Core+": 1})
        self.assertFalse(s["trial"])
        by_host = {d["hostname"]: d for d in report["devices"]}
        self.assertEqual(by_host["spare"]["billed_as"], "user-covered")
        self.assertEqual(by_host["spare"]["covered_by"], "bob@corp")
        self.assertIn("its primary user alice@corp has no allowance left",
                      by_host["spare"]["explanation"])
        self.assertEqual(by_host["spare"]["paired_by"], "admin")
        self.assertEqual(by_host["srv"]["billed_as"], "standalone")
        self.assertEqual(by_host["laptop"]["billed_as"], "user-covered")
        self.assertEqual(by_host["phone"]["billed_as"], "user-covered")
        self.assertNotIn("foreign", by_host)
        # The CLI gives the same report.
        self.assertEqual(self.server.usage("acme", self.month)["summary"], s)

        self._check_csv(report, api.call("GET", f"/v1/tenants/acme/usage.csv?month={self.month}"))
        status, xlsx = api.call("GET", f"/v1/tenants/acme/usage.xlsx?month={self.month}")
        self.assertEqual(status, 200)
        self._check_xlsx(report, xlsx)

        # CLI: -o FILE, and stdout when it is a pipe; a terminal is refused.
        path = os.path.join(self.workdir, "usage.xlsx")
        self.server.cli("usage", "--tenant", "acme", "--month", self.month, "--format", "xlsx",
                        "-o", path)
        with open(path, "rb") as f:
            self._check_xlsx(report, f.read())
        piped = subprocess.run([SERVER_BIN, "usage", "--tenant", "acme", "--month", self.month,
                                "--format", "xlsx", "--data-dir", self.server.data_dir,
                                *self.server.db_args],
                               capture_output=True, timeout=60)
        self.assertEqual(piped.returncode, 0, piped.stderr)
        self._check_xlsx(report, piped.stdout)
        master, slave = pty.openpty()
        try:
            tty = subprocess.run([SERVER_BIN, "usage", "--tenant", "acme", "--month", self.month,
                                  "--format", "xlsx", "--data-dir", self.server.data_dir,
                                *self.server.db_args],
                                 stdout=slave, stderr=subprocess.PIPE, timeout=60)
        finally:
            os.close(slave)
            os.close(master)
        self.assertEqual(tty.returncode, 64)
        self.assertIn(b"terminal", tty.stderr)

    def _check_csv(self, report, answer):
        status, raw = answer
        self.assertEqual(status, 200)
        self.assertIn(b"\r\n", raw, "RFC 4180 line ends")
        rows = list(csv.DictReader(io.StringIO(raw.decode(), newline="")))
        s = report["summary"]
        summary = [r for r in rows if r["row_type"] == "summary"]
        self.assertEqual(len(summary), 1)
        for key in ("active_devices", "active_users", "standalone_devices", "billable_units",
                    "reported_units", "late_adjustments"):
            self.assertEqual(int(summary[0][key]), s[key], key)
        packages = {r["package"]: int(r["billable_units"]) for r in rows
                    if r["row_type"] == "package"}
        self.assertEqual(packages, {p["package"]: p["billable_units"] for p in s["packages"]})
        devices = {r["device_id"]: r for r in rows if r["row_type"] == "device"}
        self.assertEqual(len(devices), len(report["devices"]))
        for d in report["devices"]:
            row = devices[d["device_id"]]
            self.assertEqual(row["hostname"], d["hostname"])
            self.assertEqual(row["billed_as"], d["billed_as"])
            self.assertEqual(row["paired_user"], d["paired_user"] or "")
            self.assertEqual(int(row["active_minutes"]), d["active_minutes"])
            self.assertEqual(row["last_seen"], d["last_seen"] or "")
        users = {r["principal"]: r for r in rows if r["row_type"] == "user"}
        self.assertEqual(set(users), {u["principal"] for u in report["users"]})
        for u in report["users"]:
            self.assertEqual(users[u["principal"]]["package"], u["package"])
            self.assertEqual(int(users[u["principal"]]["active_days"]), u["active_days"])

    def _check_xlsx(self, report, data):
        self.assertEqual(data[:2], b"PK")
        wb = openpyxl.load_workbook(io.BytesIO(data))
        self.assertEqual(wb.sheetnames,
                         ["Summary", "Packages", "Users", "Devices", "Late adjustments"])
        for ws in wb.worksheets:
            self.assertEqual(ws.freeze_panes, "A2", ws.title)
            self.assertTrue(ws.auto_filter.ref, ws.title)
        summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
        s = report["summary"]
        for key in ("active_devices", "active_users", "standalone_devices", "overflow_devices",
                    "billable_units", "reported_units", "late_adjustments"):
            self.assertIsInstance(summary[key], int, key)  # typed numbers, not text
            self.assertEqual(summary[key], s[key], key)
        self.assertIs(summary["trial"], s["trial"])
        self.assertIs(summary["closed"], s["closed"])
        self.assertIsInstance(summary["closes_at"], datetime.datetime)
        self.assertEqual(iso(summary["closes_at"]), s["closes_at"])
        self.assertEqual(summary["tenant"], report["tenant"])

        packages = {r[0]: r[3] for r in wb["Packages"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(packages, {p["package"]: p["billable_units"] for p in s["packages"]})

        sheet = wb["Devices"]
        header = [c.value for c in sheet[1]]
        rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(len(rows), len(report["devices"]))
        for d in report["devices"]:
            row = rows[d["device_id"]]
            for key in ("hostname", "device_type", "role", "paired_user", "paired_by",
                        "billed_as", "package", "active", "active_minutes", "active_days",
                        "heartbeats", "last_seq"):
                self.assertEqual(row[key], d[key], f"{d['hostname']}.{key}")
            self.assertEqual(iso(row["last_seen"]), d["last_seen"])

        sheet = wb["Users"]
        header = [c.value for c in sheet[1]]
        rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(set(rows), {u["principal"] for u in report["users"]})
        for u in report["users"]:
            row = rows[u["principal"]]
            for key in ("local", "package", "active_minutes", "active_days"):
                self.assertEqual(row[key], u[key], f"{u['principal']}.{key}")
            self.assertEqual(row["group"], u["group"])
            self.assertEqual(row["devices_paired"], len(u["devices_paired"]))
            self.assertEqual(iso(row["first_seen"]), u["first_seen"])
            self.assertEqual(iso(row["last_seen"]), u["last_seen"])

    def test_tenant_admin_never_reads_another_tenant(self):
        laptop = self.devices["laptop"].device_id
        for method, path, body in (
                ("GET", f"/v1/tenants/acme/usage?month={self.month}", None),
                ("GET", f"/v1/tenants/acme/usage.csv?month={self.month}", None),
                ("GET", f"/v1/tenants/acme/usage.xlsx?month={self.month}", None),
                ("GET", "/v1/tenants/acme", None),
                ("GET", "/v1/tenants/acme/devices", None),
                ("GET", "/v1/tenants/acme/users", None),
                ("GET", "/v1/tenants/acme/groups", None),
                ("GET", "/v1/tenants/acme/subscriptions", None),
                ("POST", "/v1/tenants/acme/groups", {"name": "x"}),
                ("POST", "/v1/tenants/acme/users/merge", {"from": "a", "into": "b"}),
                ("POST", f"/v1/tenants/acme/devices/{laptop}/retire", {})):
            status, raw = self.other_api.call(method, path, body)
            self.assertEqual(status, 403, f"{method} {path}: {raw[:200]!r}")
            self.assertEqual(json.loads(raw)["error"], "forbidden")
            self.assertNotIn(b"alice", raw)
        # Through its own tenant's path, another tenant's device does not exist.
        status, raw = self.other_api.call("POST", f"/v1/tenants/other/devices/{laptop}/user",
                                          {"principal": "mallory"})
        self.assertEqual(status, 404, raw)
        # The tenant list shows only its own tenant; tenant-wide operations need a global token.
        self.assertEqual([t["name"] for t in self.other_api.json("GET", "/v1/tenants")], ["other"])
        self.assertEqual(len(self.global_api.json("GET", "/v1/tenants")), 2)
        self.assertEqual(self.other_api.call("POST", "/v1/tenants", {"name": "x"})[0], 403)
        self.assertEqual(self.other_api.call("POST", "/v1/purge", {})[0], 403)
        self.assertEqual(self.other_api.call("POST", "/v1/tenants/other/status",
                                             {"status": "active"})[0], 403)
        self.assertEqual(Api(self.server, "tat_bogus").call("GET", "/v1/tenants")[0], 401)
        own = self.other_api.json("GET", f"/v1/tenants/other/usage?month={self.month}")
        self.assertEqual([d["hostname"] for d in own["devices"]], ["foreign"])

    def test_inactive_tenant_refused_at_ingest_and_its_admins_cannot_read(self):
        self.global_api.json("POST", "/v1/tenants/acme/status", {"status": "inactive"})
        status, raw = self.acme_api.call("GET", f"/v1/tenants/acme/usage?month={self.month}")
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(raw)["error"], "tenant_inactive")
        # The vendor (global token) still reads it; nothing is billed from the inactivation.
        report = self.global_api.json("GET", f"/v1/tenants/acme/usage?month={self.month}")
        self.assertEqual(report["summary"]["tenant_status"], "inactive")
        laptop = self.devices["laptop"]
        status, doc = laptop.upload([laptop.next_heartbeat(int(time.time()), 5)])
        self.assertEqual(status, 403)
        self.assertEqual(doc["error"], "tenant_inactive")
        # Reactivated: accepted again.
        self.server.cli("tenant", "set-status", "acme", "active")
        status, doc = laptop.upload([laptop.next_heartbeat(int(time.time()) + 1, 5)])
        self.assertEqual(status, 200, doc)
        self.assertEqual(self.acme_api.call("GET", "/v1/tenants/acme")[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
