"""The spool's filesystem fills up while the server is away: the agent keeps running, says
so in its status, and once space and server are back every heartbeat it recorded is counted
or declared lost in a gap — never silently missing.

The state dir lives on a 256 KiB tmpfs (`mount -t tmpfs`, needs root); where mounting is not
allowed, RLIMIT_FSIZE on the agent (with SIGXFSZ ignored, so writes fail with EFBIG as they
would with ENOSPC) stands in for the full disk."""

import errno
import os
import resource
import signal
import subprocess
import time
import unittest

from fault_case import FaultCase, Row, pick, silent_holes
from tally_harness import wait_until


def try_mount_tmpfs(path, size="256k"):
    os.makedirs(path, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           path], capture_output=True, text=True)
    return proc.returncode == 0


def fill(path):
    """Writes a filler file until the filesystem refuses; returns its path."""
    filler = os.path.join(path, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError as e:
        if e.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
    finally:
        os.close(fd)
    return filler


class FullDisk(FaultCase):

    def test_spool_on_a_full_filesystem(self):
        mnt = os.path.join(self.workdir, "small-fs")
        mounted = try_mount_tmpfs(mnt)
        if mounted:
            self.addCleanup(subprocess.run, ["umount", "-l", mnt])
        row = Row("spool on a full filesystem" + ("" if mounted else " (RLIMIT_FSIZE)"), 1)
        server = self.started_server()
        agent = self.fast_agent("disk", heartbeat_interval_s=1)
        agent.state_dir = os.path.join(mnt, "state")  # key, spool, status all on the small fs
        agent.pair(server, server.pairing_code("acme"))
        addr = server.addr

        def limit_file_size():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

        if mounted:
            agent.start()
        else:
            agent.log = open(agent.log_path, "a")
            agent.proc = subprocess.Popen(agent.cmd("run"), stdout=agent.log,
                                          stderr=subprocess.STDOUT, preexec_fn=limit_file_size)
        self.wait_acked(agent, 2)
        server.stop(signal.SIGKILL)  # nothing drains the spool now
        if mounted:
            try:
                filler = fill(mnt)
            except OSError as e:
                du = subprocess.run(["du", "-ab", mnt], capture_output=True, text=True).stdout
                self.fail(f"could not fill {mnt}: {e}; it holds:\n{du}")
        else:
            filler = None
        # The spool's last tmpfs page still has room for a few records (pages are 4 KiB and
        # the filler cannot take another file's slack), so wait until a write is refused,
        # then let several more heartbeats close into the full filesystem.
        wait_until(lambda: agent.status()[1].get("unsaved_heartbeats", 0) > 0, 90,
                   what="the spool to refuse a write on the full filesystem")
        time.sleep(pick(4, 30))

        self.check(agent.proc.poll() is None,
                   f"agent died on a full filesystem (exit {agent.proc.returncode}): "
                   f"{agent.logs()[-600:]}")
        rc, st = self.status(agent)
        err = (st.get("last_error") or "").lower()
        self.check(any(w in err for w in ("space", "enospc", "disk", "spool", "write", "efbig",
                                          "too large")),
                   f"status last_error does not say the spool cannot be written: {err!r}")
        self.check(rc in (1, 2), f"status exit {rc} on a full spool filesystem: should be "
                                 f"degraded (1)")
        if filler:
            os.remove(filler)
        t0 = time.monotonic()
        if agent.proc.poll() is not None:  # so the rest can still be reconciled
            agent.start()
        server.start(listen=addr)
        st, ledger, recovery = self.settle(agent, server, min_seq=st.get("last_seq", 0) + 2,
                                           timeout=90)
        row.recovery_s = time.monotonic() - t0
        self.reconcile(row, st, ledger)
        # the agent ran the whole time: a stretch without heartbeats must be a declared gap
        holes = silent_holes(server, st.get("device_id", ""), 4)
        self.check(not holes, f"silent holes (seq, seconds) while the disk was full, no gap "
                              f"declared: {holes}")
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
