"""Shared helpers of Tally's benchmark scripts: locating the binaries, /proc sampling,
medians, and table printing. Reuses the integration harness (tests/integration) for
starting tally-server / tally-agent and for real pty + utmp sessions."""

import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
BUILD = os.environ.get("TALLY_BUILD_DIR", os.path.join(ROOT, "build-bench"))


def binary(env, default_rel):
    """A binary from $env, else from the build dir; fails clearly when missing."""
    path = os.environ.get(env) or os.path.join(BUILD, default_rel)
    if not os.path.exists(path):
        sys.exit(f"{path} not found: build it (cmake --build {BUILD} --target ...) or set {env}")
    return path


def setup_harness_env():
    """Points the integration harness at the benchmark's binaries before it is imported."""
    os.environ["TALLY_SERVER"] = binary("TALLY_SERVER", "server/tally-server")
    os.environ["TALLY_AGENT"] = binary("TALLY_AGENT", "tally-agent")


CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_sample(pid):
    """One sample of a process: memory (kB), CPU seconds, context switches, threads, fds."""
    s = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if parts[0] in ("Rss:", "Pss:", "Private_Dirty:"):
                s[parts[0][:-1].lower()] = int(parts[1])
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime, stime (14, 15) and cutime, cstime (16, 17): the CPU of children it waited for
    # (the agent's crypto helper runs for each upload and is waited for when it ends)
    s["cpu_s"] = sum(int(fields[i]) for i in (11, 12, 13, 14)) / CLK_TCK
    ctx = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                ctx += int(line.split()[1])
            elif line.startswith("Threads:"):
                s["threads"] = int(line.split()[1])
    s["ctx"] = ctx
    s["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return s


def children(pid):
    """Direct and indirect child pids of pid."""
    out = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except FileNotFoundError:
            kids = []
        out += kids
        todo += kids
    return out


def tree_sample(pid):
    """proc_sample summed over pid and all its descendants (PSS adds up; RSS over-counts
    shared pages, as it does for any multi-process agent)."""
    total = None
    for p in [pid] + children(pid):
        try:
            s = proc_sample(p)
        except (FileNotFoundError, ProcessLookupError):
            continue
        if total is None:
            total = dict(s)
        else:
            for k, v in s.items():
                total[k] += v
    total["processes"] = 1 + len(children(pid))
    return total


def stripped_size(path):
    """Size of a stripped copy of the binary (Debian's packaged binaries are already
    stripped; ours is built with symbols)."""
    tmp = f"/tmp/tally-bench-strip-{os.getpid()}"
    subprocess.run(["strip", "-o", tmp, path], check=True)
    size = os.path.getsize(tmp)
    os.remove(tmp)
    return size


def med(values):
    """(median, min, max) of a non-empty list."""
    return statistics.median(values), min(values), max(values)


def fmt_stat(values, scale=1.0, digits=1):
    if not values:
        return "n/a"
    m, lo, hi = med([v * scale for v in values])
    if lo == hi:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"


def print_table(header, rows):
    """Plain fixed-width table; the first column left-aligned, others right-aligned."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    def line(r):
        return "  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                         for i, c in enumerate(r))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def free_port(low=20000, high=32000):
    """A loopback TCP port free right now, in [low, high) (zabbix_agentd refuses ports
    above 32767)."""
    import random
    import socket
    for _ in range(200):
        port = random.randrange(low, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port")
