#!/usr/bin/env python3
"""Ingest through real servers (issue 21): `tally-server serve` on SQLite, on PostgreSQL, and
two `serve` processes over one PostgreSQL database, each fed by tally-bench-ingest (real
P-256 keys, signed gzip batches of 12 over HTTPS keep-alive), one client per server, run at
once. Prints heartbeats/s per configuration: the sum of what the clients had acknowledged
over the longest client's load window. Needs TALLY_TEST_POSTGRES_URL.

  bench/postgres/servers.py [--devices N] [--batches B] [--connections C]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))
import common  # noqa: E402


def run_clients(ingest_bin, servers, ca, codes, devices, batches, connections):
    procs = []
    for server, code in zip(servers, codes):
        cmd = [ingest_bin, "--url", server.url, "--ca", ca, "--code", code,
               "--devices", str(devices), "--server-pid", str(server.proc.pid),
               "--connections", str(connections), "--full", f"12:{batches}", "--rate", "0"]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
    accepted, seconds = 0, 0.0
    for p in procs:
        out, _ = p.communicate()
        if p.returncode != 0:
            sys.exit(f"tally-bench-ingest exited {p.returncode}:\n{out}")
        for line in out.splitlines():
            if line.startswith("RESULT "):
                r = json.loads(line[7:])
                if r.get("batch_size") == 12:
                    accepted += r["accepted"]
                    seconds = max(seconds, r["seconds"])
    return accepted, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=400, help="devices per server")
    ap.add_argument("--batches", type=int, default=1500, help="batches of 12 per server")
    ap.add_argument("--connections", type=int, default=16, help="per client")
    args = ap.parse_args()
    common.setup_harness_env()
    ingest_bin = common.binary("TALLY_BENCH_INGEST", "bench/tally-bench-ingest")
    import tally_harness as th
    if not os.environ.get("TALLY_TEST_POSTGRES_URL"):
        sys.exit("TALLY_TEST_POSTGRES_URL is not set (scripts/postgres-cluster start DIR)")

    print(f"== ingest through real servers: batches of 12, {args.batches} per server, "
          f"{args.devices} devices and {args.connections} connections per server")
    for name, count, postgres in (("sqlite", 1, False), ("postgresql, one server", 1, True),
                                  ("postgresql, two servers", 2, True)):
        workdir = tempfile.mkdtemp(prefix="tally-bench-pg-")
        database = th.PostgresDatabase() if postgres else None
        servers = []
        try:
            first = th.Server(workdir, name="s0", db=database.url if database else None)
            servers.append(first.start())
            tls = os.path.join(first.data_dir, "tls")
            for i in range(1, count):
                servers.append(th.Server(
                    workdir, name=f"s{i}", db=database.url,
                    extra_args=["--tls-cert", os.path.join(tls, "server.pem"),
                                "--tls-key", os.path.join(tls, "server.key")]).start())
            first.tenant("bench")
            codes = [first.pairing_code("bench", uses=args.devices) for _ in servers]
            accepted, seconds = run_clients(ingest_bin, servers, first.ca_file, codes,
                                            args.devices, args.batches, args.connections)
        finally:
            for s in servers:
                s.stop()
            if database:
                database.drop()
        expected = 12 * args.batches * count
        print(f"{name:28} {accepted:>9,} heartbeats {seconds:7.2f} s "
              f"{accepted / seconds:>9,.0f} hb/s" + ("" if accepted == expected else
                                                     f"  (expected {expected:,})"))
        print("RESULT " + json.dumps({"phase": "servers", "backend": name, "servers": count,
                                      "accepted": accepted, "seconds": seconds}))


if __name__ == "__main__":
    main()
