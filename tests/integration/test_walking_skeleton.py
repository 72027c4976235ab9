"""End to end over TLS: a real agent pairs with a real server, records, signs and uploads
heartbeats, and the server counts them; bad input is refused with clear errors."""

import json
import os
import pwd
import socket
import time
import unittest

from protocol_client import Device
from tally_harness import (PtySession, TallyTestCase, UtmpFile, current_month, run,
                           wait_until, AGENT_BIN)


def device_row(report, device_id):
    rows = [d for d in report["devices"] if d["device_id"] == device_id]
    assert len(rows) == 1, f"device {device_id} not in report: {json.dumps(report)[:2000]}"
    return rows[0]


class WalkingSkeleton(TallyTestCase):

    def test_server_role_device_is_paired_uploaded_and_counted(self):
        server = self.server().start()
        server.tenant("acme")
        code = server.pairing_code("acme", uses=2)

        # an empty utmp: this device has no interactive users, whatever the test machine has
        empty_utmp = UtmpFile(os.path.join(self.workdir, "utmp-empty"))
        agent = self.agent("srv", role="server", utmp_path=empty_utmp.path)
        out = agent.pair(server, code)
        self.assertNotIn(code, out.stdout + out.stderr, "pairing code must never be printed")
        key = os.path.join(agent.state_dir, "device.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)

        rc, st = agent.status()
        self.assertEqual(rc, 3, "paired but not running: exit 3")
        self.assertTrue(st["paired"])
        device_id = st["device_id"]
        self.assertTrue(device_id)

        agent.start()
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 2, 40,
                   what="two heartbeats acknowledged")
        rc, st = agent.status()
        self.assertEqual(rc, 0, f"healthy running agent exits 0: {st}")
        self.assertTrue(st["running"])
        self.assertEqual(st["tenant"], "acme")
        self.assertEqual(st["pid"], agent.proc.pid, "status names the agent's process")
        self.assertEqual(agent.stop(), 0, "SIGTERM exits 0")

        rc, st = agent.status()
        self.assertEqual(rc, 3)
        self.assertFalse(st["running"])
        # the partial heartbeat written at shutdown is in the spool or already acknowledged
        self.assertGreaterEqual(st["last_seq"], st["acked_through"])

        report = server.usage("acme", current_month())
        row = device_row(report, device_id)
        self.assertTrue(row["active"], "a server-role device is active by signal")
        self.assertGreaterEqual(row["heartbeats"], 2)
        self.assertGreaterEqual(report["summary"]["active_devices"], 1)
        self.assertEqual(report["summary"]["standalone_devices"], 1)
        self.assertEqual(report["summary"]["billable_units"], 1)

        csv = server.usage("acme", current_month(), fmt="csv")
        self.assertIn(device_id, csv)

    def test_user_session_is_counted(self):
        server = self.server().start()
        server.tenant("acme")
        code = server.pairing_code("acme")
        user = pwd.getpwuid(os.getuid()).pw_name

        utmp = UtmpFile(os.path.join(self.workdir, "utmp"))
        session = PtySession()
        self.addCleanup(session.close)
        utmp.add(user, session, host="203.0.113.9")
        session.type()

        agent = self.agent("ws", role="workstation", utmp_path=utmp.path, uid_min=0)
        agent.pair(server, code)
        probe = json.loads(agent.cli("probe", "--json").stdout)
        mine = [s for s in probe["sessions"] if s["tty"] == session.line]
        self.assertEqual(len(mine), 1, probe)
        self.assertEqual(mine[0]["verdict"], "active", probe)

        agent.start()

        def user_counted():
            session.type()
            rep = server.usage("acme", current_month())
            return [u for u in rep["users"] if u["principal"] == user and u["active_minutes"] > 0]

        wait_until(user_counted, 40, interval=1, what="the session's user counted")
        device_id = agent.status()[1]["device_id"]
        report = server.usage("acme", current_month())
        self.assertTrue(device_row(report, device_id)["active"])
        self.assertEqual(report["summary"]["standalone_devices"], 0)
        self.assertEqual(report["summary"]["active_users"], 1)
        self.assertEqual(report["summary"]["billable_units"], 1)

    def test_bad_pairing_input_is_refused_clearly(self):
        server = self.server().start()
        server.tenant("acme")
        good = server.pairing_code("acme")
        agent = self.agent("bad")

        # a typo is caught locally, before any network call
        typo = good[:-1] + ("0" if good[-1] != "0" else "1")
        p = agent.pair(server, typo, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("check", p.stderr.lower())

        # well-formed but unknown
        other = self.server(name="other-server")  # its codes are unknown to `server`
        other.tenant("x")
        unknown = other.pairing_code("x")
        p = agent.pair(server, unknown, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("invalid_code", p.stderr + p.stdout)

        # expired
        short = server.pairing_code("acme", expires="1s")
        time.sleep(2.2)
        p = agent.pair(server, short, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("expired", (p.stderr + p.stdout).lower())

        # exhausted
        once = server.pairing_code("acme", uses=1)
        self.agent("first").pair(server, once)
        p = self.agent("second").pair(server, once, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("exhausted", (p.stderr + p.stdout).lower())

        # unreachable server (--wait 0: one attempt; by default pair retries for 300 s,
        # tests/integration/test_mass_pairing.py)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        p = run([AGENT_BIN, "pair", "--server", f"https://127.0.0.1:{port}", "--code", good,
                 "--ca-file", server.ca_file, "--state-dir", agent.state_dir,
                 "--config", agent.config_path, "--wait", "0"], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr.lower(), "connect|unreachable|refused")

        # a certificate that does not verify (system store does not know the test CA)
        p = run([AGENT_BIN, "pair", "--server", server.url, "--code", good,
                 "--state-dir", agent.state_dir, "--config", agent.config_path], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr.lower(), "certificate|tls|verify")

        # an unknown config key names the key
        agent.write_config({"sample_interval_s": 1, "samplee_interval": 2})
        p = agent.cli("status", check=False)
        self.assertEqual(p.returncode, 64, p.stderr)
        self.assertIn("samplee_interval", p.stderr)
        agent.write_config({"role": "toaster"})
        p = agent.cli("status", check=False)
        self.assertEqual(p.returncode, 64)
        self.assertIn("role", p.stderr)

        # not paired: needs attention
        fresh = self.agent("fresh")
        rc, st = fresh.status()
        self.assertEqual(rc, 2, st)
        self.assertFalse(st["paired"])

        # nothing was registered by any refused attempt: only "first" paired
        devices = server.cli("device", "list", "--tenant", "acme").stdout
        self.assertEqual(devices.count("dev_"), 1, devices)

    def test_replayed_and_forged_batches(self):
        server = self.server().start()
        server.tenant("acme")
        code = server.pairing_code("acme", uses=3)

        dev = Device(server.url, server.ca_file)
        status, doc = dev.pair(code)
        self.assertEqual(status, 200, doc)
        now = int(time.time())
        hbs = [dev.next_heartbeat(end=now - 600 + i * 300) for i in range(3)]
        body = dev.batch_body(hbs)

        status, ack = dev.post_body(body)
        self.assertEqual(status, 200, ack)
        self.assertEqual(ack["acked_through"], 3)
        self.assertEqual(ack["accepted"], 3)

        status, ack2 = dev.post_body(body)  # replay: same answer, nothing new
        self.assertEqual(status, 200, ack2)
        self.assertEqual(ack2["acked_through"], 3)
        self.assertEqual(ack2["accepted"], 0)
        self.assertEqual(ack2["duplicates"], 3)

        # signed by another device's key
        intruder = Device(server.url, server.ca_file)
        self.assertEqual(intruder.pair(code)[0], 200)
        forged_hb = dev.next_heartbeat(end=now)
        forged = dev.batch_body([forged_hb])
        status, err = dev.post_body(forged, sign_key=intruder.key)
        self.assertEqual(status, 401, err)
        self.assertEqual(err["error"], "bad_signature")

        # unknown device, malformed body, bad gzip, oversized
        status, err = dev.post_body(forged, device_id="dev_doesnotexist")
        self.assertEqual(status, 401)
        self.assertEqual(err["error"], "unknown_device")
        status, err = dev.post_body(b"\x1f\x8bnot really gzip")
        self.assertEqual(status, 400, err)
        self.assertEqual(err["error"], "bad_gzip")
        import gzip as gz
        status, err = dev.post_body(gz.compress(b"{not json"))
        self.assertEqual(status, 400, err)
        self.assertEqual(err["error"], "bad_request")
        status, err = dev.post_body(os.urandom(5 * 1024 * 1024))
        self.assertEqual(status, 413, err)

        report = server.usage("acme", current_month())
        row = device_row(report, dev.device_id)
        self.assertEqual(row["heartbeats"], 3, "replays and forgeries are never counted")
        self.assertEqual(row["last_seq"], 3)
        self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
