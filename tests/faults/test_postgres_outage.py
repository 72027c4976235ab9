"""PostgreSQL's own faults under a running tally-server (issue 21): the database server
killed -9 (its postmaster and every backend at once, as a crash) and stopped (pg_ctl -m fast),
each while an agent uploads. While it is gone the tally-server stays up and answers uploads
503 `unavailable`; the agent keeps its spool and retries. Once PostgreSQL is back (after the
kill -9: crash recovery from its WAL) everything is delivered: no acknowledged heartbeat lost,
none counted twice, verify-evidence clean. It runs on a private cluster of its own
(scripts/postgres-cluster in a temporary directory), never on the shared test cluster."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from fault_case import FaultCase, Row, TENANT, pick
from protocol_client import Device
from tally_harness import TEST_DB, run, wait_until

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.path.join(SOURCE, "scripts", "postgres-cluster")


def _bindir():
    found = [d for d in sorted(os.listdir("/usr/lib/postgresql"))
             if os.access(f"/usr/lib/postgresql/{d}/bin/pg_ctl", os.X_OK)]
    if not found:
        raise unittest.SkipTest("PostgreSQL server binaries not found (scripts/setup)")
    return f"/usr/lib/postgresql/{found[-1]}/bin"


class PrivateCluster:
    """A cluster of this test's own: started by scripts/postgres-cluster, then killed,
    stopped and started again here with the options the script gave it."""

    def __init__(self):
        self.top = tempfile.mkdtemp(prefix="tally-pg-fault-")
        os.chmod(self.top, 0o755)  # the cluster runs as `nobody` under root
        self.dir = os.path.join(self.top, "pg")
        self.url = run([CLUSTER, "start", self.dir], timeout=120).stdout.strip()
        self.port = urllib.parse.urlsplit(self.url).port
        self.bindir = _bindir()

    def _as_owner(self, cmd):
        return (["runuser", "-u", "nobody", "--"] + cmd) if os.getuid() == 0 else cmd

    def postmaster(self):
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            return int(f.readline())

    def processes(self):
        """The postmaster and its children (the backends), by pid."""
        root = self.postmaster()
        pids = [root]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        stat = f.read()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == root:
                    pids.append(int(entry))
        return pids

    def kill9(self):
        pids = self.processes()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_until(lambda: not any(os.path.exists(f"/proc/{p}") and
                                   "zombie" not in _state(p) for p in pids), 30,
                   what="every PostgreSQL process gone after kill -9")

    def stop(self):
        run(self._as_owner([f"{self.bindir}/pg_ctl", "-D", f"{self.dir}/data", "-m", "fast",
                            "-w", "stop"]), timeout=120)

    def start(self):
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.dir}/sock -c max_connections=300")
        run(self._as_owner([f"{self.bindir}/pg_ctl", "-D", f"{self.dir}/data", "-l",
                            f"{self.dir}/data/server.log", "-w", "-t", "120", "-o", opts,
                            "start"]), timeout=150)

    def close(self):
        if os.path.exists(os.path.join(self.dir, "data", "postmaster.pid")):
            subprocess.run([CLUSTER, "stop", self.dir], capture_output=True, timeout=120)
        shutil.rmtree(self.top, ignore_errors=True)


def _state(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return f.read().lower()
    except OSError:
        return "zombie"


@unittest.skipUnless(TEST_DB == "postgres", "PostgreSQL's own faults: TALLY_TEST_DB=postgres")
class PostgresOutage(FaultCase):

    def setUp(self):
        super().setUp()
        self.cluster = PrivateCluster()
        self.addCleanup(self.cluster.close)

    def _outage(self, row, name, fault):
        server = self.started_server(db=self.cluster.url)
        probe = Device(server.url, server.ca_file)
        self.assertEqual(probe.pair(server.pairing_code(TENANT, uses=2))[0], 200)
        agent = self.fast_agent(name)
        agent.pair(server, server.pairing_code(TENANT))
        agent.start()
        self.wait_acked(agent, 3)
        fault()
        t0 = time.monotonic()
        refused = probe.next_heartbeat()
        status, doc = probe.upload([refused])
        self.check(status == 503 and doc.get("error") == "unavailable",
                   f"an upload while PostgreSQL is down: want 503 unavailable, got {status} {doc}")
        _, before = self.status(agent)
        wait_until(lambda: self.status(agent)[1].get("last_seq", 0) >=
                   before.get("last_seq", 0) + 3, 60, what="the agent recording meanwhile")
        time.sleep(pick(3, 20))
        rc, st = self.status(agent)
        self.check(rc == 1 and st.get("last_error"),
                   f"status during the outage: want degraded (1) with last_error, got {rc}: {st}")
        self.check(st.get("acked_through", 0) < st.get("last_seq", 0),
                   f"heartbeats acknowledged while PostgreSQL was down: {st}")
        self.check(server.proc.poll() is None, "tally-server exited while PostgreSQL was down")
        self.check("database unavailable" in server.logs(),
                   "the server log does not say the database is unavailable")
        self.cluster.start()
        st, ledger, _ = self.settle(agent, server, min_seq=st.get("last_seq", 1),
                                           timeout=150)
        row.recovery_s = time.monotonic() - t0  # from the fault to everything acknowledged
        self.reconcile(row, st, ledger)
        self.check(st.get("gaps", 0) == 0, f"the agent declared a gap: {st}")
        # The probe's refused heartbeat is delivered on retry, counted once.
        status, ack = probe.upload([refused])
        self.check(status == 200 and ack.get("acked_through") == 1,
                   f"the refused batch again after the restart: {status} {ack}")
        server.stop()

    def test_postgres_killed_9_mid_ingest(self):
        row = Row("postgres kill -9 mid-ingest", 1)
        self._outage(row, "crash", self.cluster.kill9)
        self.finish(row)

    def test_postgres_stopped_mid_ingest(self):
        row = Row("postgres stopped mid-ingest", 1)
        self._outage(row, "stop", self.cluster.stop)
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
