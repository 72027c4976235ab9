"""tally-server hardening with the real binary: private data dir whatever the umask, log
lines that request fields cannot forge, admin tokens that expire and can be revoked."""

import datetime
import http.client
import os
import socket
import ssl
import stat
import tempfile
import unittest

from tally_harness import TEST_DB, Server, wait_until


class ServerHardening(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tally-it-")
        self.old_umask = os.umask(0)  # the server must not rely on a careful umask
        self.server = Server(self.tmp.name)
        os.chmod(self.server.data_dir, 0o777)

    def tearDown(self):
        self.server.stop()
        os.umask(self.old_umask)
        self.tmp.cleanup()

    def mode(self, *parts):
        return stat.S_IMODE(os.stat(os.path.join(self.server.data_dir, *parts)).st_mode)

    def test_data_dir_is_private_under_umask_zero(self):
        self.server.tenant("acme")
        self.server.start()
        self.server.pairing_code("acme")
        self.assertEqual(self.mode(), 0o700)
        for name in ("tally.db", "tally.db-wal", "listen.addr", os.path.join("tls", "server.key"),
                     os.path.join("tls", "ca.key")):
            if os.path.exists(os.path.join(self.server.data_dir, name)):
                with self.subTest(file=name):
                    self.assertEqual(self.mode(name) & 0o077, 0, oct(self.mode(name)))
        # SQLite only: the database file is a file of the data dir (on PostgreSQL the data
        # dir holds no database; the other files are checked on both backends).
        if TEST_DB == "sqlite":
            self.assertEqual(self.mode("tally.db"), 0o600)
        self.assertEqual(self.mode("listen.addr"), 0o600)

    def test_status_change_in_a_closed_month_is_refused(self):
        # DESIGN.md §5 rule 7: a month closes grace_hours (72) after its end and is never
        # rewritten; a status dated in it would cut an inactive span out of a closed bill.
        self.server.tenant("acme")
        today = datetime.date.today()
        closed = (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=10)
        proc = self.server.cli("tenant", "set-status", "acme", "inactive", "--at",
                               closed.isoformat(), check=False)
        self.assertEqual(proc.returncode, 64, proc.stderr)
        self.assertIn(closed.strftime("%Y-%m"), proc.stderr)
        self.assertIn("closed", proc.stderr)
        listed = self.server.cli("tenant", "list").stdout.splitlines()[1].split("\t")
        self.assertEqual((listed[0], listed[1], listed[3]), ("acme", "active", "-"))
        # Dated today (an open month) it is applied.
        self.server.cli("tenant", "set-status", "acme", "inactive", "--at", today.isoformat())
        listed = self.server.cli("tenant", "list").stdout.splitlines()[1].split("\t")
        self.assertEqual(listed[1], "inactive")

    def test_request_fields_cannot_forge_log_lines(self):
        self.server.tenant("acme")
        token = self.server.admin_token()
        self.server.start()
        ctx = ssl.create_default_context(cafile=self.server.ca_file)
        host, port = self.server.addr.rsplit(":", 1)
        conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)
        # %0a decodes to a newline in the tenant name, which the import refusal logs.
        conn.request("POST", "/v1/tenants/x%0a2030-01-01T00:00:00Z%20FORGED/import", body=b"{}",
                     headers={"Authorization": f"Bearer {token}",
                              "Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        self.assertIn(resp.status, (403, 404, 422))
        conn.close()
        self.server.stop()
        for line in self.server.logs().splitlines():
            self.assertFalse(line.startswith("2030-01-01T00:00:00Z FORGED"), line)
        self.assertIn("\\x0a2030-01-01T00:00:00Z FORGED", self.server.logs())

    def get_tenants(self, token):
        ctx = ssl.create_default_context(cafile=self.server.ca_file)
        host, port = self.server.addr.rsplit(":", 1)
        conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)
        conn.request("GET", "/v1/tenants", headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        return resp.status

    def test_admin_tokens_are_named_listed_revoked_and_expire(self):
        self.server.tenant("acme")
        made = self.server.cli("admin-token", "create", "--tenant", "acme", "--name", "portal")
        token = made.stdout.strip()
        self.assertTrue(token.startswith("tat_"), made.stdout)
        self.assertEqual(made.stdout.strip().count("\n"), 0)  # the token, and nothing else
        self.assertIn("shown only now", made.stderr)
        short = self.server.cli("admin-token", "create", "--expires", "1s").stdout.strip()
        listed = self.server.cli("admin-token", "list").stdout
        self.assertNotIn(token, listed)  # shown once: never listed
        self.assertNotIn(short, listed)
        rows = [line.split("\t") for line in listed.splitlines()[1:]]
        self.assertEqual(len(rows), 2, listed)
        portal = next(r for r in rows if r[1] == "portal")
        self.assertEqual((portal[2], portal[5]), ("acme", "active"))
        self.server.start()
        self.assertEqual(self.get_tenants(token), 200)
        self.assertEqual(self.server.cli("admin-token", "revoke", portal[0]).returncode, 0)
        self.assertEqual(self.get_tenants(token), 401)
        listed = self.server.cli("admin-token", "list").stdout
        self.assertIn("\trevoked", listed)
        bad = self.server.cli("admin-token", "revoke", "0123456789ab", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("no admin token", bad.stderr)
        wait_until(lambda: self.get_tenants(short) == 401, 30, what="the 1 s token to expire")
        self.assertIn("\texpired", self.server.cli("admin-token", "list").stdout)


    def _tls_get(self, ctx, session=None):
        host, port = self.server.url.split("//")[1].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname=host, session=session) as tls:
                tls.sendall(b"GET /v1/none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                while tls.recv(4096):  # read to the end: a ticket arrives after the handshake
                    pass
                return tls.session, tls.session_reused

    def test_resumed_tls_session_gets_no_new_ticket(self):
        # Issue 16's wire budget: a ticket (~240 B) on every hourly upload is waste; one
        # ticket after a full handshake, valid for a day, and none after resuming it.
        self.server.start()
        ctx = ssl.create_default_context(cafile=self.server.ca_file)
        ctx.check_hostname = False
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        first, reused = self._tls_get(ctx)
        self.assertFalse(reused)
        self.assertTrue(first.has_ticket)
        self.assertEqual(first.ticket_lifetime_hint, 86400)
        second, reused = self._tls_get(ctx, first)
        self.assertTrue(reused, "the day-long ticket was not accepted")
        # A new ticket would have replaced the client's session (another id).
        self.assertEqual(second.id, first.id, "the server sent a new ticket after resuming")


if __name__ == "__main__":
    unittest.main(verbosity=2)
