"""Genuine activity on Linux against real sessions: Debian's sshd on a loopback port, real
`ssh -tt` logins that type and then go quiet, and the real agent reading the utmp sshd
writes and the ttys' atime (as `w` does).

The kernel moves a tty's atime at most every ~8 s, so idle seen through atime lags by up to
8 s; the threshold (20 s) and the bounds below leave room for that.
"""

import json
import math
import os
import time
import unittest

from sshd_fixture import SYSTEM_TEST_USER, SYSTEM_UTMP, SshServer, missing_prerequisites
from tally_harness import TallyTestCase, current_month, wait_until

IDLE_THRESHOLD_S = 20
ATIME_GRANULARITY_S = 8


def probe(agent):
    proc = agent.cli("probe", "--json", check=False)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"probe --json printed no JSON (exit {proc.returncode}): "
                             f"{proc.stdout!r} {proc.stderr!r}")


def session_of(doc, ssh):
    """The probe entry for one ssh login, found by its tty."""
    mine = [s for s in doc["sessions"]
            if s.get("tty") in (ssh.line, ssh.tty) or s.get("id") in (ssh.line, ssh.tty)]
    assert len(mine) == 1, f"expected one session on {ssh.line}: {json.dumps(doc, indent=1)}"
    return mine[0]


def verdicts(agent, *sshs):
    doc = probe(agent)
    return [session_of(doc, s)["verdict"] for s in sshs]


def minutes_touched(t0, t1):
    """Most one-minute slots any clock alignment can give the span [t0, t1]."""
    return math.floor((t1 - t0) / 60) + 2


@unittest.skipIf(missing_prerequisites(), missing_prerequisites() or "")
class LinuxActivity(TallyTestCase):

    def setUp(self):
        super().setUp()
        self.sshd = SshServer(self.workdir)
        self.addCleanup(self.sshd.stop)

    def activity_agent(self, name="agent", **config):
        base = dict(utmp_path=SYSTEM_UTMP, dev_dir="/dev", uid_min=1000,
                    idle_threshold_s=IDLE_THRESHOLD_S)
        base.update(config)
        return self.agent(name, **base)

    def test_ssh_user_is_active_while_typing_and_idle_after_threshold(self):
        self.sshd.start()
        ssh = self.sshd.login("tallyit1")
        agent = self.activity_agent()

        ssh.type("echo typing")
        time.sleep(1)
        s = session_of(probe(agent), ssh)
        self.assertEqual(s["verdict"], "active", s)
        self.assertEqual(s["user"], "tallyit1", s)
        self.assertEqual(s["kind"], "ssh", s)
        self.assertLessEqual(s["idle_s"], ATIME_GRANULARITY_S + 2, s)
        self.assertTrue(s["reason"], s)

        # keep typing past the threshold: still active (input is recent, not session age)
        until = time.monotonic() + IDLE_THRESHOLD_S + 5
        while time.monotonic() < until:
            ssh.type("true")
            time.sleep(2)
        self.assertEqual(session_of(probe(agent), ssh)["verdict"], "active")

        # go quiet: idle once the tty's atime is older than the threshold, not before
        ssh.type("true")
        quiet_since = time.monotonic()
        while True:
            s = session_of(probe(agent), ssh)
            waited = time.monotonic() - quiet_since
            if s["verdict"] != "active":
                break
            self.assertLess(waited, IDLE_THRESHOLD_S + ATIME_GRANULARITY_S + 10,
                            f"still active after {waited:.0f}s quiet: {s}")
            time.sleep(1)
        self.assertEqual(s["verdict"], "idle", s)
        self.assertGreaterEqual(waited, IDLE_THRESHOLD_S - ATIME_GRANULARITY_S - 1,
                                f"idle too early ({waited:.1f}s): {s}")
        self.assertGreater(s["idle_s"], IDLE_THRESHOLD_S, s)
        self.assertRegex(s["reason"].lower(), "idle|threshold", s)

        # typing again makes it active again
        ssh.type("echo back")
        wait_until(lambda: verdicts(agent, ssh) == ["active"], 5, interval=0.5,
                   what="active again after typing")

    def test_root_and_service_accounts_are_ignored(self):
        self.sshd.start(system_users=("root", SYSTEM_TEST_USER))
        root = self.sshd.login("root")
        svc = self.sshd.login(SYSTEM_TEST_USER)
        user = self.sshd.login("tallyit1")
        for s in (root, svc, user):
            s.type("true")
        time.sleep(1)
        doc = probe(self.activity_agent())
        for ssh in (root, svc):
            s = session_of(doc, ssh)
            self.assertEqual(s["verdict"], "ignored", s)
            self.assertRegex(s["reason"].lower(), "system|service|uid", s)
        self.assertEqual(session_of(doc, user)["verdict"], "active")

    def test_usage_counts_each_user_once_per_minute_and_only_while_active(self):
        """tallyit1 has two sessions, tallyit2 one; all type for ~70 s, then go quiet. The
        report counts each user separately, tallyit1 once per minute (not per session), and
        no minute of the quiet time."""
        server = self.server().start()
        server.tenant("acme")
        code = server.pairing_code("acme")
        self.sshd.start()
        a1 = self.sshd.login("tallyit1")
        a2 = self.sshd.login("tallyit1")
        b = self.sshd.login("tallyit2")
        sessions = (a1, a2, b)

        agent = self.activity_agent("ws", heartbeat_interval_s=60, upload_interval_s=2)
        agent.pair(server, code)
        for s in sessions:
            s.type("true")
        started = time.monotonic()
        agent.start()

        # type in every session; note when probe sees them all active
        seen_active = []
        until = started + 70
        while time.monotonic() < until:
            for s in sessions:
                s.type("true")
            if verdicts(agent, *sessions) == ["active"] * 3:
                seen_active.append(time.monotonic())
            time.sleep(2)
        self.assertTrue(seen_active, "probe never saw the three sessions active")

        # quiet: wait until all are idle
        idle_seen = wait_until(
            lambda: time.monotonic() if verdicts(agent, *sessions) == ["idle"] * 3 else None,
            IDLE_THRESHOLD_S + ATIME_GRANULARITY_S + 15, interval=1, what="all sessions idle")

        # a full heartbeat of quiet time reaches the server
        _, st = agent.status()
        quiet_from = st["last_seq"] + 2  # the next heartbeat may still hold active minutes
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= quiet_from, 200,
                   interval=2, what=f"heartbeat {quiet_from} acknowledged")
        device_id = agent.status()[1]["device_id"]
        report = server.usage("acme", current_month())

        users = {u["principal"]: u["active_minutes"] for u in report["users"]}
        lower = math.ceil((seen_active[-1] - seen_active[0]) / 60)
        upper = minutes_touched(started - 1, idle_seen + 2)
        for principal in ("tallyit1", "tallyit2"):
            self.assertIn(principal, users, report)
            self.assertGreaterEqual(users[principal], max(1, lower), report)
            self.assertLessEqual(users[principal], upper,
                                 f"{principal}: more minutes than it was active: {report}")
        self.assertLessEqual(abs(users["tallyit1"] - users["tallyit2"]), 1, report)
        self.assertNotIn("root", users)

        row = [d for d in report["devices"] if d["device_id"] == device_id][0]
        self.assertTrue(row["active"])
        self.assertGreaterEqual(row["active_minutes"], max(users.values()), report)
        self.assertLessEqual(row["active_minutes"], upper, report)
        # the quiet heartbeat(s) carried no active minute
        self.assertGreaterEqual(row["heartbeats"], row["active_minutes"] + 1, report)


if __name__ == "__main__":
    unittest.main(verbosity=2)
