"""What a PostgreSQL database stores for a bench month, comparable between two databases (issue 21).

The PostgreSQL twin of month_state.stored_state: the API path (tally-bench-month through a
`serve --db postgresql://…`) and the in-process fast path (tally-bench-fastmonth --db …) pair
the same fleet under different device ids, at different wall times, in different batches.
`stored_state` reads every table with a `device_id` column, plus `devices`, through psql (no
Python driver needed), each device id replaced by the device's hostname and the wall-clock,
random or batching columns left out (month_state.VOLATILE, and `month`: the UTC month a row was
received in). The evidence (`heartbeat_evidence`, one row per batch: the signed body as
received, or a list of length-prefixed heartbeat bytes: server/store/postgres/pg_evidence.h)
is compared by what it proves: one row per counted heartbeat (its seq and exact bytes),
however the batches grouped them.
"""

import csv
import gzip
import io
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from month_state import VOLATILE  # noqa: E402

PG_VOLATILE = VOLATILE | {"month", "first_seq"}
csv.field_size_limit(1 << 30)  # evidence bodies (hex) of a whole month


def query(url, sql):
    """Rows of `sql` as lists of strings (None for NULL), through psql's CSV COPY."""
    proc = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
         f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N')"],
        capture_output=True, text=True, check=True)
    return [[None if v == "\\N" else v for v in row]
            for row in csv.reader(io.StringIO(proc.stdout))]


def decode_list(body):
    """The heartbeats of a list body (kind 1: 4-byte big-endian length, then the bytes)."""
    out, at = [], 0
    while at < len(body):
        n = int.from_bytes(body[at:at + 4], "big")
        out.append(body[at + 4:at + 4 + n].decode("utf-8"))
        at += 4 + n
    return out


def decode_evidence(kind, counted, body_hex):
    """The counted heartbeats of one evidence row: kind 0 is the signed request body as
    received (gzip JSON, only the seqs in `counted` "a-b,c-d" were counted), kind 1 the list
    of counted heartbeats (server/store/postgres/pg_schema.cpp, step 4)."""
    body = bytes.fromhex(body_hex)
    if kind == "1":
        return decode_list(body)
    ranges = [tuple(int(x) for x in r.split("-")) for r in (counted or "").split(",") if r]
    texts = json.loads(gzip.decompress(body).decode("utf-8"))["heartbeats"]
    return [t for t in texts if any(a <= json.loads(t)["seq"] <= b for a, b in ranges)]


def evidence_state(url, host):
    rows = []
    for device, kind, counted, body in query(
            url, "SELECT device_id, kind, counted, encode(body, 'hex') FROM heartbeat_evidence"):
        for text in decode_evidence(kind, counted, body):
            rows.append((host.get(device, device), json.loads(text)["seq"], text))
    return (["device_id", "seq", "bytes"], sorted(rows, key=repr))


def stored_state(url):
    """{table: (columns, sorted rows)} for every table with a device_id column, plus devices."""
    host = dict(query(url, "SELECT id, hostname FROM devices"))
    columns = {}
    for table, column in query(
            url, "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
            " ORDER BY c.table_name, c.ordinal_position"):
        columns.setdefault(table, []).append(column)
    state = {}
    for table, cols in columns.items():
        if table == "heartbeat_evidence" or table.startswith("heartbeat_evidence_"):
            continue  # the partitions: read once through their parent below
        if table != "devices" and "device_id" not in cols:
            continue
        keep = [c for c in cols if c not in PG_VOLATILE]
        rows = [tuple(host.get(v, v) if c == "device_id" else v for c, v in zip(keep, row))
                for row in query(url, f"SELECT {', '.join(keep)} FROM {table}")]
        state[table] = (keep, sorted(rows, key=repr))
    state["heartbeat_evidence"] = evidence_state(url, host)
    return state
