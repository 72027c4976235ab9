"""The server goes away: down for many upload intervals then back (with a roomy spool and
with a spool too small to hold the outage), and killed between its commit and its reply."""

import os
import signal
import time
import unittest

from fault_case import MODE, Endpoint, FaultCase, Row, pick
from fault_endpoint import FaultEndpoint
from fault_tls import FaultPki
from tally_harness import wait_until


class ServerOutage(FaultCase):

    def _outage(self, row, outage_s, **config):
        server = self.started_server()
        agent = self.fast_agent("out", **config)
        agent.pair(server, server.pairing_code("acme"))
        agent.start()
        self.wait_acked(agent, 2)
        addr = server.addr
        server.stop(signal.SIGKILL)
        time.sleep(outage_s)  # upload_interval_s is 1: many intervals
        rc, st = self.status(agent)
        self.check(st.get("running"), f"agent not running during the outage: {st}")
        self.check(rc == 1, f"uploads failing for {outage_s}s: status should exit 1 "
                            f"(degraded), got {rc}")
        self.check(bool(st.get("last_error")), "status shows no last_error during the outage")
        backlog = st.get("last_seq", 0)
        server.start(listen=addr)
        st, ledger, recovery = self.settle(agent, server, min_seq=backlog, timeout=150)
        row.recovery_s = max(row.recovery_s, recovery)
        self.reconcile(row, st, ledger)
        return st

    def test_down_for_many_upload_intervals(self):
        row = Row("server down many intervals", 1)
        st = self._outage(row, pick(15, 90))
        self.check(st.get("gaps", 0) == 0, "a roomy spool declared heartbeats lost")
        self.finish(row)

    @unittest.skipIf(MODE == "short", "the smallest spool (64 KiB) takes > 4 min to fill")
    def test_down_longer_than_the_spool_holds(self):
        # ~320 bytes per heartbeat: 64 KiB overflow after ~200 one-second heartbeats
        row = Row("server down, spool overflows", 1)
        st = self._outage(row, 300, heartbeat_interval_s=1, spool_max_bytes=65536)
        self.check(st.get("gaps", 0) > 0, f"the spool must have overflowed into a declared gap, "
                                          f"status: {st}")
        self.finish(row)

    def test_server_killed_between_commit_and_reply(self):
        iterations = pick(4, 15)
        row = Row("server killed between commit and reply", iterations)
        server = self.started_server()
        pki = FaultPki(os.path.join(self.workdir, "pki"))
        proxy = FaultEndpoint(pki, server.addr, server.ca_file)
        self.addCleanup(proxy.close)
        agent = self.fast_agent("commit")
        agent.pair(Endpoint(proxy.url, pki.ca_file), server.pairing_code("acme"))
        agent.start()
        self.wait_acked(agent, 1)
        killed = []

        def kill_server(_endpoint):
            server.stop(signal.SIGKILL)
            killed.append(time.monotonic())

        for i in range(iterations):
            kill = i % 2 == 0  # alternate: a real kill -9, or just the reply lost in transit
            n = len(killed)
            t0 = time.monotonic()
            proxy.set_mode("drop_reply", once=True, **({"on_commit": kill_server} if kill else {}))
            wait_until(lambda: any(e.mode == "drop_reply" for e in proxy.heartbeat_events(t0)),
                       30, what="an upload whose reply is dropped")
            if kill:
                # the proxy logs the event before its on_commit callback has run: wait for it
                wait_until(lambda: len(killed) == n + 1, 15, what="the server killed after commit")
                time.sleep(2)
                server.start(listen=server.addr)
            st, ledger, recovery = self.settle(agent, server, timeout=90)
            row.recovery_s = max(row.recovery_s, recovery)
        dropped = [e for e in proxy.heartbeat_events() if e.mode == "drop_reply"]
        self.check(all(e.committed and e.upstream_status == 200 for e in dropped),
                   f"the dropped uploads were not all committed: {dropped}")
        self.reconcile(row, st, ledger)
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
