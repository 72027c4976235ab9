"""Shared helpers of the package tests: building packages with cpack, dpkg as root."""

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.environ.get("TALLY_SOURCE_DIR", "")
CPACK_CONFIG = os.environ.get("TALLY_CPACK_CONFIG", "")
VERSION = os.environ.get("TALLY_VERSION_STRING", "")


def run(cmd, check=True, env=None, timeout=900):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
                             f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def build_package(generator, outdir, version=VERSION):
    """Runs cpack on the build tree; returns the list of package paths it made."""
    work = tempfile.mkdtemp(prefix="tally-cpack-", dir=outdir)
    run(["cpack", "--config", CPACK_CONFIG, "-G", generator, "-B", work,
         "-D", f"CPACK_PACKAGE_VERSION={version}", "-D", "CPACK_STRIP_FILES=ON"])
    made = [os.path.join(work, f) for f in os.listdir(work)
            if f.endswith((".deb", ".rpm"))]
    return sorted(made)


def dpkg_status(package):
    proc = run(["dpkg-query", "-W", "-f=${Status} ${Version}", package], check=False)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def mode_owner(path):
    st = os.stat(path)
    return (oct(st.st_mode & 0o7777), pwd.getpwuid(st.st_uid).pw_name,
            grp.getgrgid(st.st_gid).gr_name)


class RootPackageTest(unittest.TestCase):
    """Installs real packages on this machine: needs root and a machine where they are not
    installed already (CI is a fresh one). Paths it would clobber are checked first."""

    package = ""
    system_paths = ()

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("installs packages: needs root (CI runs as root)")
        installed = dpkg_status(cls.package)
        if "installed" in installed or "config-files" in installed:
            raise AssertionError(f"{cls.package} is already on this machine ({installed}); "
                                 "this test installs and purges it, remove it first")
        for p in cls.system_paths:
            if os.path.exists(p):
                raise AssertionError(f"{p} exists already; this test would overwrite it")

    def dpkg(self, *args, check=True, env=None):
        e = dict(os.environ)
        e.update(env or {})
        return run(["dpkg", *args], check=check, env=e)

    def purge(self):
        if dpkg_status(self.package):
            run(["dpkg", "--purge", self.package], check=False,
                env={**os.environ, "RETIRE_OPTIONAL": "1"})
        for p in self.system_paths:
            shutil.rmtree(p, ignore_errors=True)
