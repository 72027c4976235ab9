"""Reads the SQLite store's evidence outside the server, for tests and benchmarks that check
what it kept: the heartbeats of a compact evidence body (kind 3; the format is written by
server/store/evidence_compact.cpp)."""

import gzip
import hashlib


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
