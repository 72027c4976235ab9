"""What a data dir stores for a bench month, comparable between two data dirs (issue 20).

The API path (tally-bench-month through HTTPS) and the in-process fast path
(tally-bench-fastmonth) pair the same fleet under different device ids and store at
different wall times; everything else must be equal. `stored_state` reads every table that
holds per-device data (the evidence: the counted heartbeats decoded from the evidence batches,
gaps, forks, held heartbeats, chain breaks; the rollups; the devices themselves) with each device id replaced by
the device's hostname (`bench-<i>`, the same on both paths) and the columns that are
wall-clock or random by nature left out (receive times, a device's last_seen, keys, ids).
Evidence batches are compared by what they prove, one row per counted heartbeat (kind, seq,
exact bytes): how heartbeats are grouped into batches, a batch's sent_at and its (randomised)
ECDSA signature differ between any two runs. `report_state` does the same for the usage report.
The rollup-level fast path (tally-bench-fastmonth --rollups-only) writes no evidence: its
comparison skips EVIDENCE_TABLES and compares every other table, all the report reads.
"""

import gzip
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "integration"))
from evidence_reader import compact_heartbeats  # noqa: E402

# Columns whose values differ between two runs that stored the same thing.
# A device's last_seen is when the server last heard from it (the receive time).
VOLATILE = {"received_at", "paired_at", "public_key", "id", "created_at", "last_seen",
            "updated_at", "tenant_id"}


# What the rollup-level fast path (tally-bench-fastmonth --rollups-only) does not write: the
# evidence. Every other table — all the report reads — is compared.
EVIDENCE_TABLES = ("evidence_batches", "evidence_packs", "evidence_pack_hashes")


def stored_state(db_path, skip=()):
    """{table: sorted rows} for every table with a device_id column, plus `devices`, but the
    tables named in `skip`."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        host = dict(con.execute("SELECT id, hostname FROM devices"))
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        state = {}
        for table in tables:
            if table in skip:
                continue
            if table == "evidence_batches":
                state[table] = evidence_state(con, host)
                continue
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            if table != "devices" and "device_id" not in cols:
                continue
            keep = [c for c in cols if c not in VOLATILE]
            rows = []
            for row in con.execute(f"SELECT {', '.join(keep)} FROM {table}"):
                rows.append(tuple(host.get(v, v) if c == "device_id" else v
                                  for c, v in zip(keep, row)))
            state[table] = (keep, sorted(rows, key=repr))
        return state
    finally:
        con.close()


def evidence_state(con, host):
    """(columns, sorted rows): one row per counted heartbeat of the evidence batches."""
    rows = []
    for device, kind, counted, body in con.execute(
            "SELECT device_id, kind, counted, body FROM evidence_batches"):
        ranges = [tuple(int(x) for x in r.split("-")) for r in counted.split(",") if r]
        if kind == 3:
            texts = compact_heartbeats(body)
        else:
            text = gzip.decompress(body).decode("utf-8")
            texts = json.loads(text)["heartbeats"] if kind == 0 else text.split("\n")
        for t in texts:
            seq = json.loads(t)["seq"]
            if any(a <= seq <= b for a, b in ranges):
                # A signed body kept as received or compact proves the same (kind 0 or 3).
                rows.append((host.get(device, device), 0 if kind == 3 else kind, seq, t))
    return (["device_id", "kind", "seq", "bytes"], sorted(rows, key=repr))


def report_state(report_path):
    """The usage report with device ids replaced by hostnames and generated_at left out."""
    with open(report_path) as f:
        report = json.load(f)
    host = {d["device_id"]: d["hostname"] for d in report["devices"]}
    text = json.dumps(report, sort_keys=True)
    for device_id, name in host.items():
        text = text.replace(json.dumps(device_id), json.dumps("device:" + name))
    report = json.loads(text)
    report.pop("generated_at", None)
    for device in report["devices"]:
        device.pop("last_seen", None)  # the receive time of its last batch
    report["devices"].sort(key=lambda d: d["device_id"])
    # Rows ordered by device id (random per path) among equals are put in one order.
    for user in report["users"]:
        for key in ("devices", "devices_paired"):
            if isinstance(user.get(key), list):
                user[key].sort()
    report["users"].sort(key=lambda u: json.dumps(u, sort_keys=True))
    report.get("late", []).sort(key=lambda x: json.dumps(x, sort_keys=True))
    return report


def differences(a, b, limit=10):
    """Human-readable differences between two stored_state() results."""
    out = []
    for table in sorted(set(a) | set(b)):
        if table not in a or table not in b:
            out.append(f"{table}: only in one data dir")
            continue
        (cols_a, rows_a), (cols_b, rows_b) = a[table], b[table]
        if cols_a != cols_b:
            out.append(f"{table}: columns {cols_a} != {cols_b}")
        elif rows_a != rows_b:
            only_a = [r for r in rows_a if r not in set(rows_b)][:3]
            only_b = [r for r in rows_b if r not in set(rows_a)][:3]
            out.append(f"{table}: {len(rows_a)} rows vs {len(rows_b)}; e.g. API only "
                       f"{only_a!r}, fast only {only_b!r}")
        if len(out) >= limit:
            break
    return out


def json_differences(a, b, path="", limit=10):
    """Paths where two JSON values differ, with both values (at most `limit`)."""
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            out += json_differences(a.get(key), b.get(key), f"{path}.{key}", limit - len(out))
            if len(out) >= limit:
                break
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            out += json_differences(x, y, f"{path}[{i}]", limit - len(out))
            if len(out) >= limit:
                break
    elif a != b:
        out.append(f"{path or '.'}: API {json.dumps(a)[:200]} != fast {json.dumps(b)[:200]}")
    return out
