"""tally-agent .deb as an RMM tool installs it: install.env against a real server on
loopback, files/owners/modes/config/pairing, an upgrade that keeps identity and spool,
removal that retires the device, purge that deletes state, and a refused pairing that fails
the install (or not, with PAIRING_OPTIONAL=1)."""

import hashlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import unittest

from pkg_common import RootPackageTest, build_package, dpkg_status, mode_owner, run, VERSION
from protocol_client import Device
from tally_harness import Server, wait_until

AGENT = "/usr/bin/tally-agent"
ETC = "/etc/tally"
STATE = "/var/lib/tally"
NEWER = VERSION + ".1"


def spool_snapshot():
    """Every file of the spool (name -> SHA-256), identity excluded."""
    out = {}
    for dirpath, _, files in os.walk(STATE):
        for f in files:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, STATE)
            if "spool" in rel or rel.startswith("seg") or "acked" in rel:
                with open(p, "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read()).hexdigest()
    return out


class AgentDebTest(RootPackageTest):
    package = "tally-agent"
    system_paths = (ETC, STATE)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tally-pkg-agent-")
        self.addCleanup(run, ["rm", "-rf", self.tmp])
        self.addCleanup(self.purge)
        debs = build_package("DEB", self.tmp)
        self.deb = [d for d in debs if os.path.basename(d).startswith("tally-agent_")][0]
        self.assertEqual(os.path.basename(self.deb), f"tally-agent_{VERSION}_amd64.deb")
        newer = build_package("DEB", self.tmp, NEWER)
        self.newer = [d for d in newer if os.path.basename(d).startswith("tally-agent_")][0]
        self.server = Server(self.tmp).start()
        self.addCleanup(self.server.stop)
        self.server.tenant("acme")

    def write_install_env(self, **values):
        os.makedirs(ETC, exist_ok=True)
        path = os.path.join(ETC, "install.env")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("# written by the RMM tool\n")
            for k, v in values.items():
                f.write(f'{k}="{v}"\n')

    def devices(self):
        out = self.server.cli("device", "list", "--tenant", "acme").stdout.splitlines()
        head = out[0].split("\t")
        return [dict(zip(head, line.split("\t"))) for line in out[1:]]

    def run_agent_briefly(self, until, **env):
        """Runs the installed agent as its unit would (no systemd here) until `until()`."""
        e = {**os.environ, **{f"TALLY_{k.upper()}": str(v) for k, v in env.items()}}
        log = open(os.path.join(self.tmp, "agent.log"), "a")
        proc = subprocess.Popen([AGENT, "run", "--config", f"{ETC}/agent.json",
                                 "--state-dir", STATE], stdout=log, stderr=subprocess.STDOUT,
                                env=e)
        try:
            wait_until(lambda: proc.poll() is None and until(), 60, what="agent progress")
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=30), 0)
            log.close()

    def test_install_upgrade_remove_purge(self):
        code = self.server.pairing_code("acme", uses=5)
        self.write_install_env(SERVER_URL=self.server.url, PAIRING_CODE=code,
                               CA_FILE=self.server.ca_file, DEVICE_TYPE="personal",
                               ROLE="kiosk")
        proc = self.dpkg("-i", self.deb)
        out = proc.stdout + proc.stderr
        self.assertNotIn(code, out, "the pairing code must never be printed")
        self.assertIn("paired: device", out)
        if not os.path.isdir("/run/systemd/system"):
            self.assertIn("systemd is not running here", out)
        self.assertTrue(dpkg_status("tally-agent").startswith("install ok installed"))

        # Files, owners, modes.
        self.assertEqual(mode_owner(AGENT), ("0o755", "root", "root"))
        self.assertEqual(mode_owner("/usr/libexec/tally/package-hook"),
                         ("0o755", "root", "root"))
        if os.path.exists(os.path.join(os.path.dirname(os.environ["TALLY_AGENT"]),
                                       "tally-agent-helper")):
            self.assertEqual(mode_owner("/usr/libexec/tally/tally-agent-helper"),
                             ("0o755", "root", "root"))
        unit = "/usr/lib/systemd/system/tally-agent.service"
        self.assertEqual(mode_owner(unit), ("0o644", "root", "root"))
        self.assertTrue(os.path.islink(
            "/etc/systemd/system/multi-user.target.wants/tally-agent.service"))
        verify = run(["systemd-analyze", "verify", unit], check=False)
        self.assertEqual((verify.returncode, verify.stdout + verify.stderr), (0, ""))
        self.assertEqual(mode_owner(STATE), ("0o700", "root", "root"))
        self.assertEqual(mode_owner(f"{ETC}/agent.json"), ("0o600", "root", "root"))
        self.assertEqual(mode_owner(f"{ETC}/server-ca.pem"), ("0o644", "root", "root"))
        for f in ("identity.json", "device.key"):
            self.assertEqual(mode_owner(os.path.join(STATE, f)), ("0o600", "root", "root"))

        # Config from install.env, the CA copied under /etc/tally.
        with open(f"{ETC}/agent.json") as f:
            cfg = json.load(f)
        self.assertEqual(cfg["server_url"], self.server.url)
        self.assertEqual(cfg["ca_file"], f"{ETC}/server-ca.pem")
        self.assertEqual(cfg["role"], "kiosk")
        self.assertEqual(cfg["device_type"], "personal")

        # Paired: the server knows it with the given type and role.
        devs = self.devices()
        self.assertEqual(len(devs), 1, devs)
        self.assertEqual((devs[0]["device_type"], devs[0]["role"], devs[0]["status"]),
                         ("personal", "kiosk", "active"))
        with open(os.path.join(STATE, "identity.json")) as f:
            device_id = json.load(f)["device_id"]
        self.assertEqual(devs[0]["device_id"], device_id)

        # Heartbeats wait in the spool while the server is down (an agent uploads at start
        # and at shutdown, so only an unreachable server leaves them there).
        port = self.server.addr.rsplit(":", 1)[1]
        self.server.stop()
        self.run_agent_briefly(lambda: self._status().get("queued", 0) >= 2,
                               heartbeat_interval_s=1, sample_interval_s=1)
        before = spool_snapshot()
        self.assertTrue(any(k.startswith("spool/seg-") for k in before), before)

        # A newer build over it keeps identity, spool and config; it does not pair again.
        proc = self.dpkg("-i", self.newer)
        self.assertIn("already paired", proc.stdout)
        self.assertTrue(dpkg_status("tally-agent").endswith(NEWER))
        with open(os.path.join(STATE, "identity.json")) as f:
            self.assertEqual(json.load(f)["device_id"], device_id)
        self.assertEqual(spool_snapshot(), before)
        with open(f"{ETC}/agent.json") as f:
            self.assertEqual(json.load(f), cfg)
        self.assertEqual(len(self.devices()), 1)

        # The upgraded agent uploads what the spool held, under the same identity, once the
        # server is back.
        self.server.start(listen=f"127.0.0.1:{port}")
        self.run_agent_briefly(lambda: self._server_seq() >= 2, heartbeat_interval_s=1,
                               sample_interval_s=1, upload_interval_s=1)

        # Removal retires the device on the server; the state stays until purge.
        proc = self.dpkg("-r", "tally-agent")
        self.assertIn("retired", proc.stdout)
        self.assertEqual(self.devices()[0]["status"], "retired")
        self.assertFalse(os.path.exists(AGENT))
        self.assertTrue(os.path.exists(os.path.join(STATE, "identity.json")))
        self.dpkg("--purge", "tally-agent")
        self.assertFalse(os.path.exists(STATE))
        self.assertFalse(os.path.exists(ETC))
        self.assertEqual(dpkg_status("tally-agent"), "")

    def _status(self):
        st = run([AGENT, "status", "--json", "--config", f"{ETC}/agent.json",
                  "--state-dir", STATE], check=False)
        try:
            return json.loads(st.stdout)
        except json.JSONDecodeError:
            return {}

    def _server_seq(self):
        devs = self.devices()
        return int(devs[0]["last_seq"]) if devs and devs[0]["last_seq"].isdigit() else 0

    def test_refused_pairing_fails_the_install(self):
        # A code whose only use is spent (by a Python client): a definitive refusal.
        bad = self.server.pairing_code("acme", uses=1)
        status, _ = Device(self.server.url, self.server.ca_file).pair(bad)
        self.assertEqual(status, 200)
        self.write_install_env(SERVER_URL=self.server.url, PAIRING_CODE=bad,
                               CA_FILE=self.server.ca_file)
        proc = self.dpkg("-i", self.deb, check=False)
        out = proc.stdout + proc.stderr
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertIn("pairing failed", out)
        self.assertNotIn(bad, out)
        self.assertFalse(os.path.exists(os.path.join(STATE, "identity.json")))
        self.assertEqual(len(self.devices()), 1)
        self.dpkg("--purge", "tally-agent")

        # The same with PAIRING_OPTIONAL=1 installs, unpaired (status exit 2).
        self.write_install_env(SERVER_URL=self.server.url, PAIRING_CODE=bad,
                               CA_FILE=self.server.ca_file, PAIRING_OPTIONAL="1")
        proc = self.dpkg("-i", self.deb)
        self.assertIn("installed unpaired because PAIRING_OPTIONAL=1", proc.stdout)
        st = run([AGENT, "status", "--config", f"{ETC}/agent.json", "--state-dir", STATE],
                 check=False)
        self.assertEqual(st.returncode, 2, st.stdout + st.stderr)
        # Nothing to retire: removal succeeds.
        self.dpkg("--purge", "tally-agent")

    def test_waits_out_a_server_that_is_not_up_yet(self):
        # The server is down while dpkg runs (RMM rollout during a server restart); it comes
        # back on the same address and the install pairs instead of failing.
        code = self.server.pairing_code("acme")
        url, port = self.server.url, self.server.addr.rsplit(":", 1)[1]
        self.server.stop()
        self.write_install_env(SERVER_URL=url, PAIRING_CODE=code,
                               CA_FILE=self.server.ca_file, PAIR_WAIT_S="120")
        dpkg = subprocess.Popen(["dpkg", "-i", self.deb], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(dpkg.stdout), daemon=True)
        reader.start()
        try:
            # Once the agent has found the server unreachable and is waiting to try again,
            # the server comes back.
            wait_until(lambda: any("pairing not done yet" in ln for ln in lines)
                       or dpkg.poll() is not None, 120, what="a failed first attempt")
            self.assertIsNone(dpkg.poll(), "".join(lines))
            self.server.start(listen=f"127.0.0.1:{port}")
            dpkg.wait(timeout=300)
        finally:
            if dpkg.poll() is None:
                dpkg.kill()
                dpkg.wait()
        reader.join(timeout=30)
        dpkg.stdout.close()
        out = "".join(lines)
        self.assertEqual(dpkg.returncode, 0, out)
        self.assertIn("paired: device", out)
        self.assertEqual(len(self.devices()), 1)
        self.dpkg("--purge", "tally-agent")

    def test_bad_setting_is_named(self):
        self.write_install_env(SERVER_URL="http://plain.example", PAIRING_CODE="x")
        proc = self.dpkg("-i", self.deb, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("SERVER_URL must be an https:// URL", proc.stderr)
        self.dpkg("--purge", "tally-agent")


if __name__ == "__main__":
    unittest.main(verbosity=2)
