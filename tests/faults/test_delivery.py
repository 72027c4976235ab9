"""Issue 13: the agent never drops what the server has not confirmed holding.

A hostile HTTPS front holding the real server's own certificate and key (ServerCertificate)
sits in front of a real tally-server and lies about acknowledgements or trickles its answers;
a real server restored from a backup forgets what it acknowledged; a corrupt spool counter
must stop the agent. Every case ends with the agent's record reconciled seq by seq against
the real server (made == counted, plus what is declared lost)."""

import os
import shutil
import signal
import time
import unittest

from evidence_reader import StoreReader
from fault_case import Endpoint, FaultCase, Row, TENANT
from fault_endpoint import FaultEndpoint, ServerCertificate
from tally_harness import current_month, run, wait_until

# The agent's low-speed rule (TransportOptions: fewer than 100 bytes in 15 s ends a request)
# against a 1 byte/s answer, with scheduling slack; well below the 120 s total timeout.
LOW_SPEED_CUT_S = 15 + 20
TROUBLE_AFTER_S = 10  # status: an upload waiting longer is in trouble (kUploadTroubleAfterS)


def gap_rows(server, device_id):
    return StoreReader(server).gaps(device_id)


def back_up(server, dest):
    """A clean copy of the stopped server's database in `dest`: its SQLite files (WAL
    checkpointed on stop), or a pg_dump of its PostgreSQL database."""
    if server.database:
        server.database.dump(os.path.join(dest, "tally.dump"))
        return
    for f in os.listdir(server.data_dir):
        if f.startswith("tally.db"):
            shutil.copy2(os.path.join(server.data_dir, f), dest)


def restore(server, src):
    """The stopped server's database replaced by the copy back_up made in `src`."""
    if server.database:
        server.database.restore(os.path.join(src, "tally.dump"))
        return
    for f in os.listdir(server.data_dir):
        if f.startswith("tally.db"):
            os.remove(os.path.join(server.data_dir, f))
    for f in os.listdir(src):
        shutil.copy2(os.path.join(src, f), server.data_dir)


class Delivery(FaultCase):

    def front(self, server):
        """A hostile front with the server's own certificate; returns (front, endpoint)."""
        front = FaultEndpoint(ServerCertificate(server), server.addr, server.ca_file)
        self.addCleanup(front.close)
        return front, Endpoint(front.url, server.ca_file)

    def test_ack_beyond_the_batch(self):
        row = Row("ack beyond the batch", 1)
        srv = self.started_server()
        front, endpoint = self.front(srv)
        ag = self.fast_agent("beyond")
        ag.pair(endpoint, srv.pairing_code(TENANT))
        ag.start()
        self.wait_acked(ag, 2)
        t0 = time.monotonic()
        front.set_mode("ack", acked_through=1_000_000_000)
        lies = wait_until(lambda: [e for e in front.heartbeat_events(t0) if e.mode == "ack"
                                   and e.outcome.startswith("ack ")][1:], 60,
                          what="two uploads answered with an ack beyond the batch")
        rc, st = self.status(ag)
        self.check(rc == 1, f"a protocol error must leave status degraded (1), got {rc}: {st}")
        self.check("protocol error" in st.get("last_error", "") and
                   "1000000000" in st.get("last_error", ""),
                   f"status last_error does not name the protocol error: {st.get('last_error')!r}")
        self.check(st.get("ack_errors", 0) >= 1, f"status does not count ack errors: {st}")
        self.check(st.get("last_seq", 0) < 1000,
                   f"the agent skipped seqs after a lying ack: last_seq {st.get('last_seq')}")
        self.check(st.get("acked_through", 0) <= st.get("last_seq", 0),
                   f"acked_through {st.get('acked_through')} past last_seq {st.get('last_seq')}")
        self.check("1000000000" in ag.logs(), "the log does not name the lying ack")
        front.set_mode("forward")
        st, ledger, recovery = self.settle(ag, srv, min_seq=st.get("last_seq", 1))
        row.iterations, row.recovery_s = len(lies), recovery
        self.reconcile(row, st, ledger)
        self.check(st.get("gaps", 0) == 0, f"a lying ack made the agent declare a gap: {st}")
        self.finish(row)

    def test_server_restored_from_backup(self):
        row = Row("server restored from a backup", 1)
        srv = self.started_server()
        ag = self.fast_agent("restore")
        ag.pair(srv, srv.pairing_code(TENANT))
        ag.start()
        self.wait_acked(ag, 3)
        addr = srv.addr
        # The backup: a clean copy of the database (the server stopped).
        srv.stop()
        backup = os.path.join(self.workdir, "backup")
        os.makedirs(backup)
        back_up(srv, backup)
        srv.start(listen=addr)
        _, before = self.status(ag)
        self.wait_acked(ag, before.get("acked_through", 0) + 5, timeout=60)
        # Disaster: the database is restored from the backup; the agent deleted what the
        # server had acknowledged since.
        srv.stop()
        restore(srv, backup)
        _, at_restore = self.status(ag)
        forgotten_to = at_restore.get("acked_through", 0)
        srv.start(listen=addr)
        st, ledger, recovery = self.settle(ag, srv, min_seq=forgotten_to + 2, timeout=120)
        row.recovery_s = recovery
        self.reconcile(row, st, ledger)
        device = st.get("device_id", "")
        lost = [(a, b) for a, b, reason in gap_rows(srv, device) if reason == "server_lost"]
        self.check(len(lost) == 1, f"the server_lost range must be declared once: {lost}")
        lost_seqs = sum(b - a + 1 for a, b in lost)
        lost_set = {s for a, b in lost for s in range(a, b + 1)}
        self.check(lost_seqs > 0 and min(lost_set) > 1 and max(lost_set) <= forgotten_to,
                   f"declared {lost}; the agent had {forgotten_to} acknowledged at the restore")
        self.check(not (lost_set & ledger.held),
                   f"seqs declared lost by the server are held: {sorted(lost_set & ledger.held)}")
        usage = ledger.usage
        self.check(usage.get("lost_by_server") == lost_seqs,
                   f"the report shows lost_by_server {usage.get('lost_by_server')}, "
                   f"expected {lost_seqs}")
        self.check("lost_by_server" in (usage.get("flags") or []),
                   f"the report's flags do not say lost by the server: {usage.get('flags')}")
        self.check(usage.get("heartbeats") == len(ledger.held),
                   f"lost seqs billed as activity: heartbeats {usage.get('heartbeats')} != "
                   f"held {len(ledger.held)}")
        self.check(usage.get("heartbeats", 0) + lost_seqs == st.get("last_seq"),
                   f"made {st.get('last_seq')} != counted {usage.get('heartbeats')} + lost by "
                   f"the server {lost_seqs}")
        self.check(st.get("gaps") == lost_seqs, f"agent declares {st.get('gaps')} lost")
        # No loop: it keeps being acknowledged, nothing more declared.
        last = st.get("last_seq", 0)
        self.wait_acked(ag, last + 3, timeout=60)
        again = [r for r in gap_rows(srv, device) if r[2] == "server_lost"]
        self.check(len(again) == 1, f"server_lost declared again later: {again}")
        self.finish(row)

    def test_trickled_answer(self):
        row = Row("answer trickled 1 byte/s", 1)
        srv = self.started_server()
        front, endpoint = self.front(srv)
        ag = self.fast_agent("trickle")
        ag.pair(endpoint, srv.pairing_code(TENANT))
        ag.start()
        self.wait_acked(ag, 1)
        t0 = time.monotonic()
        front.set_mode("trickle", interval_s=1.0, once=True)
        wait_until(lambda: [e for e in front.heartbeat_events(t0) if e.mode == "trickle"], 30,
                   what="a trickled upload")
        # While the request hangs on the trickle, status says an upload is in trouble.
        troubled = wait_until(
            lambda: (lambda rs: rs if rs[0] == 1 and rs[1].get("upload_waiting_s", 0) >
                     TROUBLE_AFTER_S else None)(self.status(ag)),
            LOW_SPEED_CUT_S, what="status showing the stalled upload")
        rc, st = troubled
        text = ag.cli("status", check=False).stdout
        self.check("waiting" in text, f"status text does not show the waiting upload: {text!r}")
        ended = wait_until(lambda: [e for e in front.heartbeat_events(t0)
                                    if e.mode == "trickle" and e.done_t], LOW_SPEED_CUT_S + 10,
                           what="the trickled upload to end")[0]
        self.check(0 <= ended.client_gave_up_after <= LOW_SPEED_CUT_S,
                   f"the agent did not cut the trickle by its low-speed limit: "
                   f"{ended.outcome}, gave up after {ended.client_gave_up_after:.0f}s")
        self.check(ended.bytes_sent < 100, f"{ended.bytes_sent} bytes trickled before the cut")
        self.check("too slow" in ag.logs(), "the log does not say the answer was too slow")
        st, ledger, recovery = self.settle(ag, srv)
        row.recovery_s = ended.client_gave_up_after + recovery
        self.reconcile(row, st, ledger)
        self.finish(row)

    def test_corrupt_counter(self):
        row = Row("corrupt spool counter", 1)
        srv = self.started_server()
        ag = self.fast_agent("counter")
        ag.pair(srv, srv.pairing_code(TENANT))
        ag.start()
        self.wait_acked(ag, 2)
        self.check(ag.stop() == 0, "the agent did not stop cleanly")
        acked = os.path.join(ag.state_dir, "spool", "acked")
        with open(acked) as f:
            good = f.read()
        with open(acked, "w") as f:
            f.write('{"acked_through": 4')  # torn by a bad disk
        refused = run(ag.cmd("run"), check=False, timeout=30)
        out = refused.stdout + refused.stderr
        self.check(refused.returncode != 0, f"the agent started on a corrupt counter: {out!r}")
        self.check("acked" in out and "does not start" in out,
                   f"the refusal does not name the counter: {out!r}")
        self.check(not any(n.startswith("spool-unreadable") for n in os.listdir(ag.state_dir)),
                   "the spool was moved aside (a guess) instead of refusing")
        with open(acked, "w") as f:
            f.write(good)
        ag.start()
        st, ledger, recovery = self.settle(ag, srv, min_seq=3)
        row.recovery_s = recovery
        self.reconcile(row, st, ledger)
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
