"""The systemd units: `systemd-analyze verify` and `systemd-analyze security --offline=true`
(no running systemd needed). Prints the exposure scores; the agent must stay <= 2.5."""

import os
import re
import shutil
import tempfile
import unittest

from pkg_common import SOURCE_DIR, run

UNITS = {
    # unit: (binary the unit runs, binary in the build tree, highest exposure allowed)
    "tally-agent.service": ("/usr/bin/tally-agent", os.environ.get("TALLY_AGENT"), 2.5),
    "tally-server.service": ("/usr/bin/tally-server", os.environ.get("TALLY_SERVER"), 2.5),
}


class UnitTest(unittest.TestCase):
    def unit_copy(self, name):
        """The unit as shipped; its ExecStart points at the build tree's binary when the
        package is not installed (verify checks that the binary exists)."""
        tmp = tempfile.mkdtemp(prefix="tally-units-")
        self.addCleanup(shutil.rmtree, tmp)
        src = os.path.join(SOURCE_DIR, "installer", "linux", name)
        with open(src) as f:
            text = f.read()
        installed, built, _ = UNITS[name]
        if not os.path.exists(installed):
            self.assertIn(f"ExecStart={installed} ", text)
            text = text.replace(f"ExecStart={installed} ", f"ExecStart={built} ")
        dst = os.path.join(tmp, name)
        with open(dst, "w") as f:
            f.write(text)
        return dst

    def test_verify(self):
        for name in UNITS:
            with self.subTest(unit=name):
                proc = run(["systemd-analyze", "verify", self.unit_copy(name)], check=False)
                self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ""))

    def test_security_exposure(self):
        for name, (_, _, limit) in UNITS.items():
            with self.subTest(unit=name):
                path = os.path.join(SOURCE_DIR, "installer", "linux", name)
                proc = run(["systemd-analyze", "security", "--offline=true", "--no-pager",
                            path], check=False)
                m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", proc.stdout)
                self.assertIsNotNone(m, proc.stdout + proc.stderr)
                score = float(m.group(1))
                print(f"{name}: exposure {score} (limit {limit})")
                self.assertLessEqual(score, limit, proc.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
