"""kill -9 of the agent at random points (startup, mid-heartbeat, mid-upload), restarted
each time: the spool must reopen consistently (no crash, no seq reused, nothing recorded
forgotten) and in the end every recorded seq is counted exactly once."""

import os
import random
import signal
import time
import unittest

from fault_case import FaultCase, Row, pick


class KillNine(FaultCase):

    def test_kill_9_at_random_points(self):
        iterations = pick(50, 300)
        # The seed is printed so a failing run can be replayed (TALLY_KILL9_SEED=<seed>).
        seed = int(os.environ.get("TALLY_KILL9_SEED", time.time_ns() % 2**32))
        print(f"kill -9 random seed: {seed} (replay with TALLY_KILL9_SEED={seed})", flush=True)
        rng = random.Random(seed)
        server = self.started_server()
        agent = self.fast_agent("k9", heartbeat_interval_s=1)
        agent.pair(server, server.pairing_code("acme"))
        row = Row("kill -9 agent at random points", iterations)

        seen_last = 0   # highest last_seq the agent ever reported while alive
        seen_acked = 0
        for i in range(iterations):
            agent.start()
            # half the kills land at an arbitrary moment after exec (startup, spool open,
            # first upload); the other half after the agent reported itself running
            if i % 2:
                try:
                    _, st = agent.status()
                except AssertionError:
                    st = {}
                if st.get("running"):
                    seen_last = max(seen_last, st.get("last_seq", 0))
                    seen_acked = max(seen_acked, st.get("acked_through", 0))
            time.sleep(rng.uniform(0.05, 2.5))
            if agent.proc.poll() is not None:
                self.check(False, f"iteration {i}: agent exited {agent.proc.returncode} by "
                                  f"itself: {agent.logs()[-800:]}")
                break
            agent.proc.send_signal(signal.SIGKILL)
            agent.proc.wait()
            agent.log.close()

            # spool consistency: the state the dead agent left must be readable
            rc, st = self.status(agent)
            if not self.check(rc == 3 and st.get("running") is False,
                              f"iteration {i}: status after kill -9 exit {rc}, {st}"):
                break
            self.check(st.get("last_seq", 0) >= st.get("acked_through", 0),
                       f"iteration {i}: acked_through beyond last_seq: {st}")

        # last start: everything recorded must still be there and must drain
        agent.start()
        self.wait_acked(agent, 1)
        _, st = self.status(agent)
        self.check(st["last_seq"] >= seen_last,
                   f"last_seq went back from {seen_last} to {st['last_seq']} after kill -9")
        self.check(st["acked_through"] >= seen_acked,
                   f"acked_through went back from {seen_acked} to {st['acked_through']}")
        self.check(st.get("gaps", 0) == 0, f"kill -9 loses no written data, yet the agent "
                                          f"declared {st.get('gaps')} heartbeats lost")
        log = agent.logs().lower()
        self.check("moved aside" not in log and "corrupt" not in log,
                   "kill -9 made the agent call its spool corrupt")
        st, ledger, recovery = self.settle(agent, server, min_seq=max(seen_last, 1))
        row.recovery_s = recovery
        self.reconcile(row, st, ledger)
        self.check(row.recorded >= iterations // 4,
                   f"only {row.recorded} heartbeats in {iterations} iterations: the scenario "
                   f"did not exercise the spool")
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
