"""The MSI: built by installer/windows/build-msi (wixl) around the real Windows agent
(scripts/build-windows; CMake TALLY_WINDOWS_AGENT_EXE, which scripts/test sets), its tables
read with msiinfo, then installed silently under wine against a real tally-server on loopback
(as https://localhost:PORT: wine's certificate name check ignores IP-address SANs): the
service is registered and running, the device paired with the given properties, a newer MSI
upgrades keeping the identity without pairing again or retiring, uninstall retires, a refused
pairing ends in 1603 with the reason in the log, and the code never reaches the log except
in wine's own property dump.

wine's limits (Windows has none of them): its msi does not quote the service's ImagePath, so
a path with a space ("C:\\Program Files\\Tally") cannot start: the test installs to C:\\Tally
(INSTALLDIR); it logs every property at the end of the log, MsiHiddenProperties or not, so the
hiding itself is checked in the tables; its crypt32 rejects some ECDSA signatures
(wine_verifies)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest


from pkg_common import SOURCE_DIR, VERSION, run
from protocol_client import Device
from tally_harness import Server
from wine_tls import start_for_wine

BUILD_MSI = os.path.join(SOURCE_DIR, "installer", "windows", "build-msi")
# scripts/build-windows makes it; CMake passes it (TALLY_WINDOWS_AGENT_EXE).
AGENT_EXE = os.environ.get("TALLY_WINDOWS_AGENT", "")
# MSI ProductVersion has three fields that matter; the newer build bumps the third.
_major, _minor, _patch = (VERSION.split(".") + ["0", "0"])[:3]
NEWER = f"{_major}.{_minor}.{int(_patch) + 1}"


def start_server_wine_accepts(tmp):
    """A tally-server whose generated certificates wine can verify (wine_tls.py)."""
    return start_for_wine(Server(tmp))


def table(msi, name):
    """Rows of an MSI table as dicts (msiinfo export: header, types, key line, rows)."""
    lines = run(["msiinfo", "export", msi, name]).stdout.splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[3:]]


def ca_type(msi, action):
    (row,) = [r for r in table(msi, "CustomAction") if r["Action"] == action]
    return row["Type"]


class MsiBuild:
    def __init__(self, tmp):
        if not AGENT_EXE:
            raise unittest.SkipTest("no Windows agent: configure with -DTALLY_WINDOWS_AGENT_EXE="
                                    "build-windows/bin/tally-agent.exe (scripts/test does)")
        if not os.path.isfile(AGENT_EXE):
            raise AssertionError(f"{AGENT_EXE} is missing: run scripts/build-windows first")
        out = os.path.join(tmp, "dist")
        run([BUILD_MSI, "--exe", AGENT_EXE, "--version", VERSION, "-o", out])
        run([BUILD_MSI, "--exe", AGENT_EXE, "--version", NEWER, "-o", out])
        self.msi = os.path.join(out, f"tally-agent-{VERSION}-x64.msi")
        self.newer = os.path.join(out, f"tally-agent-{NEWER}-x64.msi")


class MsiTablesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tally-msi-")
        cls.build = MsiBuild(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_name_and_summary(self):
        self.assertTrue(os.path.exists(self.build.msi))
        suminfo = run(["msiinfo", "suminfo", self.build.msi]).stdout
        self.assertIn("x64;1033", suminfo)

    def test_service(self):
        (svc,) = table(self.build.msi, "ServiceInstall")
        self.assertEqual((svc["Name"], svc["StartType"], svc["ServiceType"], svc["StartName"],
                          svc["Arguments"]), ("TallyAgent", "2", "16", "LocalSystem",
                                              "run --service"))
        (ctl,) = table(self.build.msi, "ServiceControl")
        # start on install, stop on install and uninstall, delete on uninstall
        self.assertEqual(int(ctl["Event"]), 0x01 | 0x02 | 0x20 | 0x80)
        self.assertEqual(ctl["Wait"], "1")

    def test_properties(self):
        props = {r["Property"]: r["Value"] for r in table(self.build.msi, "Property")}
        self.assertEqual(props["ALLUSERS"], "1")
        self.assertEqual(props["ProductVersion"], VERSION)
        secure = props["SecureCustomProperties"].split(";")
        for p in ("SERVER_URL", "PAIRING_CODE", "DEVICE_TYPE", "ROLE", "PROXY", "CA_FILE",
                  "WIX_UPGRADE_DETECTED"):
            self.assertIn(p, secure)
        hidden = props["MsiHiddenProperties"].split(";")
        for p in ("PAIRING_CODE", "PROXY", "PairDevice"):
            self.assertIn(p, hidden)

    def test_custom_actions(self):
        ca = {r["Action"]: r for r in table(self.build.msi, "CustomAction")}
        pair = int(ca["PairDevice"]["Type"])
        self.assertEqual(pair & 0x3F, 1, "a DLL entry point")
        self.assertTrue(pair & 0x400 and pair & 0x800, "deferred, not impersonated")
        self.assertTrue(pair & 0x2000, "HideTarget: its data is never logged")
        self.assertTrue(int(ca["SetPairDevice"]["Type"]) & 0x2000)
        self.assertIn("|--code|[PAIRING_CODE]|", ca["SetPairDevice"]["Target"])
        self.assertIn("env:TALLY_ROLE=[ROLE]", ca["SetPairDevice"]["Target"])
        retire = int(ca["RetireDevice"]["Type"])
        self.assertTrue(retire & 0x400 and retire & 0x800)

    def test_sequence(self):
        seq = {r["Action"]: r for r in table(self.build.msi, "InstallExecuteSequence")}
        n = {a: int(r["Sequence"]) for a, r in seq.items()}
        self.assertTrue(n["InstallInitialize"] < n["RemoveExistingProducts"]
                        < n["ProcessComponents"], "old version removed first")
        self.assertTrue(n["InstallFiles"] < n["PairDevice"] < n["StartServices"])
        self.assertTrue(n["StopServices"] < n["RetireDevice"] < n["RemoveFiles"])
        # The agent has stopped and exited before it is retired or its exe removed.
        self.assertTrue(n["StopServices"] < n["WaitAgentStopped"] < n["RetireDevice"])
        self.assertIn("REMOVE", seq["WaitAgentStopped"]["Condition"])
        wait = int(ca_type(self.build.msi, "WaitAgentStopped"))
        self.assertTrue(wait & 0x400 and wait & 0x800, "deferred, not impersonated")
        self.assertIn("NOT UPGRADINGPRODUCTCODE", seq["RetireDevice"]["Condition"])
        self.assertIn('REMOVE~="ALL"', seq["RetireDevice"]["Condition"])
        self.assertIn("NOT WIX_UPGRADE_DETECTED", seq["PairDevice"]["Condition"])
        # The old version's RetireDevice skips while the newer one's marker is set (engines
        # without UPGRADINGPRODUCTCODE, like wine's).
        self.assertTrue(n["NoteUpgrade"] < n["RemoveExistingProducts"] < n["EndUpgrade"])
        self.assertIn("WIX_UPGRADE_DETECTED", seq["NoteUpgrade"]["Condition"])
        upgrade = table(self.build.msi, "Upgrade")
        self.assertEqual(sorted(r["ActionProperty"] for r in upgrade),
                         ["NEWER_VERSION_DETECTED", "WIX_UPGRADE_DETECTED"])


class Wine:
    """A private wine prefix (fresh, ~20 s to create); stopped with `wineserver -k`, which
    ends only this prefix's processes."""

    def __init__(self, tmp):
        self.prefix = os.path.join(tmp, "wineprefix")
        self.env = {**os.environ, "WINEPREFIX": self.prefix, "WINEDEBUG": "-all",
                    "WINEDLLOVERRIDES": "mscoree,mshtml="}
        rc, out = self.wine_run(["wineboot", "-i"], timeout=300)
        if rc != 0 and "could not load kernel32.dll" in out:
            # Seen once on a loaded machine: a new prefix whose first start could not load
            # wine's own kernel32.dll (status c0000135), before any of our code runs. Said,
            # and the prefix made once more from scratch; any other failure fails the test.
            sys.stderr.write(f"note: wineboot -i failed ({rc}) in a new prefix; made again\n")
            self.wine_run(["wineserver", "-k"], timeout=60)
            shutil.rmtree(self.prefix, ignore_errors=True)
            rc, out = self.wine_run(["wineboot", "-i"], timeout=300)
        if rc != 0:
            raise AssertionError(f"wineboot -i exited {rc}: {out}")
        # wineboot returns before the prefix's first start is over (services still being
        # registered); an msiexec run meanwhile saw the service it had just created vanish
        # (StartServices: OpenService 1060, msiexec 1627). Waiting for this prefix's
        # wineserver to exit makes every test start from a settled prefix.
        self.wine_run(["wineserver", "-w"], timeout=300)
        # wine's services.exe (and the agent's service) ends with the prefix's last ordinary
        # process: an idle `wine cmd` keeps the prefix up while the service runs.
        self.keeper = subprocess.Popen(["wine", "cmd"], env=self.env, stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def msiexec(self, *args, log):
        """Runs msiexec /qn with a verbose log; returns (exit code, log text). The exit code
        comes through cmd's ERRORLEVEL: wine hands only its low 8 bits to Unix (1603 -> 67)."""
        bat = os.path.join(os.path.dirname(self.prefix), "msiexec.bat")
        with open(bat, "w", newline="\r\n") as f:
            f.write("@echo off\nmsiexec %*\necho TALLY_EXIT=%ERRORLEVEL%\n")
        rc, out = self.wine_run(["wine", "cmd", "/c", self.path(bat), *args, "/qn", "/l*v",
                                 self.path(log)], timeout=600)
        codes = [ln for ln in out.splitlines() if ln.startswith("TALLY_EXIT=")]
        if not codes:
            raise AssertionError(f"msiexec gave no exit code (wine exited {rc}): {out}")
        with open(log, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-16") if raw[:2] == b"\xff\xfe" else raw.decode("latin-1")
        return int(codes[-1].split("=", 1)[1]), text

    def wine_run(self, cmd, timeout=120):
        """Runs a wine command; returns (exit code, stdout and stderr). The output goes through
        a file, not a pipe: a wine process that brings the prefix up (wineserver, services.exe,
        explorer.exe /desktop) inherits its stdout and stderr and outlives it, so reading a
        pipe to its end would wait for the prefix to shut down."""
        with tempfile.TemporaryFile(mode="w+", dir=os.path.dirname(self.prefix)) as out:
            proc = subprocess.run(cmd, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout)
            out.seek(0)
            return proc.returncode, out.read()

    def sc_query(self, name):
        return self.wine_run(["wine", "sc", "query", name])[1]

    def c_drive(self, *parts):
        return os.path.join(self.prefix, "drive_c", *parts)

    @staticmethod
    def path(unix_path):
        return "Z:" + unix_path.replace("/", "\\")

    def stop(self):
        if self.keeper.poll() is None:
            self.keeper.kill()
            self.keeper.wait(timeout=60)
        self.keeper.stdin.close()
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True, timeout=60)


class MsiWineTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tally-msi-wine-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.build = MsiBuild(self.tmp)
        self.wine = Wine(self.tmp)
        self.addCleanup(self.wine.stop)
        self.server = start_server_wine_accepts(self.tmp)
        self.addCleanup(self.server.stop)
        self.server.tenant("acme")
        port = self.server.addr.rsplit(":", 1)[1]
        self.props = ["INSTALLDIR=C:\\Tally\\", f"SERVER_URL=https://localhost:{port}",
                      f"CA_FILE={Wine.path(self.server.ca_file)}"]

    def log(self, name):
        return os.path.join(self.tmp, name)

    def devices(self):
        out = self.server.cli("device", "list", "--tenant", "acme").stdout.splitlines()
        head = out[0].split("\t")
        return [dict(zip(head, line.split("\t"))) for line in out[1:]]

    def identity(self):
        path = self.wine.c_drive("ProgramData", "Tally", "state", "identity.json")
        with open(path) as f:
            return json.load(f)

    def assert_running(self, within_s=30):
        # The service reports RUNNING once it has started; on a loaded machine that can take
        # a moment after msiexec returns (wine's StartServices does not wait for it).
        deadline = time.monotonic() + within_s
        state = self.wine.sc_query("TallyAgent")
        while "RUNNING" not in state and time.monotonic() < deadline:
            time.sleep(0.5)
            state = self.wine.sc_query("TallyAgent")
        self.assertIn("RUNNING", state, state)

    def install(self, msi, *extra, log):
        return self.wine.msiexec("/i", Wine.path(msi), *self.props, *extra,
                                 log=self.log(log))

    def uninstall(self, msi, log):
        # wine (not Windows) forgets INSTALLDIR after the install: it is given again.
        return self.wine.msiexec("/x", Wine.path(msi), self.props[0], log=self.log(log))

    def assert_code_not_logged(self, code, log):
        """The code is in no line of the log but wine's dump of every property at its end
        (Windows honours MsiHiddenProperties there; the tables are checked above)."""
        leaks = [ln for ln in log.splitlines() if code in ln
                 and not ln.startswith(("Property(S): ", "Property(C): ", "Property(N): "))]
        self.assertEqual(leaks, [], "the pairing code in the MSI log")

    def install_paired(self):
        """Installs with a code, role and device type; checks the device is paired on the
        server as asked and the service runs; returns the device id."""
        code = self.server.pairing_code("acme")
        rc, log = self.install(self.build.msi, f"PAIRING_CODE={code}", "ROLE=kiosk",
                               "DEVICE_TYPE=personal", log="install.log")
        self.assertEqual(rc, 0, log[-3000:])
        self.assert_running()
        self.assertIn("Tally: paired: device", log)
        self.assert_code_not_logged(code, log)
        (dev,) = self.devices()
        self.assertEqual((dev["role"], dev["device_type"], dev["status"]),
                         ("kiosk", "personal", "active"))
        self.assertEqual(self.identity()["device_id"], dev["device_id"])
        return dev["device_id"], code

    def assert_retired(self, device_id, log):
        self.assertIn(f"Tally: retired: device {device_id}", log)
        (dev,) = self.devices()
        self.assertEqual((dev["device_id"], dev["status"]), (device_id, "retired"))

    def test_install_and_uninstall(self):
        device_id, _ = self.install_paired()
        self.assertTrue(os.path.exists(self.wine.c_drive("Tally", "tally-agent.exe")))

        rc, log = self.uninstall(self.build.msi, "uninstall.log")
        self.assertEqual(rc, 0, log[-3000:])
        # The service had stopped and exited before the device was retired and the exe removed.
        self.assertIn("Tally: the agent service has stopped", log)
        self.assertLess(log.index("Tally: the agent service has stopped"),
                        log.index("Tally: retired"))
        self.assert_retired(device_id, log)
        self.assertNotIn("TallyAgent", self.wine.sc_query("TallyAgent"), "service deleted")
        self.assertFalse(os.path.exists(self.wine.c_drive("Tally", "tally-agent.exe")))

    def test_upgrade_keeps_identity_and_does_not_retire(self):
        device_id, code = self.install_paired()
        key = self.wine.c_drive("ProgramData", "Tally", "state", "device.key")
        with open(key, "rb") as f:
            key_bytes = f.read()
        # A newer MSI run the way an RMM tool runs it again, properties and all, once the
        # service runs.
        rc, log = self.install(self.build.newer, f"PAIRING_CODE={code}", log="upgrade.log")
        self.assertEqual(rc, 0, log[-20000:])
        self.assertIn("RemoveExistingProducts", log)
        self.assert_running()
        self.assertNotIn("Tally: paired", log)
        self.assertNotIn("Tally: retired", log)
        self.assertEqual(self.identity()["device_id"], device_id)
        with open(key, "rb") as f:
            self.assertEqual(f.read(), key_bytes, "the device key survives the upgrade")
        (dev,) = self.devices()
        self.assertEqual((dev["device_id"], dev["status"]), (device_id, "active"))
        # Its uninstall retires. (wine keeps the old version's component registered after
        # the upgrade, so file removal is checked by test_install_and_uninstall only.)
        rc, log = self.uninstall(self.build.newer, "uninstall.log")
        self.assertEqual(rc, 0, log[-3000:])
        self.assert_retired(device_id, log)

    def test_upgrade_while_the_server_stalls(self):
        """The old agent's stop takes seconds when its final upload hangs (a stalled server):
        the upgrade waits for it (WaitAgentStopped) instead of racing it. Without the wait,
        wine's StopServices returned at once, the old service was still running when the new
        one was installed and started, and msiexec ended 1627."""
        device_id, code = self.install_paired()
        self.server.proc.send_signal(signal.SIGSTOP)
        try:
            rc, log = self.install(self.build.newer, f"PAIRING_CODE={code}", log="upgrade.log")
        finally:
            self.server.proc.send_signal(signal.SIGCONT)
        self.assertEqual(rc, 0, log[-20000:])
        self.assert_running()
        self.assertNotIn("Tally: retired", log)
        self.assertEqual(self.identity()["device_id"], device_id)
        (dev,) = self.devices()
        self.assertEqual((dev["device_id"], dev["status"]), (device_id, "active"))

    def test_refused_pairing_is_1603_with_the_reason(self):
        code = self.server.pairing_code("acme", uses=1)
        Device(self.server.url, self.server.ca_file).pair(code)  # spend its only use
        rc, log = self.install(self.build.msi, f"PAIRING_CODE={code}", log="refused.log")
        self.assertEqual(rc, 1603, log[-3000:])
        self.assertRegex(log, r"Tally: tally-agent pair failed \(exit 1\): .*code_exhausted")
        self.assert_code_not_logged(code, log)
        self.assertFalse(os.path.exists(self.wine.c_drive("Tally", "tally-agent.exe")),
                         "rolled back")
        self.assertNotIn("TallyAgent", self.wine.sc_query("TallyAgent"), "no service left")
        self.assertEqual(len(self.devices()), 1, "only the device that spent the code")

        # The same with PAIRING_OPTIONAL=1 installs (unpaired) and says why.
        rc, log = self.install(self.build.msi, f"PAIRING_CODE={code}", "PAIRING_OPTIONAL=1",
                               log="optional.log")
        self.assertEqual(rc, 0, log[-3000:])
        self.assertIn("continuing: the failure was marked optional", log)
        self.assert_running()


if __name__ == "__main__":
    unittest.main(verbosity=2)
