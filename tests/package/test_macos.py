"""The macOS pkg parts that can be checked on Linux: the LaunchDaemon plist (read by
plistlib, the format launchd reads), the payload and scripts that build-pkg.sh lays out, and the
settings parser that the pkg's preinstall/postinstall share with the Linux packages
(package-hook check, reading a /tmp/tally.env-style file)."""

import os
import plistlib
import shutil
import stat
import tempfile
import unittest

from pkg_common import SOURCE_DIR, run

MACOS = os.path.join(SOURCE_DIR, "installer", "macos")
HOOK = os.path.join(SOURCE_DIR, "installer", "linux", "package-hook")


class PlistTest(unittest.TestCase):
    def test_launch_daemon(self):
        with open(os.path.join(MACOS, "com.tally.agent.plist"), "rb") as f:
            plist = plistlib.load(f)
        self.assertEqual(plist["Label"], "com.tally.agent")
        self.assertIs(plist["RunAtLoad"], True)
        self.assertIs(plist["KeepAlive"], True)
        args = plist["ProgramArguments"]
        self.assertEqual(args[:2], ["/Library/Tally/bin/tally-agent", "run"])
        # The paths the daemon uses are the ones the package hook pairs into on macOS.
        with open(HOOK) as f:
            hook = f.read()
        self.assertIn('AGENT=/Library/Tally/bin/tally-agent', hook)
        self.assertIn('CONF_DIR="/Library/Application Support/Tally"', hook)
        self.assertEqual(args[args.index("--config") + 1],
                         "/Library/Application Support/Tally/agent.json")
        self.assertEqual(args[args.index("--state-dir") + 1],
                         "/Library/Application Support/Tally/state")
        self.assertEqual(plist["Umask"], 0o077)


class StageTest(unittest.TestCase):
    def test_payload_layout(self):
        tmp = tempfile.mkdtemp(prefix="tally-pkg-macos-")
        self.addCleanup(shutil.rmtree, tmp)
        bin_dir = os.path.join(tmp, "bin")
        os.makedirs(bin_dir)
        shutil.copy(os.environ["TALLY_AGENT"], os.path.join(bin_dir, "tally-agent"))
        stage = os.path.join(tmp, "stage")
        run([os.path.join(MACOS, "build-pkg.sh"), "--bin-dir", bin_dir, "--version", "1.2.3",
             "--stage-only", stage])
        root = os.path.join(stage, "root")
        for rel, mode in (("Library/Tally/bin/tally-agent", 0o755),
                          ("Library/Tally/bin/package-hook", 0o755),
                          ("Library/Tally/bin/uninstall", 0o755),
                          ("Library/LaunchDaemons/com.tally.agent.plist", 0o644)):
            st = os.stat(os.path.join(root, rel))
            self.assertEqual(stat.S_IMODE(st.st_mode), mode, rel)
        self.assertEqual(sorted(os.listdir(os.path.join(stage, "scripts"))),
                         ["package-hook", "postinstall", "preinstall"])
        missing = run([os.path.join(MACOS, "build-pkg.sh"), "--version", "1"], check=False)
        self.assertEqual(missing.returncode, 64)


class SettingsTest(unittest.TestCase):
    """The parser of /tmp/tally.env (macOS) and /etc/tally/install.env (Linux)."""

    def check(self, text, mode=0o600, **env):
        tmp = tempfile.mkdtemp(prefix="tally-env-")
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, "tally.env")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        e = {k: v for k, v in os.environ.items() if k not in ("ROLE", "PROXY", "SERVER_URL")}
        e.update(env, TALLY_INSTALL_ENV=path)
        return run(["sh", HOOK, "check"], check=False, env=e)

    def test_values_quotes_and_precedence(self):
        proc = self.check('# RMM\nexport SERVER_URL="https://tally.example:8443"\r\n'
                          "PAIRING_CODE=TLY-SECRET\nROLE='kiosk'\nDEVICE_TYPE=personal\n"
                          "PROXY=http://user:pw@proxy:3128\n", ROLE="server")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertIn("SERVER_URL=https://tally.example:8443", lines)
        self.assertIn("ROLE=server", lines, "the environment wins over the file")
        self.assertIn("DEVICE_TYPE=personal", lines)
        self.assertIn("PAIRING_CODE=(set)", lines)
        self.assertIn("PROXY=http://(credentials)@proxy:3128", lines)
        self.assertNotIn("SECRET", proc.stdout + proc.stderr)
        self.assertNotIn("pw", proc.stdout + proc.stderr)
        self.assertEqual(proc.stderr, "")

    def test_errors_name_the_problem(self):
        cases = [
            ("FOO=1\n", "line 1: unknown key 'FOO'"),
            ("SERVER_URL\n", "line 1 is not KEY=VALUE"),
            ("DEVICE_TYPE=corp\n", "DEVICE_TYPE must be business or personal, got 'corp'"),
            ("ROLE=laptop\n", "ROLE must be workstation, server or kiosk"),
            ("SERVER_URL=http://x\n", "SERVER_URL must be an https:// URL"),
            ("PAIR_WAIT_S=5m\n", "PAIR_WAIT_S must be a number of seconds"),
            ("CA_FILE=/nonexistent/ca.pem\n", "CA_FILE /nonexistent/ca.pem does not exist"),
        ]
        for text, message in cases:
            with self.subTest(text=text):
                proc = self.check(text)
                self.assertEqual(proc.returncode, 1)
                self.assertIn(message, proc.stderr)

    def test_settings_file_others_could_write_is_refused(self):
        # /tmp/tally.env: any local user may create it before the RMM script writes it.
        proc = self.check("PAIRING_CODE=TLY-X\n", mode=0o666)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("has mode 666: others may write it, refusing it", proc.stderr)
        proc = self.check("PAIRING_CODE=TLY-X\n", mode=0o620)
        self.assertEqual(proc.returncode, 1)

    def test_settings_file_link_is_refused(self):
        tmp = tempfile.mkdtemp(prefix="tally-env-")
        self.addCleanup(shutil.rmtree, tmp)
        target = os.path.join(tmp, "elsewhere")
        with open(target, "w") as f:
            f.write("PAIRING_CODE=TLY-X\n")
        os.chmod(target, 0o600)
        link = os.path.join(tmp, "tally.env")
        os.symlink(target, link)
        proc = run(["sh", HOOK, "check"], check=False, env=dict(os.environ, TALLY_INSTALL_ENV=link))
        self.assertEqual(proc.returncode, 1)
        self.assertIn("is a symbolic link: refusing it", proc.stderr)

    @unittest.skipUnless(os.geteuid() == 0, "chown to another uid needs root (CI runs as root)")
    def test_settings_file_of_another_user_is_refused(self):
        tmp = tempfile.mkdtemp(prefix="tally-env-")
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, "tally.env")
        with open(path, "w") as f:
            f.write("SERVER_URL=https://attacker.example\nPAIRING_CODE=TLY-X\n")
        os.chmod(path, 0o600)
        os.chown(path, 65534, 65534)  # nobody
        proc = run(["sh", HOOK, "check"], check=False, env=dict(os.environ, TALLY_INSTALL_ENV=path))
        self.assertEqual(proc.returncode, 1)
        self.assertIn("is owned by uid 65534, not 0 (the installer): refusing it", proc.stderr)
        self.assertNotIn("attacker", proc.stdout)

    def test_readable_settings_file_is_flagged(self):
        proc = self.check("PAIRING_CODE=TLY-X\n", mode=0o644)
        self.assertEqual(proc.returncode, 0)
        self.assertIn("has mode 644; it holds the pairing code", proc.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
