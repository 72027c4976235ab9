"""An independent implementation of pairing/PROTOCOL.md in Python (python3-cryptography).

It checks the C++ server against the written contract rather than against the C++ client,
and it can do what a well-behaved agent never does: replay, forge, truncate.
"""

import base64
import gzip
import hashlib
import json
import os
import ssl
import time
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

GENESIS = "0" * 64


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rfc3339(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def encode_heartbeat(seq, start, end, prev, active_minutes=0, users=(), boot_id="b" * 32,
                     uptime_s=1000):
    """Canonical heartbeat bytes per PROTOCOL.md §3 (fixed key order, no whitespace)."""
    users = sorted(users, key=lambda u: u["principal"])
    doc = ("{" + f'"seq":{seq},"start":"{rfc3339(start)}","end":"{rfc3339(end)}",'
           f'"boot_id":{json.dumps(boot_id)},"uptime_s":{uptime_s},'
           f'"device_active_minutes":{active_minutes},"users":[' +
           ",".join("{" + f'"principal":{json.dumps(u["principal"])},'
                    f'"local":{"true" if u["local"] else "false"},'
                    f'"kind":{json.dumps(u["kind"])},"active_minutes":{u["active_minutes"]}' + "}"
                    for u in users) +
           f'],"prev":"{prev}"' + "}")
    return doc


class Device:
    def __init__(self, server_url, ca_file, clock=time.time):
        """`clock`: the time the client claims (a server under faketime needs its fake time)."""
        self.clock = clock
        self.server_url = server_url
        self.ctx = ssl.create_default_context(cafile=ca_file)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.device_id = None
        self.prev = GENESIS
        self.seq = 0

    def public_key(self):
        return self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint)

    def sign(self, data, key=None):
        der = (key or self.key).sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def request(self, path, body, headers):
        req = urllib.request.Request(self.server_url + path, data=body, headers=headers,
                                     method="POST")
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw

    def pair(self, code, device_type="business", role="workstation", hostname="py-client"):
        body = json.dumps({
            "code": code, "public_key": b64url(self.public_key()), "time": rfc3339(self.clock()),
            "nonce": b64url(os.urandom(16)),
            "device": {"hostname": hostname, "os": "linux", "os_version": "test",
                       "agent_version": "0.0-py", "device_type": device_type, "role": role,
                       "fingerprint": hashlib.sha256(os.urandom(8)).hexdigest()}}).encode()
        status, doc = self.request("/v1/pair", body, {"Content-Type": "application/json",
                                                      "Tally-Signature": self.sign(body)})
        if status == 200:
            self.device_id = doc["device_id"]
        return status, doc

    def next_heartbeat(self, end=None, active_minutes=5, users=(), span=300):
        end = int(end if end is not None else self.clock())
        self.seq += 1
        hb = encode_heartbeat(self.seq, end - span, end, self.prev, active_minutes, users)
        self.prev = hashlib.sha256(hb.encode()).hexdigest()
        return hb

    def batch_body(self, heartbeats, gaps=()):
        doc = {"device_id": self.device_id, "sent_at": rfc3339(self.clock()),
               "heartbeats": list(heartbeats), "gaps": list(gaps)}
        return gzip.compress(json.dumps(doc).encode())

    def post_body(self, body, sign_key=None, device_id=None, signature=None):
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip",
                   "Tally-Device": device_id or self.device_id,
                   "Tally-Signature": signature or self.sign(body, sign_key)}
        return self.request("/v1/heartbeats", body, headers)

    def upload(self, heartbeats, gaps=()):
        return self.post_body(self.batch_body(heartbeats, gaps))
