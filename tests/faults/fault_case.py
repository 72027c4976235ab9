"""What every fault scenario shares: the short/long switch, the seq-by-seq reconciliation of
agent and server, soft checks collected into one failure, and the results table.

Reconciliation: the agent's record is 1..last_seq (status JSON), of which it declared `gaps`
lost. The server's record is read twice: from the usage JSON (`heartbeats`, `last_seq`,
`gaps`, `forks`, `flags`) and, seq by seq, from its store read outside the server
(evidence_reader.StoreReader: the SQLite file read-only, or the PostgreSQL database through
psql when the suite runs on PostgreSQL, TALLY_TEST_DB=postgres). A seq the agent recorded that the server neither holds nor
has as a declared gap is *lost*; a count above the distinct seqs held is *double-counted*.
"""

import atexit
import datetime
import faulthandler
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field

from evidence_reader import StoreReader
from tally_harness import SERVER_BIN, Agent, TallyTestCase, current_month, wait_until

faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>` prints where a run hangs
MODE = os.environ.get("TALLY_FAULTS_MODE", "short")
assert MODE in ("short", "long"), f"TALLY_FAULTS_MODE must be short or long, not {MODE}"
TENANT = "acme"
STATUS_FIELDS = ("running", "paired", "device_id", "queued", "last_seq", "acked_through",
                 "spool_bytes", "gaps", "last_error", "clock_offset_s")
USAGE_FIELDS = ("heartbeats", "last_seq", "gaps", "forks", "flags")


def pick(short, long):
    return short if MODE == "short" else long


@dataclass
class Row:
    scenario: str
    iterations: int = 0
    recorded: int = 0
    counted: int = 0
    declared_lost: int = 0
    lost: int = 0
    pending: int = 0
    double: int = 0
    recovery_s: float = 0.0
    result: str = "pass"


_ROWS = []
HEADER = ("scenario", "iter", "recorded", "counted", "gaps", "lost", "pending", "double",
          "recovery s", "result")


def format_table(rows):
    cells = [HEADER] + [(r.scenario, str(r.iterations), str(r.recorded), str(r.counted),
                         str(r.declared_lost), str(r.lost), str(r.pending), str(r.double),
                         f"{r.recovery_s:.1f}", r.result) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    lines = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(c))) + " |"
             for c in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _print_rows():
    if _ROWS:
        print(f"\n== fault results ({MODE} mode)\n" + format_table(_ROWS), flush=True)


atexit.register(_print_rows)


def load_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rows.append(Row(**json.loads(line)))
    return rows


class Endpoint:
    """What Agent.pair needs: a URL and the CA file that verifies it."""

    def __init__(self, url, ca_file):
        self.url, self.ca_file = url, ca_file


@dataclass
class Ledger:
    """The server's record of one device."""
    usage: dict
    held: set
    gap_seqs: set
    fork_seqs: set
    # out-of-window heartbeats (e.g. stamped by a clock an hour ahead): the server keeps their
    # bytes as evidence and acknowledges them, but does not count them (DESIGN §3 time window)
    out_of_window: set = field(default_factory=set)
    # `tally-server verify-evidence` of the month (issue 20): exit code and output. It
    # re-verifies every stored batch's signature, re-checks the hash chain and recomputes the
    # usage rollups from the evidence; after any fault they must equal what ingest rolled up.
    evidence: tuple = (0, "")


def _unix(rfc3339):
    return int(datetime.datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=datetime.timezone.utc).timestamp())


def server_ledger(server, device_id):
    # verify-evidence runs while the rest is read: the whole read is short next to the agent's
    # heartbeat interval (settle() wants the agent unchanged across it).
    verify = subprocess.Popen(
        [SERVER_BIN, "verify-evidence", "--tenant", TENANT, "--month", current_month(),
         "--data-dir", server.data_dir, *server.db_args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        report = server.usage(TENANT, current_month())
        record = StoreReader(server).device_record(device_id)
        output = verify.communicate(timeout=60)[0]
    finally:
        if verify.poll() is None:
            verify.kill()
            verify.wait()
    rows = [d for d in report.get("devices", []) if d.get("device_id") == device_id]
    usage = rows[0] if rows else {}
    gap_seqs = set()
    for a, b, _ in record["gaps"]:
        gap_seqs.update(range(a, b + 1))
    return Ledger(usage, set(record["counted"]), gap_seqs, record["forks"], record["held"],
                  (verify.returncode, output))


def silent_holes(server, device_id, max_hole_s):
    """Stretches of time between consecutive heartbeats (by seq) longer than max_hole_s
    while the seqs are consecutive: time the agent ran but recorded nothing and declared
    nothing. Returns [(seq, seconds)]."""
    rows = [(seq, _unix(hb["start"]), _unix(hb["end"]))
            for seq, hb in sorted(StoreReader(server).counted_heartbeats(device_id).items())]
    return [(b[0], b[1] - a[2]) for a, b in zip(rows, rows[1:])
            if b[0] == a[0] + 1 and b[1] - a[2] > max_hole_s]


def rss_peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class FaultAgent(Agent):
    """An Agent whose log may hold bytes a hostile server sent (not UTF-8)."""

    def logs(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", errors="backslashreplace")
        except FileNotFoundError:
            return ""


class FaultCase(TallyTestCase):
    """A TallyTestCase whose checks are collected (so one run reports every problem and
    still produces its table row) and that can reconcile agent and server."""

    def setUp(self):
        super().setUp()
        self.problems = []

    def check(self, ok, message):
        if not ok:
            self.problems.append(message)
        return ok

    def finish(self, row):
        row.result = "pass" if not self.problems else "FAIL"
        _ROWS.append(row)
        out = os.environ.get("TALLY_FAULTS_RESULTS")
        if out:
            with open(out, "a") as f:
                f.write(json.dumps(row.__dict__) + "\n")
        if self.problems:
            self.fail(f"{row.scenario}: " + "\n  - ".join([""] + self.problems))

    # --- fixtures ------------------------------------------------------------------------

    def agent(self, name="agent", **config):
        a = FaultAgent(self.workdir, name, **config)
        self._agents.append(a)
        return a

    def started_server(self, **kw):
        server = self.server(**kw).start()
        server.tenant(TENANT)
        return server

    def fast_agent(self, name="agent", **config):
        cfg = {"role": "server", "sample_interval_s": 1, "heartbeat_interval_s": 2,
               "upload_interval_s": 1}
        cfg.update(config)
        return self.agent(name, **cfg)

    def status(self, agent):
        rc, st = agent.status()
        missing = [k for k in STATUS_FIELDS if k not in st]
        self.check(not missing, f"agent status JSON lacks {missing} (issue 4 item 7)")
        return rc, st

    # --- reconciliation ------------------------------------------------------------------

    def settle(self, agent, server, min_seq=1, timeout=90.0):
        """Waits until the running agent has everything acknowledged (acked_through ==
        last_seq >= min_seq), then reads the server. Returns (status, ledger, seconds)."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        st = {}
        while time.monotonic() < deadline:
            if agent.proc is not None and agent.proc.poll() is not None:
                self.check(False, f"agent exited {agent.proc.returncode} while it should be "
                                  f"draining; log tail: {agent.logs()[-400:]!r}")
                break
            _, st = agent.status()
            if st.get("running") and st.get("last_seq", 0) >= min_seq and \
                    st.get("acked_through") == st.get("last_seq"):
                ledger = server_ledger(server, st["device_id"])
                _, again = agent.status()
                if again.get("last_seq") == st["last_seq"]:
                    return st, ledger, time.monotonic() - t0
            time.sleep(0.3)
        else:
            self.check(False, f"agent did not drain within {timeout:.0f}s (last status: "
                              f"last_seq={st.get('last_seq')} "
                              f"acked_through={st.get('acked_through')} "
                              f"last_error={st.get('last_error')!r})")
        if not st.get("device_id"):
            _, st = agent.status()
        ledger = server_ledger(server, st.get("device_id", ""))
        return st, ledger, timeout

    def reconcile(self, row, st, ledger, expect_fork=False):
        """Seq-by-seq comparison of one device; adds to row, records problems."""
        last = st.get("last_seq", 0)
        agent_gaps = st.get("gaps", 0)
        expected = set(range(1, last + 1)) - ledger.gap_seqs - ledger.out_of_window
        missing_seqs = sorted(expected - ledger.held)
        # the agent deletes only what was acknowledged: a missing seq above its acked_through
        # is still in its spool (pending, late); at or below it, it is gone (lost)
        acked = st.get("acked_through", 0)
        lost = [s for s in missing_seqs if s <= acked]
        pending = [s for s in missing_seqs if s > acked]
        beyond = sorted(s for s in ledger.held if s > last)
        usage = ledger.usage
        missing = [k for k in USAGE_FIELDS if k not in usage]
        self.check(not missing, f"server usage JSON devices[] lacks {missing} (issue 4 item 7)")
        counted = usage.get("heartbeats", len(ledger.held))
        double = max(0, counted - len(ledger.held & expected))
        row.recorded += last
        row.counted += counted
        row.declared_lost += len(ledger.gap_seqs)
        row.lost += len(lost)
        row.pending += len(pending)
        row.double += double
        self.check(not lost, f"lost: agent recorded seqs the server neither holds nor has as a "
                             f"declared gap: {lost[:20]}{'…' if len(lost) > 20 else ''}")
        self.check(not pending, f"not delivered: seqs still waiting in the agent's spool "
                                f"{pending[:20]}{'…' if len(pending) > 20 else ''}")
        self.check(not beyond, f"server holds seqs beyond the agent's last_seq {last}: "
                               f"{beyond[:20]} (agent lost or reused its seq counter)")
        self.check(double == 0, f"double-counted: usage heartbeats {counted} > distinct seqs "
                                f"held {len(ledger.held & expected)}")
        self.check(usage.get("last_seq", last) == last,
                   f"usage last_seq {usage.get('last_seq')} != agent last_seq {last}")
        self.check(agent_gaps == len(ledger.gap_seqs),
                   f"agent declares {agent_gaps} heartbeats lost, server has "
                   f"{len(ledger.gap_seqs)} in declared gaps")
        if "gaps" in usage:
            self.check(usage["gaps"] == len(ledger.gap_seqs),
                       f"usage gaps {usage['gaps']} != seqs in declared gaps "
                       f"{len(ledger.gap_seqs)}")
        self.check(ledger.evidence[0] == 0,
                   f"verify-evidence found problems (rollups or evidence):\n{ledger.evidence[1]}")
        if not expect_fork:
            self.check(not ledger.fork_seqs, f"server recorded forks for seqs "
                                             f"{sorted(ledger.fork_seqs)[:20]} (seq reused)")
            self.check(usage.get("forks", 0) == 0, f"usage forks {usage.get('forks')} != 0")
            self.check("suspected_clone" not in (usage.get("flags") or []),
                       f"device flagged {usage.get('flags')} without a clone")
        return lost, double

    def wait_acked(self, agent, n, timeout=40.0):
        return wait_until(lambda: agent.status()[1].get("acked_through", 0) >= n, timeout,
                          what=f"acked_through >= {n}")
