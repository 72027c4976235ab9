"""The /ui web page end to end: a real tally-server with data uploaded by the Python protocol
client, then headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core from
npm; ui_browser.mjs) signs in, reads a report, downloads it. Here: the setup, the CSRF
checks on the sign-in form (plain HTTP, no browser needed), and the downloaded XLSX and CSV
read back (openpyxl, csv) and compared with the JSON API's report.

TALLY_UI_SCREENSHOT=path keeps the report page's screenshot there (default: the work dir);
TALLY_UI_ARTIFACTS=dir keeps the console's screenshots at 1280 and 390 px (CTest: the build
dir's tests/ui/artifacts). A 2,000-device tenant "vendor" is written into the server's
database before it starts by tally-bench-console --out (bench/console, the store API).

TALLY_TEST_DB=postgres (CTest: ui.browser.postgres) runs it all on a PostgreSQL database of its
own (tests/integration/tally_harness.py), the fleet written there with --db."""

import base64
import csv
import hashlib
import io
import json
import os
import ssl
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import openpyxl
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from protocol_client import Device
from tally_harness import TallyTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
XSS_HOSTNAME = "<script>window.__tally_pwned=1</script>kiosk"
XSS_PRINCIPAL = "<img src=x onerror=window.__tally_pwned=2>@corp"
BENCH_CONSOLE = os.environ.get("TALLY_BENCH_CONSOLE", "tally-bench-console")
FLEET_DEVICES = 2000


def ensure_playwright():
    """npm ci into tests/ui/node_modules when it is missing or not the locked version."""
    with open(os.path.join(HERE, "package-lock.json")) as f:
        want = json.load(f)["packages"]["node_modules/playwright-core"]["version"]
    installed = os.path.join(HERE, "node_modules", "playwright-core", "package.json")
    try:
        with open(installed) as f:
            if json.load(f)["version"] == want:
                return
    except (FileNotFoundError, ValueError, KeyError):
        pass
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                   check=True, timeout=300)


def spki_pin(cert_path):
    """base64(SHA-256(SubjectPublicKeyInfo DER)) of the certificate, as Chromium's
    --ignore-certificate-errors-spki-list wants it."""
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class WebPage(TallyTestCase):

    def setUp(self):
        super().setUp()
        ensure_playwright()
        now = int(time.time())
        # The 2,000-device tenant, in last month (its state written through the store API).
        first = time.gmtime(now)
        self.fleet_month = "%04d-%02d" % ((first.tm_year, first.tm_mon - 1) if first.tm_mon > 1
                                          else (first.tm_year - 1, 12))
        server = self.server()
        subprocess.run([BENCH_CONSOLE, "--out", server.data_dir, *server.db_args, "--devices",
                        str(FLEET_DEVICES), "--month", self.fleet_month], check=True, timeout=300,
                       stdout=subprocess.DEVNULL)
        self.server = server.start()
        self.server.tenant("acme")
        self.server.tenant("other")
        self.ctx = ssl.create_default_context(cafile=self.server.ca_file)
        # The month of the first heartbeat's start (both carry the same users), so the run
        # also holds in the first minutes of a month.
        self.month = time.strftime("%Y-%m", time.gmtime(now - 900))
        code = self.server.pairing_code("acme", uses=5)
        alice = {"principal": "alice@corp", "local": False, "kind": "x11", "active_minutes": 5}
        evil = {"principal": XSS_PRINCIPAL, "local": False, "kind": "ssh", "active_minutes": 4}
        for host, dtype, users in (("laptop", "business", [alice]),
                                   ("phone", "personal", [alice]),
                                   (XSS_HOSTNAME, "business", [evil]),
                                   ("build-srv", "business", [])):
            d = Device(self.server.url, self.server.ca_file)
            status, doc = d.pair(code, device_type=dtype, hostname=host)
            self.assertEqual(status, 200, doc)
            hbs = [d.next_heartbeat(now - 600, 5, users), d.next_heartbeat(now - 300, 5, users)]
            status, ack = d.upload(hbs)
            self.assertEqual(status, 200, ack)
        other = Device(self.server.url, self.server.ca_file)
        self.assertEqual(other.pair(self.server.pairing_code("other", uses=1),
                                    hostname="other-host")[0], 200)
        self.global_token = self.server.admin_token()
        self.acme_token = self.server.admin_token("acme")

    def http(self, method, path, body=None, headers=None):
        """One request; redirects are answers here, not followed. A console page whose month
        is still being computed (it reloads itself: Refresh) is asked again, as the browser
        would, so the checks read the real page."""
        deadline = time.monotonic() + 120
        while True:
            answer = self._http_once(method, path, body, headers)
            if "Refresh" not in answer[1] or time.monotonic() > deadline:
                return answer
            time.sleep(0.2)

    def _http_once(self, method, path, body, headers):
        req = urllib.request.Request(self.server.url + path, data=body, method=method,
                                     headers=headers or {})
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.ctx),
                                             NoRedirect())
        try:
            with opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def api_report(self):
        status, _, raw = self.http("GET", f"/v1/tenants/acme/usage?month={self.month}",
                                   headers={"Authorization": f"Bearer {self.global_token}"})
        self.assertEqual(status, 200, raw[:300])
        return json.loads(raw)

    def test_sign_in_report_download_in_chromium(self):
        report = self.api_report()
        # The data the page will show holds the hostile strings and something to bill.
        self.assertIn(XSS_HOSTNAME, [d["hostname"] for d in report["devices"]])
        self.assertIn(XSS_PRINCIPAL, [u["principal"] for u in report["users"]])
        self.assertGreater(report["summary"]["billable_units"], 0)

        self._check_csrf_and_headers()

        self._check_console_parameters()
        screenshot = os.environ.get("TALLY_UI_SCREENSHOT") or os.path.join(self.workdir,
                                                                           "report.png")
        artifacts = os.environ.get("TALLY_UI_ARTIFACTS") or os.path.join(self.workdir, "shots")
        os.makedirs(artifacts, exist_ok=True)
        setup = {
            "url": self.server.url, "month": self.month, "report": report,
            "global_token": self.global_token, "acme_token": self.acme_token,
            "all_tenants": ["acme", "other", "small-a", "small-b", "small-c", "vendor"],
            "fleet_tenant": "vendor", "fleet_month": self.fleet_month, "artifacts": artifacts,
            "spki_pin": spki_pin(os.path.join(self.server.data_dir, "tls", "server.pem")),
            "xss_hostname": XSS_HOSTNAME, "xss_principal": XSS_PRINCIPAL,
            "xlsx_path": os.path.join(self.workdir, "download.xlsx"),
            "csv_path": os.path.join(self.workdir, "download.csv"),
            "screenshot": screenshot,
        }
        setup_path = os.path.join(self.workdir, "ui-setup.json")
        with open(setup_path, "w") as f:
            json.dump(setup, f)
        env = dict(os.environ, HOME=self.workdir)  # Chromium's crash/config dirs stay here
        proc = subprocess.run(["node", os.path.join(HERE, "ui_browser.mjs"), setup_path],
                              capture_output=True, text=True, timeout=300, env=env)
        sys.stdout.write(proc.stdout)
        self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr[-3000:])
        self.assertTrue(os.path.getsize(screenshot) > 10000, "screenshot written")
        for name in ("customers", "month"):
            for width in (1280, 390):
                shot = os.path.join(artifacts, f"{name}-{width}.png")
                self.assertTrue(os.path.getsize(shot) > 10000, shot)

        self._check_xlsx(report, setup["xlsx_path"])
        self._check_csv(report, setup["csv_path"])
        # The token never reached the server's log (sign-in lines name the scope only).
        self.assertNotIn(self.global_token, self.server.logs())
        self.assertNotIn(self.acme_token, self.server.logs())

    def _check_csrf_and_headers(self):
        form = urllib.parse.urlencode({"token": self.global_token}).encode()
        ctype = {"Content-Type": "application/x-www-form-urlencoded"}
        # A cross-site form post (another origin), and one with neither Origin nor Referer.
        for extra in ({"Origin": "https://evil.example"}, {},
                      {"Referer": "https://evil.example/ui"}):
            status, headers, body = self.http("POST", "/ui/sign-in", form, {**ctype, **extra})
            self.assertEqual(status, 403, extra)
            self.assertNotIn("Set-Cookie", headers)
            self.assertIn(b"Cross-site form posts are refused", body)
        status, headers, _ = self.http("POST", "/ui/sign-out", b"",
                                       {**ctype, "Origin": "https://evil.example"})
        self.assertEqual(status, 403)
        # The same post from the page's own origin signs in: 303 to /ui with the cookie.
        status, headers, _ = self.http("POST", "/ui/sign-in", form,
                                       {**ctype, "Origin": self.server.url})
        self.assertEqual(status, 303)
        cookie = headers["Set-Cookie"]
        for attr in ("__Host-tally_session=", "HttpOnly", "Secure", "SameSite=Strict",
                     "Path=/", "Max-Age="):
            self.assertIn(attr, cookie)
        self.assertNotIn(self.global_token, cookie)
        status, headers, body = self.http("GET", "/ui")
        self.assertEqual(status, 200)
        csp = headers["Content-Security-Policy"]
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("script-src", csp)
        self.assertNotIn(b"<script", body)
        self.assertNotIn(b"http://", body)  # no external assets
        self.assertNotIn(b"https://", body)

    def _check_console_parameters(self):
        """Every console page: 401 without a session, no POST route (CSRF: GETs only change
        nothing), and hostile query parameters refused with a clear message, escaped."""
        m = self.month
        pages = ["/ui/report?tenant=acme&month=" + m, f"/ui/device?tenant=acme&month={m}&id=x",
                 f"/ui/user?tenant=acme&month={m}&key=x", "/ui/usage.csv?tenant=acme&month=" + m]
        for path in pages:
            self.assertEqual(self.http("GET", path)[0], 401, path)
            self.assertIn(self.http("POST", path.split("?")[0], b"",
                                    {"Origin": self.server.url})[0], (404, 405), path)
        form = urllib.parse.urlencode({"token": self.global_token}).encode()
        _, headers, _ = self.http("POST", "/ui/sign-in", form,
                                  {"Content-Type": "application/x-www-form-urlencoded",
                                   "Origin": self.server.url})
        cookie = {"Cookie": headers["Set-Cookie"].split(";")[0]}
        evil = urllib.parse.quote("<script>x</script>\"'>")
        for path, status, names in (
                (f"/ui?status={evil}", 400, "status"), (f"/ui?sort={evil}", 400, "sort"),
                (f"/ui?page={evil}", 400, "page"), (f"/ui?month={evil}", 400, "month"),
                (f"/ui?dir={evil}", 400, "dir"), (f"/ui?q={evil}", 200, None),
                (f"/ui/report?tenant=acme&month={m}&devices_sort={evil}", 400, "devices_sort"),
                (f"/ui/report?tenant=acme&month={m}&users_dir={evil}", 400, "users_dir"),
                (f"/ui/report?tenant=acme&month={m}&devices_page=-1", 400, "devices_page"),
                (f"/ui/report?tenant=acme&month={m}&devices_dir={evil}", 400, "devices_dir"),
                (f"/ui/report?tenant=acme&month={m}&users_sort={evil}", 400, "users_sort"),
                (f"/ui/report?tenant=acme&month={m}&users_page={evil}", 400, "users_page"),
                (f"/ui/report?tenant=acme&month={m}&devices_q={evil}&users_q={evil}", 200, None),
                (f"/ui/report?tenant={evil}&month={m}", 404, None),
                (f"/ui/report?tenant=acme&month={evil}", 400, None),
                (f"/ui/device?tenant=acme&month={m}&id={evil}", 404, None),
                (f"/ui/device?tenant=acme&month={evil}&id=x", 400, "month"),
                (f"/ui/device?tenant={evil}&month={m}&id=x", 404, None),
                (f"/ui/user?tenant=acme&month={m}&key={evil}", 404, None),
                (f"/ui/user?tenant=acme&month={evil}&key=x", 400, "month"),
                (f"/ui/usage.csv?tenant={evil}&month={m}", 404, None),
                (f"/ui/usage.xlsx?tenant=acme&month={evil}", 400, None)):
            got, headers, body = self.http("GET", path, headers=cookie)
            self.assertEqual(got, status, (path, body[:400]))
            self.assertNotIn("Refresh", headers, path)
            self.assertNotIn(b"<script>x", body, path)
            self.assertNotIn(b"\"'>", body, path)
            if names:
                self.assertIn(f"Parameter {names}".encode(), body, path)

    def _check_xlsx(self, report, path):
        self.assertTrue(zipfile.is_zipfile(path), "the download is a zip")
        with zipfile.ZipFile(path) as z:
            self.assertIn("xl/workbook.xml", z.namelist())
        wb = openpyxl.load_workbook(path)
        self.assertIn("Summary", wb.sheetnames)
        summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
        s = report["summary"]
        for key in ("active_devices", "active_users", "standalone_devices", "overflow_devices",
                    "billable_units", "reported_units", "late_adjustments"):
            self.assertEqual(summary[key], s[key], key)
        self.assertEqual(summary["tenant"], "acme")
        sheet = wb["Devices"]
        header = [c.value for c in sheet[1]]
        hosts = {dict(zip(header, r))["hostname"]
                 for r in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(hosts, {d["hostname"] for d in report["devices"]})

    def _check_csv(self, report, path):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        summary = [r for r in rows if r["row_type"] == "summary"]
        self.assertEqual(len(summary), 1)
        self.assertEqual(int(summary[0]["billable_units"]), report["summary"]["billable_units"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
