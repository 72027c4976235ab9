"""Standalone mode end to end with the real binaries: a standalone agent records and exports a
signed bundle; tally-server import counts it once however often it is imported; tampered,
truncated, re-signed and other-tenant bundles are refused with reasons; the same over HTTP;
and a standalone agent paired later uploads only what the server does not hold."""

import base64
import json
import os
import re
import ssl
import urllib.error
import urllib.request
import unittest

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tally_harness import TallyTestCase, UtmpFile, current_month, wait_until


def canonical(doc):
    # The bundle is nlohmann's compact dump: Python gives the same bytes with these options.
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n"


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Standalone(TallyTestCase):

    def standalone_agent(self, name="solo"):
        utmp = UtmpFile(os.path.join(self.workdir, f"utmp-{name}"))
        # role server: active by signal, so every heartbeat has device minutes
        return self.agent(name, role="server", utmp_path=utmp.path, heartbeat_interval_s=2)

    def record(self, agent, heartbeats):
        agent.start("--standalone")
        wait_until(lambda: agent.status()[1].get("last_seq", 0) >= heartbeats, 40,
                   what=f"{heartbeats} heartbeats recorded")
        rc, st = agent.status()
        self.assertEqual(rc, 0, st)
        self.assertEqual(st["mode"], "standalone")
        self.assertEqual(st["retention_days"], 400)
        self.assertTrue(st["oldest_record"] and st["newest_record"], st)
        self.assertEqual(agent.stop(), 0)
        return agent.status()[1]["last_seq"]

    def export(self, agent, name="usage.tally"):
        path = os.path.join(self.workdir, name)
        agent.cli("export", "--month", current_month(), "-o", path)
        with open(path, "rb") as f:
            return path, f.read()

    def write(self, name, data):
        path = os.path.join(self.workdir, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def import_(self, server, path, tenant="acme", check=True):
        proc = server.cli("import", path, "--tenant", tenant, "--format", "json", check=False)
        if check:
            self.assertEqual(proc.returncode, 0, proc.stderr)
            return json.loads(proc.stdout)
        return proc

    def assert_refused(self, server, path, reason, tenant="acme"):
        proc = self.import_(server, path, tenant, check=False)
        self.assertEqual(proc.returncode, 1, f"{path} must be refused: {proc.stdout}")
        self.assertIn("import refused", proc.stderr)
        self.assertRegex(proc.stderr, reason)
        return proc.stderr

    def test_export_import_counted_once_and_tampering_refused(self):
        server = self.server()
        server.tenant("acme")
        server.tenant("other")
        agent = self.standalone_agent()
        last = self.record(agent, 5)
        self.assertFalse(os.path.exists(os.path.join(agent.state_dir, "identity.json")))
        self.assertEqual(os.stat(os.path.join(agent.state_dir, "device.key")).st_mode & 0o777,
                         0o600)

        report = json.loads(agent.cli("report", "--month", current_month(), "--json").stdout)
        self.assertEqual(report["heartbeats"], last)
        self.assertEqual(report["active_days"], 1)
        path, good = self.export(agent)

        first = self.import_(server, path)
        self.assertEqual(first["trust"], "first_use")
        self.assertEqual((first["new"], first["duplicate"], first["refused"]), (last, 0, 0))
        again = self.import_(server, path)
        self.assertEqual(again["trust"], "known_key")
        self.assertEqual(again["device_id"], first["device_id"])
        self.assertEqual((again["new"], again["duplicate"], again["refused"]), (0, last, 0))
        usage = server.usage("acme", current_month())
        rows = [d for d in usage["devices"] if d["device_id"] == first["device_id"]]
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["heartbeats"], last, "imported twice, counted once")
        self.assertTrue(rows[0]["active"])
        self.assertIn("trust_on_first_use", rows[0]["flags"],
                      "a device registered by import says so in the report")

        doc = json.loads(good)
        # one byte edited inside a heartbeat (a digit of device_active_minutes)
        text = good.decode()
        at = text.index('device_active_minutes\\":') + len('device_active_minutes\\":')
        edited = text[:at] + ("7" if text[at] != "7" else "8") + text[at + 1:]
        self.assert_refused(server, self.write("edited.tally", edited), r"chain_broken|bad_bundle")
        # one byte edited in the signed manifest
        at = text.index("hostname")
        self.assert_refused(server, self.write("manifest.tally", text[:at] + "H" + text[at + 1:]),
                            r"bad_signature|bad_bundle")
        # a heartbeat removed from the middle
        cut = dict(doc)
        cut["heartbeats"] = doc["heartbeats"][:2] + doc["heartbeats"][3:]
        self.assert_refused(server, self.write("cut.tally", canonical(cut)),
                            r"chain_broken.*seq 3 missing")
        # truncated file
        self.assert_refused(server, self.write("short.tally", good[: len(good) // 2]),
                            r"bad_bundle.*truncated")
        # re-signed by another key
        other = ec.generate_private_key(ec.SECP256R1())
        r, s = decode_dss_signature(other.sign(doc["manifest"].encode(), ec.ECDSA(hashes.SHA256())))
        resigned = dict(doc)
        resigned["signature"] = b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        self.assert_refused(server, self.write("resigned.tally", canonical(resigned)),
                            r"bad_signature")
        # another tenant's device
        self.assert_refused(server, path, r"wrong_tenant.*another tenant", tenant="other")
        # nothing refused changed the count
        usage = server.usage("acme", current_month())
        row = [d for d in usage["devices"] if d["device_id"] == first["device_id"]][0]
        self.assertEqual(row["heartbeats"], last)

    def test_import_into_an_inactive_tenant_is_refused(self):
        server = self.server()
        server.tenant("acme")
        agent = self.standalone_agent()
        self.record(agent, 2)
        path, _ = self.export(agent)
        server.cli("tenant", "set-status", "acme", "inactive")
        self.assert_refused(server, path, "tenant_inactive")
        self.assertEqual(server.usage("acme", current_month())["summary"]["active_devices"], 0)

    def test_import_over_http_needs_an_admin_token(self):
        server = self.server().start()
        server.tenant("acme")
        agent = self.standalone_agent()
        last = self.record(agent, 3)
        _, good = self.export(agent)
        token = server.admin_token("acme")
        ctx = ssl.create_default_context(cafile=server.ca_file)

        def post(data, auth=True):
            req = urllib.request.Request(server.url + "/v1/tenants/acme/import", data=data,
                                         method="POST",
                                         headers={"Content-Type": "application/octet-stream"})
            if auth:
                req.add_header("Authorization", "Bearer " + token)
            try:
                with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
                    return resp.status, json.loads(resp.read())
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())

        status, body = post(good, auth=False)
        self.assertEqual(status, 401, body)
        status, body = post(good)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["new"], last)
        status, body = post(good)
        self.assertEqual((status, body["new"], body["duplicate"]), (200, 0, last))
        status, body = post(good[:-40] + b"\n")
        self.assertEqual(status, 422, body)
        self.assertEqual(body["error"], "bad_bundle")

    def test_paired_later_uploads_only_what_is_missing(self):
        server = self.server().start()
        server.tenant("acme")
        agent = self.standalone_agent()
        self.record(agent, 3)
        path, _ = self.export(agent)
        imported = self.import_(server, path)
        held = imported["last_seq"]
        self.assertEqual(imported["acked_through"], held)
        # more history after the export, never exported
        recorded = self.record(agent, held + 3)

        code = server.pairing_code("acme", uses=1)
        out = agent.pair(server, code)
        self.assertIn(imported["device_id"], out.stdout, "same key → the same device")
        with open(os.path.join(agent.state_dir, "spool", "acked")) as f:
            self.assertEqual(json.load(f)["acked_through"], held,
                             "what the server holds is acknowledged at pairing")
        with open(os.path.join(agent.state_dir, "standalone.json")) as f:
            self.assertTrue(json.load(f)["public_key"])

        log_before = len(agent.logs())
        agent.start()
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= recorded + 1, 40,
                   what="the unexported history uploaded")
        self.assertEqual(agent.stop(), 0)
        rc, st = agent.status()
        sent = sum(int(n) for n in re.findall(r"sending (\d+) heartbeats",
                                               agent.logs()[log_before:]))
        self.assertEqual(sent, st["acked_through"] - held,
                         "only heartbeats the server did not hold were uploaded")
        usage = server.usage("acme", current_month())
        row = [d for d in usage["devices"] if d["device_id"] == imported["device_id"]][0]
        self.assertEqual(row["heartbeats"], st["acked_through"])
        self.assertEqual(row["gaps"], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
