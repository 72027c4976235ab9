"""The MSI: built by installer/windows/build-msi (wixl), its tables read with msiinfo, then
installed silently under wine: properties reach `tally-agent pair`, the service is registered
and running, a newer MSI upgrades without pairing again or retiring, uninstall retires, a
refused pairing ends in 1603 with the reason in the log.

The agent in the MSI is the real Windows agent when CMake is asked to
(-DTALLY_MSI_WITH_WINDOWS_AGENT=ON with TALLY_WINDOWS_AGENT_EXE), paired against a real tally-server on loopback (as
https://localhost:PORT: wine's certificate name check ignores IP-address SANs); otherwise a
stand-in (msi_stand_in.c) that records how the MSI calls it, so the MSI's own logic is tested
either way. wine's msi does not quote the service's ImagePath, so a path with
a space ("C:\\Program Files\\Tally") cannot start under wine: the test installs to C:\\Tally
(INSTALLDIR), and wine logs properties listed in MsiHiddenProperties anyway, so hiding the
code from the log is checked in the tables, not in wine's log."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

from pkg_common import SOURCE_DIR, VERSION, run
from protocol_client import Device
from tally_harness import Server

BUILD_MSI = os.path.join(SOURCE_DIR, "installer", "windows", "build-msi")
# scripts/test cross-builds the agent and passes it (CMake TALLY_WINDOWS_AGENT_EXE).
REAL_EXE = os.environ.get("TALLY_WINDOWS_AGENT", "")
# MSI ProductVersion has three fields that matter; the newer build bumps the third.
_major, _minor, _patch = (VERSION.split(".") + ["0", "0"])[:3]
NEWER = f"{_major}.{_minor}.{int(_patch) + 1}"


def table(msi, name):
    """Rows of an MSI table as dicts (msiinfo export: header, types, key line, rows)."""
    lines = run(["msiinfo", "export", msi, name]).stdout.splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[3:]]


class MsiBuild:
    def __init__(self, tmp):
        self.tmp = tmp
        self.real = bool(REAL_EXE)
        exe = REAL_EXE
        if not self.real:
            exe = os.path.join(tmp, "stand-in", "tally-agent.exe")
            os.makedirs(os.path.dirname(exe))
            run(["x86_64-w64-mingw32-gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", exe,
                 os.path.join(os.path.dirname(__file__), "msi_stand_in.c")])
        out = os.path.join(tmp, "dist")
        run([BUILD_MSI, "--exe", exe, "--version", VERSION, "-o", out])
        run([BUILD_MSI, "--exe", exe, "--version", NEWER, "-o", out])
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
        self.assertIn("NOT UPGRADINGPRODUCTCODE", seq["RetireDevice"]["Condition"])
        self.assertIn('REMOVE~="ALL"', seq["RetireDevice"]["Condition"])
        self.assertIn("NOT WIX_UPGRADE_DETECTED", seq["PairDevice"]["Condition"])
        upgrade = table(self.build.msi, "Upgrade")
        self.assertEqual(sorted(r["ActionProperty"] for r in upgrade),
                         ["NEWER_VERSION_DETECTED", "WIX_UPGRADE_DETECTED"])


class Wine:
    """A private wine prefix (fresh, ~20 s to create); stopped with `wineserver -k`, which
    ends only this prefix's processes."""

    def __init__(self, tmp, keep_alive=False):
        self.prefix = os.path.join(tmp, "wineprefix")
        self.env = {**os.environ, "WINEPREFIX": self.prefix, "WINEDEBUG": "-all",
                    "WINEDLLOVERRIDES": "mscoree,mshtml="}
        run(["wineboot", "-i"], env=self.env, timeout=300)
        self.keeper = None
        if keep_alive:
            # wine's services.exe (and a real agent's service) ends with the prefix's last
            # ordinary process: an idle `wine cmd` keeps the prefix up while it uploads.
            self.keeper = subprocess.Popen(["wine", "cmd"], env=self.env,
                                           stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)

    def msiexec(self, *args, log):
        """Runs msiexec /qn with a verbose log; returns (exit code, log text). The exit code
        comes through cmd's ERRORLEVEL: wine hands only its low 8 bits to Unix (1603 -> 67)."""
        bat = os.path.join(os.path.dirname(self.prefix), "msiexec.bat")
        with open(bat, "w", newline="\r\n") as f:
            f.write("@echo off\nmsiexec %*\necho TALLY_EXIT=%ERRORLEVEL%\n")
        proc = subprocess.run(["wine", "cmd", "/c", self.path(bat), *args, "/qn", "/l*v",
                               self.path(log)], env=self.env, capture_output=True, text=True,
                              timeout=600)
        codes = [ln for ln in proc.stdout.splitlines() if ln.startswith("TALLY_EXIT=")]
        if not codes:
            raise AssertionError(f"msiexec gave no exit code: {proc.stdout} {proc.stderr}")
        with open(log, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-16") if raw[:2] == b"\xff\xfe" else raw.decode("latin-1")
        return int(codes[-1].split("=", 1)[1]), text

    def sc_query(self, name):
        return run(["wine", "sc", "query", name], env=self.env, check=False).stdout

    def c_drive(self, *parts):
        return os.path.join(self.prefix, "drive_c", *parts)

    @staticmethod
    def path(unix_path):
        return "Z:" + unix_path.replace("/", "\\")

    def stop(self):
        if self.keeper and self.keeper.poll() is None:
            self.keeper.kill()
            self.keeper.wait(timeout=60)
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True, timeout=60)


class MsiWineTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tally-msi-wine-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.build = MsiBuild(self.tmp)
        self.wine = Wine(self.tmp, keep_alive=self.build.real)
        self.addCleanup(self.wine.stop)
        self.props = ["INSTALLDIR=C:\\Tally\\"]
        if self.build.real:
            self.server = Server(self.tmp).start()
            self.addCleanup(self.server.stop)
            self.server.tenant("acme")
            port = self.server.addr.rsplit(":", 1)[1]
            self.props += [f"SERVER_URL=https://localhost:{port}",
                           f"CA_FILE={Wine.path(self.server.ca_file)}"]
        else:
            self.props += ["SERVER_URL=https://tally.example:8443"]

    def log(self, name):
        return os.path.join(self.tmp, name)

    def calls(self):
        try:
            with open(self.wine.c_drive("ProgramData", "TallyStandIn", "calls.txt")) as f:
                return [line.strip() for line in f]
        except FileNotFoundError:
            return []

    def code(self):
        return self.server.pairing_code("acme") if self.build.real else "TLY-STAND-IN-CODE"

    def devices(self):
        out = self.server.cli("device", "list", "--tenant", "acme").stdout.splitlines()
        head = out[0].split("\t")
        return [dict(zip(head, line.split("\t"))) for line in out[1:]]

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

    def assert_paired(self, code, log):
        self.assertIn("Tally: paired: device", log)
        if self.build.real:
            (dev,) = self.devices()
            self.assertEqual((dev["role"], dev["device_type"], dev["status"]),
                             ("kiosk", "personal", "active"))
            return
        (pair, *_) = [c for c in self.calls() if c.startswith("pair ")]
        self.assertIn(f"--code {code} ", pair)
        self.assertIn("--config C:\\ProgramData\\Tally\\agent.json ", pair)
        self.assertIn("--device-type personal ", pair)
        self.assertIn("--wait 300 ", pair)
        self.assertNotIn("--ca-file", pair, "an empty property drops its option")
        self.assertTrue(pair.endswith("| role=kiosk proxy="), pair)

    def assert_retired(self, log):
        self.assertIn("Tally: retired: device", log)
        if self.build.real:
            (dev,) = self.devices()
            self.assertEqual(dev["status"], "retired")
        else:
            self.assertEqual(self.calls()[-1].split(" ")[0], "retire")

    def test_install_and_uninstall(self):
        code = self.code()
        rc, log = self.install(self.build.msi, f"PAIRING_CODE={code}", "ROLE=kiosk",
                               "DEVICE_TYPE=personal", log="install.log")
        self.assertEqual(rc, 0, log[-3000:])
        self.assert_running()
        self.assert_paired(code, log)
        self.assertTrue(os.path.exists(self.wine.c_drive("Tally", "tally-agent.exe")))

        rc, log = self.uninstall(self.build.msi, "uninstall.log")
        self.assertEqual(rc, 0, log[-3000:])
        self.assert_retired(log)
        self.assertNotIn("TallyAgent", self.wine.sc_query("TallyAgent"), "service deleted")
        self.assertFalse(os.path.exists(self.wine.c_drive("Tally", "tally-agent.exe")))

    def test_upgrade_keeps_identity_and_does_not_retire(self):
        code = self.code()
        rc, log = self.install(self.build.msi, f"PAIRING_CODE={code}", "ROLE=kiosk",
                               "DEVICE_TYPE=personal", log="install.log")
        self.assertEqual(rc, 0, log[-3000:])
        # Upgraded once running, as an RMM tool does. One run in about ten under load ended the
        # upgrade with 1603 right after the install; a service still starting when the old
        # version is stopped is the suspect (not proven), so the test waits for RUNNING.
        self.assert_running()
        before = len(self.calls())
        # A newer MSI run the way an RMM tool runs it again, properties and all.
        rc, log = self.install(self.build.newer, f"PAIRING_CODE={code}", log="upgrade.log")
        self.assertEqual(rc, 0, log[-20000:])
        self.assertIn("RemoveExistingProducts", log)
        self.assert_running()
        self.assertNotIn("Tally: paired", log)
        self.assertNotIn("Tally: retired", log)
        if self.build.real:
            (dev,) = self.devices()
            self.assertEqual(dev["status"], "active")
        else:
            new = [c for c in self.calls()[before:] if not c.startswith("service")]
            self.assertEqual(new, [], "neither pair nor retire during an upgrade")
        # Its uninstall retires. (wine keeps the old version's component registered after
        # the upgrade, so file removal is checked by test_install_and_uninstall only.)
        rc, log = self.uninstall(self.build.newer, "uninstall.log")
        self.assertEqual(rc, 0, log[-3000:])
        self.assert_retired(log)

    def test_refused_pairing_is_1603_with_the_reason(self):
        if self.build.real:
            code = self.server.pairing_code("acme", uses=1)
            Device(self.server.url, self.server.ca_file).pair(code)  # spend its only use
        else:
            code = "TLY-REFUSED"
        rc, log = self.install(self.build.msi, f"PAIRING_CODE={code}", log="refused.log")
        self.assertEqual(rc, 1603, log[-3000:])
        self.assertRegex(log, r"Tally: tally-agent pair failed \(exit 1\): .*code_exhausted")
        self.assertFalse(os.path.exists(self.wine.c_drive("Tally", "tally-agent.exe")),
                         "rolled back")
        self.assertNotIn("TallyAgent", self.wine.sc_query("TallyAgent"), "no service left")

        # The same with PAIRING_OPTIONAL=1 installs (unpaired) and says why.
        rc, log = self.install(self.build.msi, f"PAIRING_CODE={code}", "PAIRING_OPTIONAL=1",
                               log="optional.log")
        self.assertEqual(rc, 0, log[-3000:])
        self.assertIn("continuing: the failure was marked optional", log)
        self.assert_running()


if __name__ == "__main__":
    unittest.main(verbosity=2)
