"""tally-agent .rpm: its name, files and scriptlets (`rpm -qp`), built from the same tree
and package hook as the .deb."""

import os
import tempfile
import unittest

from pkg_common import build_package, run, VERSION


class AgentRpmTest(unittest.TestCase):
    def test_rpm_contents_and_scripts(self):
        tmp = tempfile.mkdtemp(prefix="tally-pkg-rpm-")
        self.addCleanup(run, ["rm", "-rf", tmp])
        rpms = build_package("RPM", tmp)
        self.assertEqual([os.path.basename(r) for r in rpms],
                         [f"tally-agent-{VERSION}-1.x86_64.rpm"])
        rpm = rpms[0]
        info = run(["rpm", "-qp", "--queryformat", "%{NAME} %{VERSION} %{RELEASE} %{ARCH}",
                    rpm]).stdout
        self.assertEqual(info, f"tally-agent {VERSION} 1 x86_64")
        files = run(["rpm", "-qpl", rpm]).stdout.split()
        for f in ("/usr/bin/tally-agent", "/usr/lib/systemd/system/tally-agent.service",
                  "/usr/libexec/tally/package-hook"):
            self.assertIn(f, files)
        self.assertNotIn("/usr/bin/tally-server", files)
        self.assertNotIn("/usr/lib/systemd", files, "no system directory owned by the package")
        scripts = run(["rpm", "-qp", "--scripts", rpm]).stdout
        print(scripts)
        self.assertIn("postinstall scriptlet", scripts)
        self.assertIn("/usr/libexec/tally/package-hook configure", scripts)
        self.assertIn("preuninstall scriptlet", scripts)
        self.assertIn("/usr/libexec/tally/package-hook remove", scripts)
        self.assertIn("postuninstall scriptlet", scripts)
        self.assertIn("try-restart", scripts)


if __name__ == "__main__":
    unittest.main(verbosity=2)
