"""The server (or something pretending to be it) answers badly: stalls, 500, 429 with
Retry-After, garbage (as an HTTP body and as raw bytes), a 1 GiB body, a reply cut in the
middle. Most of these happen *after* the real server committed the batch, so a retry that
is counted again would show as double counting."""

import os
import time
import unittest

from fault_case import Endpoint, FaultCase, Row, pick, rss_peak_kib
from fault_endpoint import FaultEndpoint
from fault_tls import FaultPki
from tally_harness import wait_until

STALL_LIMIT_S = 30 + 15  # TransportOptions.stall_timeout (30 s) plus scheduling slack
RSS_LIMIT_KIB = 64 * 1024


class BadResponses(FaultCase):

    def setUp(self):
        super().setUp()
        self.srv = self.started_server()
        self.pki = FaultPki(os.path.join(self.workdir, "pki"))
        self.proxy = FaultEndpoint(self.pki, self.srv.addr, self.srv.ca_file)
        self.addCleanup(self.proxy.close)
        self.ag = self.fast_agent("bad")
        self.ag.pair(Endpoint(self.proxy.url, self.pki.ca_file), self.srv.pairing_code("acme"))
        self.ag.start()
        self.wait_acked(self.ag, 1)

    def _fault(self, row, mode, seconds, **params):
        """Applies `mode` for at least `seconds` and at least one upload, then forwards again
        and reconciles. Returns the events of the faulty period."""
        t0 = time.monotonic()
        self.proxy.set_mode(mode, **params)
        wait_until(lambda: self.proxy.heartbeat_events(t0), 30, what=f"an upload under {mode}")
        time.sleep(seconds)
        events = [e for e in self.proxy.heartbeat_events(t0) if e.mode == mode]
        rc, st = self.status(self.ag)
        self.check(st.get("running"), f"{mode}: agent not running: {st}")
        self.check(self.ag.proc.poll() is None, f"{mode}: agent process exited")
        self.proxy.set_mode("forward")
        st, ledger, recovery = self.settle(self.ag, self.srv, min_seq=st.get("last_seq", 1))
        row.iterations = len(events)
        row.recovery_s = recovery
        self.reconcile(row, st, ledger)
        return events, st

    def test_500(self):
        row = Row("500 internal")
        events, _ = self._fault(row, "status", pick(6, 30), code=500)
        self.check(len(events) >= 2, f"the agent retried a 500 only {len(events)} times")
        self.finish(row)

    def test_429_retry_after(self):
        row = Row("429 + Retry-After 8")
        t0 = time.monotonic()
        self.proxy.set_mode("status", code=429, headers={"Retry-After": "8"}, once=True)
        wait_until(lambda: [e for e in self.proxy.heartbeat_events(t0) if e.mode == "status"],
                   30, what="the 429")
        limited = [e for e in self.proxy.heartbeat_events(t0) if e.mode == "status"][0]
        nxt = wait_until(lambda: [e for e in self.proxy.heartbeat_events(limited.t + 0.01)
                                  if e.mode == "forward"], 60, what="the retry after the 429")
        waited = nxt[0].t - limited.t
        self.check(waited >= 7.5, f"Retry-After: 8 not honoured: next upload after {waited:.1f}s")
        self.check(waited <= 8 + 5, f"after Retry-After: 8 the agent waited {waited:.1f}s")
        st, ledger, recovery = self.settle(self.ag, self.srv)
        row.iterations, row.recovery_s = 1, waited
        self.reconcile(row, st, ledger)
        self.finish(row)

    def test_garbage_body(self):
        # not relayed: an agent that took the garbage for an acknowledgement loses the batch
        row = Row("200 with garbage body")
        self._fault(row, "garbage_http", pick(4, 20), commit=False)
        self.finish(row)

    def test_raw_garbage_after_commit(self):
        row = Row("not HTTP at all")
        self._fault(row, "garbage_raw", pick(4, 20))
        self.finish(row)

    def test_reply_cut_in_the_middle(self):
        row = Row("close mid-reply")
        self._fault(row, "close_mid_reply", pick(4, 20))
        self.finish(row)

    def test_one_gib_body(self):
        row = Row("1 GiB response body")
        events, _ = self._fault(row, "huge", 3, once=True)
        self.check(events and all(e.bytes_sent < (256 << 20) for e in events),
                   f"the agent read {[e.bytes_sent >> 20 for e in events]} MiB of a 1 GiB body "
                   f"before giving up: response bodies must be capped")
        peak = rss_peak_kib(self.ag.proc.pid)
        self.check(peak < RSS_LIMIT_KIB, f"agent peak RSS {peak >> 10} MiB during a 1 GiB body")
        self.finish(row)

    def test_stall(self):
        row = Row("server stalls (no reply)")
        t0 = time.monotonic()
        self.proxy.set_mode("stall", max_s=STALL_LIMIT_S + 30, once=True)
        wait_until(lambda: [e for e in self.proxy.heartbeat_events(t0) if e.mode == "stall"],
                   30, what="a stalled upload")
        # while the transfer hangs, the agent still answers status promptly
        t = time.monotonic()
        rc, st = self.status(self.ag)
        self.check(time.monotonic() - t < 3, "status blocked while an upload stalls")
        self.check(st.get("running"), f"status during stall: {st}")
        stalled = wait_until(lambda: [e for e in self.proxy.heartbeat_events(t0)
                                      if e.mode == "stall" and e.done_t], STALL_LIMIT_S + 40,
                             what="the stalled upload to end")[0]
        self.check(0 <= stalled.client_gave_up_after <= STALL_LIMIT_S,
                   f"the agent gave up a stalled transfer after "
                   f"{stalled.client_gave_up_after:.0f}s (limit {STALL_LIMIT_S}s)")
        st, ledger, recovery = self.settle(self.ag, self.srv)
        row.iterations, row.recovery_s = 1, stalled.client_gave_up_after + recovery
        self.reconcile(row, st, ledger)
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
