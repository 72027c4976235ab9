"""tally-server .deb: system user, data and config directories with their owners and modes,
the unit, the server running as its unit runs it, removal keeping data, purge deleting it."""

import os
import pwd
import signal
import subprocess
import tempfile
import unittest

from pkg_common import RootPackageTest, build_package, dpkg_status, mode_owner, run, VERSION
from tally_harness import wait_until

DATA = "/var/lib/tally-server"
ETC = "/etc/tally-server"


class ServerDebTest(RootPackageTest):
    package = "tally-server"
    system_paths = (DATA, ETC)

    def setUp(self):
        try:
            pwd.getpwnam("tally-server")
            self.fail("a tally-server user exists already; this test creates and deletes it")
        except KeyError:
            pass
        self.tmp = tempfile.mkdtemp(prefix="tally-pkg-server-")
        self.addCleanup(run, ["rm", "-rf", self.tmp])
        self.addCleanup(self.purge)
        debs = build_package("DEB", self.tmp)
        self.deb = [d for d in debs if os.path.basename(d).startswith("tally-server_")][0]
        self.assertEqual(os.path.basename(self.deb), f"tally-server_{VERSION}_amd64.deb")

    def test_install_run_remove_purge(self):
        proc = self.dpkg("-i", self.deb)
        if not os.path.isdir("/run/systemd/system"):
            self.assertIn("systemd is not running here", proc.stdout)
        user = pwd.getpwnam("tally-server")
        self.assertLess(user.pw_uid, 1000, "a system user")
        self.assertIn(user.pw_shell, ("/usr/sbin/nologin", "/bin/false"))
        self.assertEqual(mode_owner("/usr/bin/tally-server"), ("0o755", "root", "root"))
        self.assertEqual(mode_owner(DATA), ("0o750", "tally-server", "tally-server"))
        self.assertEqual(mode_owner(f"{ETC}/server.env"), ("0o644", "root", "root"))
        unit = "/usr/lib/systemd/system/tally-server.service"
        verify = run(["systemd-analyze", "verify", unit], check=False)
        self.assertEqual((verify.returncode, verify.stdout + verify.stderr), (0, ""))
        conffiles = run(["dpkg-query", "-W", "-f=${Conffiles}", "tally-server"]).stdout
        self.assertIn(f"{ETC}/server.env", conffiles)

        # The service's command line, as its user (no systemd here), on a loopback port.
        addr = os.path.join(DATA, "listen.addr")
        proc = subprocess.Popen(["runuser", "-u", "tally-server", "--", "/usr/bin/tally-server",
                                 "serve", "--data-dir", DATA, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: proc.poll() is None and os.path.exists(addr), 60,
                       what="the packaged server listening")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        self.assertEqual(mode_owner(os.path.join(DATA, "tls"))[1], "tally-server")

        self.dpkg("-r", "tally-server")
        self.assertFalse(os.path.exists("/usr/bin/tally-server"))
        self.assertTrue(os.path.isdir(os.path.join(DATA, "tls")), "data kept until purge")
        self.dpkg("--purge", "tally-server")
        self.assertFalse(os.path.exists(DATA))
        self.assertFalse(os.path.exists(ETC))
        self.assertEqual(dpkg_status("tally-server"), "")
        with self.assertRaises(KeyError):
            pwd.getpwnam("tally-server")


if __name__ == "__main__":
    unittest.main(verbosity=2)
