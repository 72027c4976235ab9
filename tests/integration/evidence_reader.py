"""Reads a store's evidence outside the server, for tests and benchmarks that check what it
kept: the heartbeats of a compact evidence body (kind 3; the format is written by
server/store/evidence_compact.cpp), and StoreReader: a device's counted heartbeats, gaps,
forks and held heartbeats from the SQLite file or the PostgreSQL database (psql)."""

import gzip
import hashlib
import json
import os
import sqlite3
import subprocess


def _varint(data, i):
    v = shift = 0
    while True:
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, i


def compact_heartbeats(body):
    """The heartbeats of a compact evidence body (kind 3, server/store/evidence_compact.cpp)."""
    raw = gzip.decompress(body)
    assert raw[:3] == b"TC1", "unknown compact evidence format"
    i = 3 + 10 + 1
    n, i = _varint(raw, i)
    i += n  # the batch JSON template
    count, i = _varint(raw, i)
    out = []
    for _ in range(count):
        chained = raw[i] == 1
        n, i = _varint(raw, i + 1)
        hb = raw[i:i + n]
        i += n
        if chained:
            hb = hb[:-2] + hashlib.sha256(out[-1]).hexdigest().encode() + hb[-2:]
        out.append(hb)
    return [h.decode("utf-8") for h in out]


def _ranges(counted):
    return [tuple(int(x) for x in r.split("-")) for r in (counted or "").split(",") if r]


def batch_heartbeats(kind, counted, body):
    """The counted heartbeats (JSON texts) of one SQLite evidence batch (schema 10: kind 0 a
    signed gzip body, 1 texts, 2 redacted texts, 3 compact)."""
    if kind == 3:
        texts = compact_heartbeats(body)
    else:
        text = gzip.decompress(body).decode("utf-8")
        texts = json.loads(text)["heartbeats"] if kind == 0 else text.split("\n")
    ranges = _ranges(counted)
    return [t for t in texts if any(a <= json.loads(t)["seq"] <= b for a, b in ranges)]


def pg_batch_heartbeats(kind, counted, body):
    """The counted heartbeats of one PostgreSQL evidence row (server/store/postgres/
    pg_evidence.h: kind 0 the signed gzip body and its counted seqs, 1 a list of 4-byte
    length-prefixed heartbeats, a redacted one as `redacted-sha256:…\\n` + its re-encoding)."""
    if kind == 0:
        return batch_heartbeats(0, counted, body)
    out, i = [], 0
    while i < len(body):
        n = int.from_bytes(body[i:i + 4], "big")
        entry = body[i + 4:i + 4 + n].decode("utf-8")
        i += 4 + n
        out.append(entry.split("\n", 1)[1] if entry.startswith("redacted-") else entry)
    return out


class StoreReader:
    """Reads what a test server's store holds about a device, outside the server and read-only,
    whichever backend it runs on: the SQLite file (DATA_DIR/tally.db) or, for a server with a
    PostgreSQL URL (tally_harness.Server.db_url), its database through psql
    (postgresql-client). `server`: a tally_harness.Server."""

    def __init__(self, server):
        self.server = server
        self.url = getattr(server, "db_url", None)

    # SQLite and PostgreSQL take the same statements here: `?` placeholders, which psql gets
    # as variables (:'p1'…), quoted by psql itself.
    def rows(self, sql, params=()):
        if not self.url:
            db = os.path.join(self.server.data_dir, "tally.db")
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
            try:
                return list(con.execute(sql, params))
            finally:
                con.close()
        parts = sql.split("?")
        text = parts[0] + "".join(f":'p{n}'" + p for n, p in enumerate(parts[1:], 1))
        args = ["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d",
                self.url]
        for n, value in enumerate(params, 1):
            args += ["-v", f"p{n}={value}"]
        proc = subprocess.run(args, input=text + ";\n", capture_output=True, text=True,
                              timeout=60)
        if proc.returncode != 0:
            raise AssertionError(f"psql: {proc.stderr.strip()}")
        # Values as psql prints them (text); callers convert.
        return [tuple(line.split("\t")) for line in proc.stdout.splitlines() if line]

    def counted_heartbeats(self, device_id):
        """{seq: heartbeat dict} of the device's counted heartbeats, from its evidence."""
        out = {}
        if self.url:
            batches = [(int(k), c, bytes.fromhex(b)) for k, c, b in self.rows(
                "SELECT kind, coalesce(counted, ''), encode(body, 'hex') FROM heartbeat_evidence"
                " WHERE device_id = ?", (device_id,))]
            decode = pg_batch_heartbeats
        else:
            batches = self.rows("SELECT kind, counted, body FROM evidence_batches"
                                " WHERE device_id = ?", (device_id,))
            decode = batch_heartbeats
        for kind, counted, body in batches:
            for t in decode(kind, counted, body):
                hb = json.loads(t)
                out[hb["seq"]] = hb
        return out

    def device_record(self, device_id):
        """Everything the store holds about the device's delivery, read at once (on
        PostgreSQL one psql call): {"counted": counted_heartbeats(), "gaps": gaps(),
        "forks": seqs("forks"), "held": seqs("held_heartbeats")}."""
        if not self.url:
            return {"counted": self.counted_heartbeats(device_id), "gaps": self.gaps(device_id),
                    "forks": self.seqs("forks", device_id),
                    "held": self.seqs("held_heartbeats", device_id)}
        rows = self.rows(
            "SELECT 'e', kind::text, coalesce(counted, ''), encode(body, 'hex')"
            " FROM heartbeat_evidence WHERE device_id = ?"
            " UNION ALL SELECT 'g', from_seq::text, to_seq::text, reason FROM gaps"
            " WHERE device_id = ?"
            " UNION ALL SELECT 'f', seq::text, '', '' FROM forks WHERE device_id = ?"
            " UNION ALL SELECT 'h', seq::text, '', '' FROM held_heartbeats WHERE device_id = ?",
            (device_id,) * 4)
        out = {"counted": {}, "gaps": [], "forks": set(), "held": set()}
        for tag, a, b, c in ((r + ("", "", ""))[:4] for r in rows):
            if tag == "e":
                for t in pg_batch_heartbeats(int(a), b, bytes.fromhex(c)):
                    hb = json.loads(t)
                    out["counted"][hb["seq"]] = hb
            elif tag == "g":
                out["gaps"].append((int(a), int(b), c))
            else:
                out["forks" if tag == "f" else "held"].add(int(a))
        out["gaps"].sort()
        return out

    def gaps(self, device_id):
        """[(from_seq, to_seq, reason)] of the device's declared gaps, by from_seq."""
        return [(int(a), int(b), r) for a, b, r in self.rows(
            "SELECT from_seq, to_seq, reason FROM gaps WHERE device_id = ? ORDER BY from_seq",
            (device_id,))]

    def seqs(self, table, device_id):
        """The seqs of `table` (forks, held_heartbeats) of the device."""
        return {int(r[0]) for r in self.rows(f"SELECT seq FROM {table} WHERE device_id = ?",
                                             (device_id,))}
