"""The Windows agent (tally-agent.exe, cross-built with mingw-w64) end to end under wine 8
against the real Linux tally-server on loopback: pairing with the test CA as ca_file,
heartbeats of a server-role device in the usage report, `status --json` over the named pipe,
kill -9 and restart with the same identity and no heartbeat lost, the per-session idle
reporter (`__session-reporter --once`: GetLastInputInfo sent over the idle pipe, accepted by
the running agent for the reporter's own session), and the same agent as the TallyAgent
service through wine's service control manager. Wine has no WTS sessions and no
WTSQueryUserToken, so the service starting reporters in sessions does not run here.

Wine facts this relies on (shared/NOTES.md): `wine prog.exe &` execs into the Windows
process, so Popen.pid is the process to kill; Z:\\ maps to /. Wine's certificate name check
ignores IP-address SANs, so the agent talks to https://localhost:PORT (the test server's
certificate names localhost too). Wine's services.exe (and every service in it) ends when the
last ordinary wine process of the prefix ends; a `wine cmd` waiting on stdin keeps the prefix
alive while the service runs, as a logged-in Windows machine would be.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

from tally_harness import Server, TallyTestCase, current_month, run, wait_until
from wine_tls import start_for_wine

EXE = os.environ.get("TALLY_AGENT_EXE", "")
WINE = shutil.which("wine") or "wine"


def winpath(path):
    return "Z:" + os.path.abspath(path).replace("/", "\\")


class WinePrefix:
    """A private wine prefix, booted once, kept alive by one idle `wine cmd`."""

    def __init__(self, directory):
        self.dir = directory
        self.env = dict(os.environ, WINEPREFIX=directory, WINEDEBUG="-all",
                        WINEDLLOVERRIDES="mscoree,mshtml=")
        self.keeper = None

    def boot(self):
        run(["wineboot", "-i"], env=self.env, timeout=300)
        self.keeper = subprocess.Popen([WINE, "cmd"], stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env=self.env)

    def wine(self, *args, check=True, timeout=120):
        return run([WINE, *args], check=check, env=self.env, timeout=timeout)

    def shutdown(self):
        if self.keeper and self.keeper.poll() is None:
            self.keeper.kill()
            self.keeper.wait()
        # Ends the wineserver of this prefix only (and with it what still runs in it).
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True, timeout=60)


class WineAgent:
    def __init__(self, prefix, workdir, name, **config):
        self.prefix = prefix
        self.dir = os.path.join(workdir, name)
        self.state_dir = os.path.join(self.dir, "state")
        self.config_path = os.path.join(self.dir, "agent.json")
        self.log_path = os.path.join(self.dir, "agent.log")
        os.makedirs(self.dir, exist_ok=True)
        cfg = {"sample_interval_s": 1, "heartbeat_interval_s": 3, "upload_interval_s": 2,
               "log_level": "debug"}
        cfg.update(config)
        with open(self.config_path, "w") as f:
            json.dump(cfg, f)
        self.proc = None
        self.log = None

    def opts(self):
        return ["--config", winpath(self.config_path), "--state-dir", winpath(self.state_dir)]

    def cli(self, *args, check=True):
        return self.prefix.wine(EXE, *args, *self.opts(), check=check)

    def pair(self, server, code, ca_file, check=True):
        port = server.addr.rsplit(":", 1)[1]
        return self.cli("pair", "--server", f"https://localhost:{port}", "--code", code,
                        "--ca-file", winpath(ca_file), check=check)

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([WINE, EXE, "run", *self.opts()], stdout=self.log,
                                     stderr=subprocess.STDOUT, env=self.prefix.env)

    def kill9(self):
        self.proc.kill()  # SIGKILL to the Windows process itself (wine execs into it)
        self.proc.wait()
        self.log.close()
        self.proc = None

    def status(self):
        proc = self.cli("status", "--json", check=False)
        if proc.returncode == 1 and not proc.stdout and not proc.stderr:
            # tally-agent status always prints its JSON (agent/cli/status_command.cpp); exit 1
            # with no output at all is wine failing to run the process, seen once in ~10 CI
            # runs under load. Said, then asked once more: a real fault fails again below.
            print("wine ran `tally-agent status` with no output (exit 1); asking again",
                  file=sys.stderr)
            proc = self.cli("status", "--json", check=False)
        try:
            return proc.returncode, json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"status --json printed no JSON (exit {proc.returncode}): "
                                 f"{proc.stdout!r} {proc.stderr!r}")

    def logs(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""


def device_row(report, device_id):
    rows = [d for d in report["devices"] if d["device_id"] == device_id]
    assert len(rows) == 1, f"device {device_id} not in report: {json.dumps(report)[:2000]}"
    return rows[0]


@unittest.skipUnless(EXE and os.path.exists(EXE), "TALLY_AGENT_EXE (tally-agent.exe) not built")
class WindowsAgentUnderWine(TallyTestCase):

    def setUp(self):
        super().setUp()
        self.prefix = WinePrefix(os.path.join(self.workdir, "wineprefix"))
        self.prefix.boot()
        self.addCleanup(self.prefix.shutdown)
        self.wine_agents = []

    def tearDown(self):
        for a in self.wine_agents:
            if a.proc and a.proc.poll() is None:
                a.kill9()
            print(f"--- windows agent log {a.dir}\n{a.logs()[-4000:]}")
        super().tearDown()

    def wine_agent(self, name, **config):
        a = WineAgent(self.prefix, self.workdir, name, **config)
        self.wine_agents.append(a)
        return a

    def test_pairs_uploads_survives_kill_and_runs_as_a_service(self):
        server = start_for_wine(self.server())
        server.tenant("acme")
        code = server.pairing_code("acme", uses=3)

        # A CA that did not sign the server's certificate is refused, naming the problem.
        other = start_for_wine(self.server(name="other"))
        agent = self.wine_agent("win", role="server")
        bad = agent.pair(server, code, other.ca_file, check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("TLS", bad.stdout + bad.stderr)
        self.assertNotIn(code, bad.stdout + bad.stderr, "pairing code must never be printed")

        out = agent.pair(server, code, server.ca_file)
        self.assertIn("paired", out.stdout)
        rc, st = agent.status()
        self.assertEqual(rc, 3, f"paired, not running: exit 3 ({st})")
        device_id = st["device_id"]
        self.assertTrue(device_id)

        agent.start()
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 2, 60,
                   what="two heartbeats acknowledged")
        rc, st = agent.status()
        self.assertEqual(rc, 0, f"healthy running agent exits 0: {st}")
        self.assertTrue(st["running"], "status came over the named pipe from the live agent")
        self.assertEqual(st["activity_source"], "wts")
        self.assertIn(st["key_storage"], ("tpm", "software", "file"))
        idle_pipe = self._idle_reporter_round(agent)

        # kill -9, restart: same identity, numbering continues, nothing lost.
        agent.kill9()
        rc, st = agent.status()
        self.assertEqual(rc, 3)
        self.assertFalse(st["running"])
        before = st["last_seq"]
        agent.start()
        wait_until(lambda: (lambda s: s.get("acked_through", 0) >= before + 2 and
                            s.get("acked_through") == s.get("last_seq"))(agent.status()[1]),
                   60, what="heartbeats after the restart acknowledged")
        rc, st = agent.status()
        self.assertEqual(st["device_id"], device_id, "identity kept across kill -9")
        self.assertEqual(st["gaps"], 0)
        acked = st["acked_through"]
        agent.kill9()

        report = server.usage("acme", current_month())
        row = device_row(report, device_id)
        self.assertTrue(row["active"], "a server-role device is active by signal")
        self.assertGreaterEqual(row["heartbeats"], acked, "every acknowledged heartbeat counted")
        self.assertEqual(report["summary"]["billable_units"], 1)

        self._service_round(agent, server, device_id, idle_pipe)

    def _idle_reporter_round(self, agent):
        found = {}

        def serving():
            m = re.search(r"serving per-session idle reports on (\S+)", agent.logs())
            if m:
                found["pipe"] = m.group(1)
            return bool(m)
        wait_until(serving, 30, what="the running agent serves the idle pipe")
        self.assertRegex(found["pipe"], r"^\\\\\.\\pipe\\tally-agent-idle-[0-9a-f]{16}$")
        out = self.prefix.wine(EXE, "__session-reporter", "--pipe", found["pipe"], "--once")
        sent = re.search(r"sent: tally-idle 1 session=(\d+) idle_ms=(\d+)", out.stdout)
        self.assertTrue(sent, out.stdout + out.stderr)
        line = f"session {sent.group(1)} reports {sent.group(2)} ms since the last input"
        wait_until(lambda: line in agent.logs(), 30, what="the agent accepted the idle report")
        self.assertNotIn("refused", agent.logs())

        bad = self.prefix.wine(EXE, "__session-reporter", "--once", check=False)
        self.assertEqual(bad.returncode, 64)
        self.assertIn("--pipe", bad.stderr)
        gone = self.prefix.wine(EXE, "__session-reporter", "--once", "--pipe",
                                "\\\\.\\pipe\\tally-agent-idle-nobody", check=False)
        self.assertEqual(gone.returncode, 1)
        self.assertIn("tally-agent-idle-nobody", gone.stderr)
        return found["pipe"]

    def _service_round(self, agent, server, device_id, idle_pipe):
        out = agent.cli("service", "install")
        self.assertIn("installed", out.stdout)
        image = self.prefix.wine("reg", "query",
                                 "HKLM\\System\\CurrentControlSet\\Services\\TallyAgent",
                                 "/v", "ImagePath").stdout
        self.assertIn("run --service", image)
        self.prefix.wine("net", "start", "TallyAgent")
        _, st = agent.status()
        start_seq = st["last_seq"]
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= start_seq + 2, 60,
                   what="heartbeats from the service acknowledged")
        rc, st = agent.status()
        self.assertEqual(rc, 0, st)
        self.assertTrue(st["running"])
        self.assertEqual(st["device_id"], device_id)
        # The service serves the idle pipe too (the report is read: the reporter waits for
        # that). Wine lists no WTS sessions, so the service itself starts no reporter here.
        sent = self.prefix.wine(EXE, "__session-reporter", "--pipe", idle_pipe, "--once")
        self.assertIn("sent: tally-idle 1 session=", sent.stdout)

        self.prefix.wine("net", "stop", "TallyAgent")
        # wine's `net stop` returns once the stop is sent, not when the service has stopped
        # (Windows' waits): the agent closes its heartbeat and uploads it first.
        wait_until(lambda: agent.status()[0] == 3, 30, what="the service stopped")
        rc, st = agent.status()
        self.assertEqual(rc, 3, st)
        self.assertFalse(st["running"])
        # Stop closed the partial heartbeat and uploaded it within the SCM's wait hint.
        self.assertEqual(st["acked_through"], st["last_seq"], st)
        report = server.usage("acme", current_month())
        self.assertGreaterEqual(device_row(report, device_id)["heartbeats"], st["acked_through"])

        self._stop_while_the_server_stalls(agent, server)

        out = agent.cli("service", "uninstall")
        self.assertIn("uninstalled", out.stdout)
        query = self.prefix.wine("sc", "query", "TallyAgent", check=False)
        self.assertNotIn("RUNNING", query.stdout)
        again = agent.cli("service", "uninstall")  # idempotent for the MSI
        self.assertEqual(again.returncode, 0)

    def _stop_while_the_server_stalls(self, agent, server):
        """A stop while the server stalls: the final upload is abandoned (what it carried
        stays queued) and the service still reports SERVICE_STOPPED before the process ends,
        so an installer waiting for the stop (the MSI's WaitAgentStopped) goes on. It used
        to end without that report and stay "stop pending" to the SCM."""
        self.prefix.wine("net", "start", "TallyAgent")
        wait_until(lambda: agent.status()[1].get("running"), 60, what="the service runs again")
        server.proc.send_signal(signal.SIGSTOP)
        try:
            self.prefix.wine("net", "stop", "TallyAgent", check=False)

            def state():
                return self.prefix.wine("sc", "query", "TallyAgent", check=False).stdout
            wait_until(lambda: "STOPPED" in state(), 60, what="the service reports STOPPED")
        finally:
            server.proc.send_signal(signal.SIGCONT)
        self.assertRegex(state(), r"WIN32_EXIT_CODE\s*:\s*0\b")
        # SERVICE_STOPPED comes just before the process ends (its pipe may answer a moment).
        wait_until(lambda: agent.status()[0] == 3, 30, what="the agent process ended")
        rc, st = agent.status()
        self.assertEqual(rc, 3, st)
        self.assertGreater(st["last_seq"], st["acked_through"], "the batch stays queued")


if __name__ == "__main__":
    unittest.main(verbosity=2)
