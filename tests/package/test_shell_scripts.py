"""shellcheck on every shell script of the repository (by shebang) and on the rpm
scriptlets (plain sh snippets)."""

import os
import subprocess
import unittest

from pkg_common import SOURCE_DIR, run

SKIP_DIRS = {".git", "node_modules"}


def shell_scripts():
    found = []
    for dirpath, dirs, files in os.walk(SOURCE_DIR):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")
                   and d != "dist"]
        for f in files:
            p = os.path.join(dirpath, f)
            try:
                with open(p, "rb") as fh:
                    first = fh.readline()
            except OSError:
                continue
            if first.startswith(b"#!") and (first.rstrip().endswith((b"/sh", b"bash"))
                                            or b"env bash" in first or b"env sh" in first):
                found.append(p)
    return sorted(found)


class ShellcheckTest(unittest.TestCase):
    def test_every_shell_script(self):
        scripts = shell_scripts()
        rel = [os.path.relpath(p, SOURCE_DIR) for p in scripts]
        print("\n".join(rel))
        for must in ("scripts/package", "installer/linux/package-hook",
                     "installer/linux/deb/agent/postinst", "installer/macos/postinstall"):
            self.assertIn(must, rel)
        proc = run(["shellcheck", "--external-sources", *scripts], check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_rpm_scriptlets(self):
        d = os.path.join(SOURCE_DIR, "installer", "linux", "rpm")
        snippets = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".sh"))
        self.assertEqual(len(snippets), 3)
        proc = subprocess.run(["shellcheck", "-s", "sh", *snippets], capture_output=True,
                              text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
