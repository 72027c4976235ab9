"""server/api/openapi.yaml against the running server: every documented operation is called
and every status it documents is provoked and must be what the server answers. The list of
requests below is keyed by (operationId, status); a documented pair without a request, or a
request for an undocumented pair, fails the test, so the document and the server cannot
drift apart silently."""

import gzip
import hashlib
import http.client
import json
import os
import ssl
import time
import unittest

import yaml

from protocol_client import Device, b64url, rfc3339
from tally_harness import TallyTestCase, current_month

SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "server", "api", "openapi.yaml")


def make_bundle(server):
    """A standalone bundle (PROTOCOL.md §10) of two heartbeats by a new key, as an agent's
    `tally-agent export` writes it."""
    dev = Device(server.url, server.ca_file)
    hbs = [dev.next_heartbeat(time.time() - 600), dev.next_heartbeat(time.time() - 300)]
    digest = hashlib.sha256(b"".join(hashlib.sha256(h.encode()).digest() for h in hbs))
    start = int(time.time()) - 3600
    manifest = compact({
        "format": "tally-bundle", "version": 1, "public_key": b64url(dev.public_key()),
        "device": {"hostname": "solo", "os": "linux", "os_version": "test",
                   "agent_version": "0.0-py", "device_type": "business", "role": "workstation",
                   "fingerprint": "f" * 64},
        "created_at": rfc3339(time.time()), "from": rfc3339(start),
        "to": rfc3339(start + 7200), "first_seq": 1, "last_seq": 2, "count": 2,
        "prev": "0" * 64, "head": hashlib.sha256(hbs[-1].encode()).hexdigest(),
        "heartbeats_sha256": digest.hexdigest(), "gaps": []})
    return (compact({"manifest": manifest, "heartbeats": hbs,
                     "signature": dev.sign(manifest.encode())}) + "\n").encode()


def compact(doc):
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


class OpenApi(TallyTestCase):

    def setUp(self):
        super().setUp()
        with open(SPEC) as f:
            self.spec = yaml.safe_load(f)
        self.srv = self.server()
        self.srv.tenant("acme")
        self.srv.tenant("other")
        self.code = self.srv.pairing_code("acme", uses=10)
        self.glob = self.srv.admin_token()
        self.acme = self.srv.admin_token("acme")
        self.srv.start()
        host, port = self.srv.addr.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.ctx = ssl.create_default_context(cafile=self.srv.ca_file)
        self.dev = Device(self.srv.url, self.srv.ca_file)
        assert self.dev.pair(self.code)[0] == 200
        assert self.dev.upload([self.dev.next_heartbeat()])[0] == 200
        # Devices of their own for the statuses that end a device or drain its budget, paired
        # before the pairing limit is provoked.
        self.extra = {}
        for name in ("retired", "retires", "busy"):
            self.extra[name] = Device(self.srv.url, self.srv.ca_file)
            assert self.extra[name].pair(self.code)[0] == 200
        self.srv.tenant("paused")
        self.extra["paused"] = Device(self.srv.url, self.srv.ca_file)
        assert self.extra["paused"].pair(self.srv.pairing_code("paused"))[0] == 200

    def call(self, method, path, body=b"", headers=None, token=None):
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body if method == "POST" else None, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def requests(self):
        """(operationId, status) → a function making that request."""
        g, a, d = self.glob, self.acme, self.dev
        month = current_month()
        code = self.code

        def pair(body_edit=None, n=1):
            def run():
                dev = Device(self.srv.url, self.srv.ca_file)
                status, _ = dev.pair(code if body_edit is None else body_edit)
                return status, b""
            return run

        def upload_signed(body, sign=True, device=None):
            def run():
                return d.post_body(body, device_id=device) if sign else \
                    d.post_body(body, signature="A" * 86, device_id=device)
            return run

        def post(path, body=None, token=None, headers=None):
            return lambda: self.call("POST", path, body if body is not None else {}, headers, token)

        def get(path, token=None, headers=None):
            return lambda: self.call("GET", path, headers=headers, token=token)

        big = b"x" * (5 * 1024 * 1024)
        x = self.extra
        r = {
            ("pair", 429): self.pair_until_limited,
            ("uploadBatch", 403): self.upload_to_inactive_tenant,
            ("uploadBatch", 410): self.upload_after_admin_retire,
            ("uploadBatch", 429): self.upload_until_limited,
            ("retire", 200): lambda: x["retires"].request(
                "/v1/retire", *self.signed_retire(x["retires"])),
            ("importBundle", 200): lambda: self.call("POST", "/v1/tenants/acme/import",
                                                     make_bundle(self.srv), token=g),
        }
        r |= {
            ("pair", 200): pair(),
            ("pair", 400): lambda: self.call("POST", "/v1/pair", b"not json",
                                             {"Tally-Signature": "A" * 86}),
            ("pair", 401): lambda: self.call("POST", "/v1/pair", b"{}", {}),
            ("pair", 403): pair("TLY-AAAA-AAAA-AAAA-AAAA"),
            ("pair", 413): lambda: self.call("POST", "/v1/pair", big, {"Tally-Signature": "A"}),
            ("uploadBatch", 200): lambda: d.upload([d.next_heartbeat()]),
            ("uploadBatch", 400): upload_signed(b"\x1f\x8bnot gzip"),
            ("uploadBatch", 401): upload_signed(gzip.compress(b"{}"), sign=False),
            ("uploadBatch", 413): lambda: self.call("POST", "/v1/heartbeats", big,
                                                    {"Tally-Device": d.device_id}),
            ("retire", 400): lambda: self.call("POST", "/v1/retire", b"{}", {
                "Tally-Device": d.device_id, "Tally-Signature": "A" * 86,
                "Content-Encoding": "gzip, gzip"}),
            ("retire", 401): lambda: self.call("POST", "/v1/retire", b"{}", {
                "Tally-Device": d.device_id, "Tally-Signature": "A" * 86}),
            ("listTenants", 200): get("/v1/tenants", g),
            ("listTenants", 401): get("/v1/tenants"),
            ("createTenant", 200): post("/v1/tenants", {"name": "made"}, g),
            ("createTenant", 400): post("/v1/tenants", {"name": 5}, g),
            ("createTenant", 401): post("/v1/tenants", {"name": "x"}),
            ("createTenant", 403): post("/v1/tenants", {"name": "y"}, a),
            ("getTenant", 200): get("/v1/tenants/acme", a),
            ("getTenant", 401): get("/v1/tenants/acme"),
            ("getTenant", 403): get("/v1/tenants/other", a),
            ("getTenant", 404): get("/v1/tenants/nope", g),
            ("listAdminTokens", 200): get("/v1/admin-tokens", g),
            ("listAdminTokens", 401): get("/v1/admin-tokens"),
            ("listAdminTokens", 403): get("/v1/admin-tokens", a),
            ("createAdminToken", 200): post("/v1/admin-tokens", {"name": "api", "tenant": "acme"},
                                            g),
            ("createAdminToken", 400): post("/v1/admin-tokens", {"expires": "soon"}, g),
            ("createAdminToken", 401): post("/v1/admin-tokens", {}),
            ("createAdminToken", 403): post("/v1/admin-tokens", {}, a),
            ("createAdminToken", 404): post("/v1/admin-tokens", {"tenant": "nope"}, g),
            ("revokeAdminToken", 200): self.revoke_new_token,
            ("revokeAdminToken", 401): post("/v1/admin-tokens/0123456789ab/revoke"),
            ("revokeAdminToken", 403): post("/v1/admin-tokens/0123456789ab/revoke", {}, a),
            ("revokeAdminToken", 404): post("/v1/admin-tokens/0123456789ab/revoke", {}, g),
            ("purge", 200): post("/v1/purge", {}, g),
            ("purge", 401): post("/v1/purge", {}),
            ("purge", 403): post("/v1/purge", {}, a),
            ("importBundle", 401): lambda: self.call("POST", "/v1/tenants/acme/import", b"x"),
            ("importBundle", 403): lambda: self.call("POST", "/v1/tenants/other/import", b"x",
                                                     token=a),
            ("importBundle", 413): lambda: self.call("POST", "/v1/tenants/acme/import", big,
                                                     token=g),
            ("importBundle", 422): lambda: self.call("POST", "/v1/tenants/acme/import",
                                                     b"not a bundle", token=g),
            ("metrics", 200): get("/metrics", g),
            ("metrics", 401): get("/metrics"),
            ("metrics", 403): get("/metrics", a),
            ("uiHome", 200): get("/ui"),
            ("uiSignIn", 303): lambda: self.call(
                "POST", "/ui/sign-in", f"token={g}".encode(),
                {"Content-Type": "application/x-www-form-urlencoded",
                 "Origin": f"https://{self.srv.addr}", "Host": self.srv.addr}),
            ("uiSignIn", 401): lambda: self.call(
                "POST", "/ui/sign-in", b"token=tat_wrong",
                {"Content-Type": "application/x-www-form-urlencoded",
                 "Origin": f"https://{self.srv.addr}", "Host": self.srv.addr}),
            ("uiSignIn", 403): lambda: self.call(
                "POST", "/ui/sign-in", b"token=x",
                {"Content-Type": "application/x-www-form-urlencoded",
                 "Origin": "https://evil.example"}),
            ("uiSignOut", 303): lambda: self.call("POST", "/ui/sign-out", b"", {
                "Origin": f"https://{self.srv.addr}", "Host": self.srv.addr}),
            ("uiSignOut", 403): lambda: self.call("POST", "/ui/sign-out", b"",
                                                  {"Origin": "https://evil.example"}),
            ("uiReport", 200): self.ui_report,
            ("uiReport", 401): get(f"/ui/report?tenant=acme&month={month}"),
        }
        for what, body in (("status", {"status": "active"}), ("trial", {"trial_end": "2030-01-01"}),
                           ("policy", {"grace_hours": 24})):
            op = "setTenant" + what.title()
            r[(op, 200)] = post(f"/v1/tenants/acme/{what}", body, g)
            r[(op, 400)] = post(f"/v1/tenants/acme/{what}", {"grace_hours": "x"}, g)
            r[(op, 401)] = post(f"/v1/tenants/acme/{what}", body)
            r[(op, 403)] = post(f"/v1/tenants/acme/{what}", body, a)
            r[(op, 404)] = post(f"/v1/tenants/nope/{what}", body, g)
        for op, path, body in (("createGroup", "/v1/tenants/{t}/groups", {"name": "eng"}),
                               ("addGroupMember", "/v1/tenants/{t}/groups/eng/members",
                                {"principal": "alice"}),
                               ("attachSubscription", "/v1/tenants/{t}/subscriptions",
                                {"group": "eng", "package": "pro"}),
                               ("deviceUser", "/v1/tenants/{t}/devices/{d}/user",
                                {"principal": "alice"}),
                               ("deviceType", "/v1/tenants/{t}/devices/{d}/type",
                                {"type": "personal"}),
                               ("mergeUsers", "/v1/tenants/{t}/users/merge",
                                {"from": "alice", "into": "bob"}),
                               ("deviceRetire", "/v1/tenants/{t}/devices/{d}/retire", {})):
            p = lambda t, path=path: path.replace("{t}", t).replace("{d}", d.device_id)
            r[(op, 200)] = post(p("acme"), body, a)
            r[(op, 400)] = lambda p=p: self.call("POST", p("acme"), b"[1]", token=a)
            r[(op, 401)] = post(p("acme"), body)
            r[(op, 403)] = post(p("other"), body, a)
            r[(op, 404)] = post(p("nope"), body, g)
        for op, path in (("listGroups", "groups"), ("listSubscriptions", "subscriptions"),
                         ("listDevices", "devices"), ("listUsers", "users")):
            r[(op, 200)] = get(f"/v1/tenants/acme/{path}", a)
            r[(op, 401)] = get(f"/v1/tenants/acme/{path}")
            r[(op, 403)] = get(f"/v1/tenants/other/{path}", a)
            r[(op, 404)] = get(f"/v1/tenants/nope/{path}", g)
        for op, suffix in (("usage", ""), ("usageJSON", ".json"), ("usageCSV", ".csv"),
                           ("usageXLSX", ".xlsx")):
            r[(op, 200)] = get(f"/v1/tenants/acme/usage{suffix}?month={month}", a)
            r[(op, 400)] = get(f"/v1/tenants/acme/usage{suffix}?month=13", a)
            r[(op, 401)] = get(f"/v1/tenants/acme/usage{suffix}?month={month}")
            r[(op, 403)] = get(f"/v1/tenants/other/usage{suffix}?month={month}", a)
            r[(op, 404)] = get(f"/v1/tenants/nope/usage{suffix}?month={month}", g)
        return r

    def pair_until_limited(self):
        """Failed pairings from one address are limited (PROTOCOL.md §4): 30 at once."""
        for _ in range(100):
            status, doc = Device(self.srv.url, self.srv.ca_file).pair("TLY-AAAA-AAAA-AAAA-AAAA")
            if status != 403:
                return status, json.dumps(doc).encode()
        return 403, b"never limited"

    def upload_to_inactive_tenant(self):
        status, body = self.call("POST", "/v1/tenants/paused/status", {"status": "inactive"},
                                 token=self.glob)
        assert status == 200, body
        dev = self.extra["paused"]
        return dev.upload([dev.next_heartbeat()])

    def revoke_new_token(self):
        """A token made for this (revoking the test's own would end the other requests)."""
        status, body = self.call("POST", "/v1/admin-tokens", {"name": "short"}, token=self.glob)
        assert status == 200, body
        made = json.loads(body)
        status, body = self.call("POST", f"/v1/admin-tokens/{made['id']}/revoke", {},
                                 token=self.glob)
        if status == 200:
            # Revoked at once: the token it named no longer reads anything.
            assert self.call("GET", "/v1/tenants", token=made["token"])[0] == 401
        return status, body

    def upload_after_admin_retire(self):
        dev = self.extra["retired"]
        status, body = self.call("POST", f"/v1/tenants/acme/devices/{dev.device_id}/retire", {},
                                 token=self.glob)
        assert status == 200, body
        return dev.upload([dev.next_heartbeat()])

    def upload_until_limited(self):
        """Signed uploads of one device are limited (burst 120, then 2 a second)."""
        dev = self.extra["busy"]
        for _ in range(400):
            status, doc = dev.upload([])
            if status != 200:
                return status, json.dumps(doc).encode()
        return 200, b"never limited"

    def signed_retire(self, dev):
        body = json.dumps({"device_id": dev.device_id, "time": rfc3339(time.time()),
                           "reason": "uninstall"}).encode()
        return body, {"Content-Type": "application/json", "Tally-Device": dev.device_id,
                      "Tally-Signature": dev.sign(body)}

    def ui_report(self):
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)
        conn.request("POST", "/ui/sign-in", body=f"token={self.glob}".encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{self.srv.addr}", "Host": self.srv.addr})
        resp = conn.getresponse()
        resp.read()
        cookie = resp.getheader("Set-Cookie").split(";")[0]
        conn.request("GET", f"/ui/report?tenant=acme&month={current_month()}",
                     headers={"Cookie": cookie, "Host": self.srv.addr})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def documented(self):
        for path, ops in self.spec["paths"].items():
            for method, op in ops.items():
                for status in op["responses"]:
                    yield op["operationId"], int(status)

    def test_every_documented_route_and_status_is_what_the_server_answers(self):
        self.assertEqual(self.spec["openapi"], "3.1.0")
        requests = self.requests()
        documented = list(self.documented())
        # The limits last: once the address may pair no more, later requests must not pair.
        for key in sorted(documented, key=lambda k: k[1] == 429):
            with self.subTest(operation=key[0], status=key[1]):
                self.assertIn(key, requests, "documented but never requested")
                status, body = requests[key]()
                self.assertEqual(status, key[1], repr(body)[:300])
        extra = set(requests) - set(documented)
        self.assertFalse(extra, f"requested but not documented: {sorted(extra)}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
