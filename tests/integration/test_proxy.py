"""Uploads through a real authenticating HTTP proxy (tinyproxy on loopback, BasicAuth), by
way of tally-agent-helper's libcurl: the `proxy` config key, credentials from a 0600
`proxy_credentials_file` (refused when others can read it), HTTPS_PROXY from the
environment, NO_PROXY, and a wrong password refused with a clear error; and through squid
asking for Digest, or NTLM (squid's ntlm_fake_auth: the exchange, not a password check),
authentication only (libcurl's CURLAUTH_ANY answers whatever the proxy
asks for); through an HTTPS proxy (squid `https_port`, its certificate from a test CA that
the agent trusts through `ca_file`, CURLOPT_PROXY_CAINFO_BLOB; a proxy certificate from an
unknown CA is refused); and through a SOCKS5 proxy (a small RFC 1928/1929 server in this
file, username/password from the 0600 file). TLS still ends at tally-server (CONNECT tunnel
or SOCKS relay), so the server's CA is verified as always."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from tally_harness import TallyTestCase, run, wait_until

TINYPROXY = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"
SQUID = shutil.which("squid") or "/usr/sbin/squid"
DIGEST_AUTH = "/usr/lib/squid/digest_file_auth"
# Accepts any user and password: it proves the NTLM exchange (type 1, 2, 3 messages on a
# kept-alive CONNECT), not a password check; a domain would be needed for that.
NTLM_AUTH = "/usr/lib/squid/ntlm_fake_auth"
USER, PASSWORD = "tally", "s3cret-proxy"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tinyproxy:
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "tinyproxy")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "tinyproxy.log")
        self.conf = os.path.join(self.dir, "tinyproxy.conf")
        with open(self.conf, "w") as f:
            f.write(f"""Port {self.port}
Listen 127.0.0.1
Timeout 60
MaxClients 20
Allow 127.0.0.1
BasicAuth {USER} {PASSWORD}
LogFile "{self.log_path}"
LogLevel Connect
PidFile "{os.path.join(self.dir, 'tinyproxy.pid')}"
""")
        self.proc = subprocess.Popen([TINYPROXY, "-d", "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._listening, 10, what="tinyproxy listening")

    def _listening(self):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def url(self, user=USER, password=PASSWORD):
        return f"http://{user}:{password}@127.0.0.1:{self.port}"

    def tunnels_to(self, port):
        try:
            with open(self.log_path) as f:
                log = f.read()
        except FileNotFoundError:
            return 0
        return log.count(f"127.0.0.1:{port}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class AuthSquid:
    """squid on loopback that lets only clients authenticated by `scheme` (digest, ntlm)
    CONNECT."""

    def __init__(self, scheme="digest"):
        # Its own temp dir: squid started as root runs as user proxy, which cannot enter the
        # test's 0700 workdir; it reads the password file and writes its logs here.
        self.dir = tempfile.mkdtemp(prefix="tally-squid-")
        os.chmod(self.dir, 0o777)
        self.port = free_port()
        passwd = os.path.join(self.dir, "passwd")
        with open(passwd, "w") as f:
            f.write(f"{USER}:{PASSWORD}\n")
        os.chmod(passwd, 0o644)
        self.access_log = os.path.join(self.dir, "access.log")
        conf = os.path.join(self.dir, "squid.conf")
        with open(conf, "w") as f:
            f.write(f"""http_port 127.0.0.1:{self.port}
pid_filename {self.dir}/squid.pid
cache_log {self.dir}/cache.log
access_log stdio:{self.access_log}
cache deny all
cache_mem 8 MB
coredump_dir {self.dir}
{self._auth_params(scheme, passwd)}
acl authed proxy_auth REQUIRED
http_access allow authed
http_access deny all
shutdown_lifetime 1 seconds
""")
        self.proc = subprocess.Popen([SQUID, "-N", "-f", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_until(self._listening, 20, what="squid listening")

    @staticmethod
    def _auth_params(scheme, passwd):
        if scheme == "ntlm":
            return f"auth_param ntlm program {NTLM_AUTH}\nauth_param ntlm children 1"
        return (f"auth_param digest program {DIGEST_AUTH} {passwd}\n"
                "auth_param digest realm tally-test\nauth_param digest children 1")

    def _listening(self):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def access_log_text(self):
        try:
            with open(self.access_log) as f:
                return f.read()
        except FileNotFoundError:
            return "(none)"

    def tunnels_to(self, port, user=None):
        try:
            with open(self.access_log) as f:
                # The user column is the 8th; ntlm_fake_auth logs it as DOMAIN\\user.
                return sum(1 for line in f if f"CONNECT 127.0.0.1:{port}" in line
                           and "TCP_TUNNEL/200" in line
                           and (user is None or user in line.split()[7]))
        except FileNotFoundError:
            return 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


def make_cert(dirpath, name, ca=None):
    """A key and certificate for 127.0.0.1 signed by `ca` ((cert, key)), or a self-signed CA
    when `ca` is None, made with the openssl CLI; returns (cert, key)."""
    key, cert = os.path.join(dirpath, f"{name}.key"), os.path.join(dirpath, f"{name}.pem")
    if ca is None:
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign"])
        return cert, key
    csr = os.path.join(dirpath, f"{name}.csr")
    ext = os.path.join(dirpath, f"{name}.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", csr, "-subj", f"/CN={name}"])
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
         "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext])
    return cert, key


class HttpsSquid:
    """squid on loopback speaking TLS to its clients (https_port), no authentication."""

    def __init__(self, ca):
        self.dir = tempfile.mkdtemp(prefix="tally-squid-tls-")
        os.chmod(self.dir, 0o777)  # squid runs as user proxy when started as root
        self.port = free_port()
        cert, key = make_cert(self.dir, "proxy", ca)
        os.chmod(key, 0o644)
        self.access_log = os.path.join(self.dir, "access.log")
        conf = os.path.join(self.dir, "squid.conf")
        with open(conf, "w") as f:
            f.write(f"""https_port 127.0.0.1:{self.port} tls-cert={cert} tls-key={key}
pid_filename {self.dir}/squid.pid
cache_log {self.dir}/cache.log
access_log stdio:{self.access_log}
cache deny all
cache_mem 8 MB
coredump_dir {self.dir}
acl loopback src 127.0.0.1
http_access allow loopback
http_access deny all
shutdown_lifetime 1 seconds
""")
        self.proc = subprocess.Popen([SQUID, "-N", "-f", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_until(self._listening, 20, what="squid (https_port) listening")

    def _listening(self):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def tunnels_to(self, port):
        try:
            with open(self.access_log) as f:
                return sum(1 for line in f if f"CONNECT 127.0.0.1:{port}" in line
                           and "TCP_TUNNEL/200" in line)
        except FileNotFoundError:
            return 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


class Socks5Proxy:
    """A SOCKS5 server (RFC 1928) with username/password authentication (RFC 1929) on
    loopback: CONNECT to IPv4 or domain addresses, then bytes relayed both ways. Counts the
    tunnels per destination port; refuses wrong credentials."""

    def __init__(self, user=USER, password=PASSWORD):
        self.user, self.password = user.encode(), password.encode()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.tunnels = {}
        self.refused = 0
        self.lock = threading.Lock()
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return data

    def _serve(self, conn):
        try:
            with conn:
                ver, nmethods = self._read(conn, 2)
                methods = self._read(conn, nmethods)
                if ver != 5 or 2 not in methods:
                    conn.sendall(b"\x05\xff")
                    return
                conn.sendall(b"\x05\x02")  # username/password
                _, ulen = self._read(conn, 2)
                user = self._read(conn, ulen)
                plen = self._read(conn, 1)[0]
                password = self._read(conn, plen)
                if (user, password) != (self.user, self.password):
                    with self.lock:
                        self.refused += 1
                    conn.sendall(b"\x01\x01")
                    return
                conn.sendall(b"\x01\x00")
                ver, cmd, _, atyp = self._read(conn, 4)
                if atyp == 1:
                    host = socket.inet_ntoa(self._read(conn, 4))
                elif atyp == 3:
                    host = self._read(conn, self._read(conn, 1)[0]).decode()
                else:
                    conn.sendall(b"\x05\x08\x00\x01" + bytes(6))
                    return
                port = int.from_bytes(self._read(conn, 2), "big")
                if cmd != 1:
                    conn.sendall(b"\x05\x07\x00\x01" + bytes(6))
                    return
                upstream = socket.create_connection((host, port), timeout=10)
                upstream.settimeout(None)
                conn.sendall(b"\x05\x00\x00\x01" + bytes(6))
                with self.lock:
                    self.tunnels[port] = self.tunnels.get(port, 0) + 1
                self._relay(conn, upstream)
        except (OSError, ConnectionError, ValueError):
            pass

    @staticmethod
    def _relay(a, b):
        def pump(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
        t = threading.Thread(target=pump, args=(b, a), daemon=True)
        t.start()
        pump(a, b)
        t.join(timeout=30)
        b.close()

    def tunnels_to(self, port):
        with self.lock:
            return self.tunnels.get(port, 0)

    def stop(self):
        self.stopping = True
        self.sock.close()


def env_without_proxies(**extra):
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update(extra)
    return env


class ProxyTests(TallyTestCase):

    def setUp(self):
        super().setUp()
        self.proxy = Tinyproxy(self.workdir)
        self.server_ = self.server().start()
        self.server_.tenant("acme")
        self.code = self.server_.pairing_code("acme", uses=10)
        self.port = int(self.server_.addr.rsplit(":", 1)[1])

    def tearDown(self):
        self.proxy.stop()
        super().tearDown()

    def test_config_proxy_with_authentication(self):
        agent = self.agent("cfg", role="server", proxy=self.proxy.url())
        out = agent.cli("pair", "--server", self.server_.url, "--code", self.code, "--ca-file",
                        self.server_.ca_file, env=env_without_proxies())
        self.assertNotIn(PASSWORD, out.stdout + out.stderr, "proxy password must not be printed")
        self.assertGreaterEqual(self.proxy.tunnels_to(self.port), 1, "pairing went via the proxy")
        agent.start(env=env_without_proxies())
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 1, 40,
                   what="a heartbeat acknowledged through the proxy")
        self.assertGreaterEqual(self.proxy.tunnels_to(self.port), 2)
        self.assertNotIn(PASSWORD, agent.logs())

    def test_credentials_from_a_0600_file(self):
        cred = os.path.join(self.workdir, "proxy.cred")
        with open(cred, "w") as f:
            f.write(f"{USER}:{PASSWORD}\n")
        os.chmod(cred, 0o644)
        agent = self.agent("credfile", role="server", proxy=self.proxy.url().replace(
            f"{USER}:{PASSWORD}@", ""), proxy_credentials_file=cred)
        loose = agent.cli("pair", "--server", self.server_.url, "--code", self.code,
                          "--ca-file", self.server_.ca_file, check=False,
                          env=env_without_proxies())
        self.assertNotEqual(loose.returncode, 0, "a credentials file others can read is refused")
        self.assertIn("0600", loose.stderr)
        self.assertNotIn(PASSWORD, loose.stdout + loose.stderr)
        os.chmod(cred, 0o600)
        out = agent.cli("pair", "--server", self.server_.url, "--code", self.code, "--ca-file",
                        self.server_.ca_file, env=env_without_proxies())
        self.assertNotIn(PASSWORD, out.stdout + out.stderr)
        self.assertGreaterEqual(self.proxy.tunnels_to(self.port), 1, "pairing went via the proxy")
        agent.start(env=env_without_proxies())
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 1, 40,
                   what="a heartbeat acknowledged through the proxy")
        self.assertNotIn(PASSWORD, agent.logs())

    @unittest.skipUnless(os.path.exists(SQUID) and os.path.exists(DIGEST_AUTH),
                         "squid not installed (scripts/setup installs it)")
    def test_digest_proxy_authentication_through_squid(self):
        self._through_authenticating_squid("digest")

    @unittest.skipUnless(os.path.exists(SQUID) and os.path.exists(NTLM_AUTH),
                         "squid not installed (scripts/setup installs it)")
    def test_ntlm_proxy_authentication_through_squid(self):
        self._through_authenticating_squid("ntlm")

    def _through_authenticating_squid(self, scheme):
        squid = AuthSquid(scheme)
        try:
            cred = os.path.join(self.workdir, f"{scheme}.cred")
            with open(cred, "w") as f:
                f.write(f"{USER}:{PASSWORD}\n")
            os.chmod(cred, 0o600)
            agent = self.agent(scheme, role="server", proxy=f"http://127.0.0.1:{squid.port}",
                               proxy_credentials_file=cred)
            out = agent.cli("pair", "--server", self.server_.url, "--code", self.code,
                            "--ca-file", self.server_.ca_file, env=env_without_proxies())
            self.assertNotIn(PASSWORD, out.stdout + out.stderr)
            agent.start(env=env_without_proxies())
            wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 1, 40,
                       what=f"a heartbeat acknowledged through squid ({scheme})")
            agent.stop()
            # squid logs the user it authenticated on each tunnel: pair and an upload.
            self.assertGreaterEqual(squid.tunnels_to(self.port, USER), 2,
                                    f"pair and upload via squid as {USER} ({scheme}); "
                                    f"access log:\n{squid.access_log_text()}")
            self.assertNotIn(PASSWORD, agent.logs())
        finally:
            squid.stop()

    @unittest.skipUnless(os.path.exists(SQUID), "squid not installed (scripts/setup installs it)")
    def test_https_proxy_verified_against_ca_file(self):
        tls_dir = os.path.join(self.workdir, "proxy-ca")
        os.makedirs(tls_dir)
        proxy_ca = make_cert(tls_dir, "proxy-test-ca")
        squid = HttpsSquid(proxy_ca)
        try:
            # ca_file: the server's CA and the proxy's, one bundle.
            bundle = os.path.join(self.workdir, "ca-bundle.pem")
            with open(bundle, "w") as out:
                for path in (self.server_.ca_file, proxy_ca[0]):
                    with open(path) as f:
                        out.write(f.read())
            agent = self.agent("https-proxy", role="server",
                               proxy=f"https://127.0.0.1:{squid.port}")
            out = agent.cli("pair", "--server", self.server_.url, "--code", self.code,
                            "--ca-file", bundle, env=env_without_proxies())
            self.assertIn("paired", out.stdout)
            agent.start(env=env_without_proxies())
            wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 1, 40,
                       what="a heartbeat acknowledged through the HTTPS proxy")
            agent.stop()
            self.assertGreaterEqual(squid.tunnels_to(self.port), 2,
                                    "pair and upload via the HTTPS proxy")

            # A proxy whose certificate no trusted CA signed is refused (TLS to the proxy).
            other = self.agent("https-proxy-untrusted", role="server",
                               proxy=f"https://127.0.0.1:{squid.port}")
            out = other.cli("pair", "--server", self.server_.url, "--code", self.code,
                            "--ca-file", self.server_.ca_file, "--wait", "0", check=False,
                            env=env_without_proxies())
            self.assertNotEqual(out.returncode, 0)
            self.assertRegex(out.stderr.lower(), r"tls|certificate|ssl")
        finally:
            squid.stop()

    def test_socks5_proxy_with_authentication(self):
        socks = Socks5Proxy()
        try:
            cred = os.path.join(self.workdir, "socks.cred")
            with open(cred, "w") as f:
                f.write(f"{USER}:{PASSWORD}\n")
            os.chmod(cred, 0o600)
            agent = self.agent("socks", role="server",
                               proxy=f"socks5h://127.0.0.1:{socks.port}",
                               proxy_credentials_file=cred)
            out = agent.cli("pair", "--server", self.server_.url, "--code", self.code,
                            "--ca-file", self.server_.ca_file, env=env_without_proxies())
            self.assertNotIn(PASSWORD, out.stdout + out.stderr)
            self.assertEqual(socks.tunnels_to(self.port), 1, "pairing went via SOCKS5")
            agent.start(env=env_without_proxies())
            wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 1, 40,
                       what="a heartbeat acknowledged through the SOCKS5 proxy")
            agent.stop()
            self.assertGreaterEqual(socks.tunnels_to(self.port), 2)
            self.assertNotIn(PASSWORD, agent.logs())

            # The wrong password: refused by the proxy, a clear error, nothing leaked.
            with open(cred, "w") as f:
                f.write(f"{USER}:wrong-password\n")
            other = self.agent("socks-bad", role="server",
                               proxy=f"socks5h://127.0.0.1:{socks.port}",
                               proxy_credentials_file=cred)
            out = other.cli("pair", "--server", self.server_.url, "--code", self.code,
                            "--ca-file", self.server_.ca_file, "--wait", "0", check=False,
                            env=env_without_proxies())
            self.assertNotEqual(out.returncode, 0)
            self.assertGreaterEqual(socks.refused, 1)
            self.assertNotIn("wrong-password", out.stdout + out.stderr)
        finally:
            socks.stop()

    def test_no_proxy_bypasses_a_configured_socks5_proxy(self):
        socks = Socks5Proxy()
        try:
            agent = self.agent("socks-bypass", role="server",
                               proxy=f"socks5h://{USER}:{PASSWORD}@127.0.0.1:{socks.port}")
            agent.cli("pair", "--server", self.server_.url, "--code", self.code, "--ca-file",
                      self.server_.ca_file, env=env_without_proxies(NO_PROXY="127.0.0.1"))
            self.assertEqual(socks.tunnels_to(self.port), 0, "NO_PROXY wins over `proxy`")
        finally:
            socks.stop()

    def test_https_proxy_environment_and_no_proxy(self):
        agent = self.agent("env", role="server")
        env = env_without_proxies(HTTPS_PROXY=self.proxy.url())
        agent.cli("pair", "--server", self.server_.url, "--code", self.code, "--ca-file",
                  self.server_.ca_file, env=env)
        self.assertGreaterEqual(self.proxy.tunnels_to(self.port), 1, "HTTPS_PROXY was used")
        before = self.proxy.tunnels_to(self.port)
        # NO_PROXY wins over HTTPS_PROXY: a dead proxy is never contacted.
        dead = f"http://{USER}:{PASSWORD}@127.0.0.1:{free_port()}"
        agent.start(env=env_without_proxies(HTTPS_PROXY=dead, NO_PROXY="127.0.0.1"))
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 1, 40,
                   what="direct upload under NO_PROXY")
        self.assertEqual(self.proxy.tunnels_to(self.port), before)

    def test_wrong_proxy_password_is_a_clear_error(self):
        agent = self.agent("bad", role="server", proxy=self.proxy.url(password="wrong"))
        # --wait 0: a refused proxy is a connection failure, which pair retries by default.
        out = agent.cli("pair", "--server", self.server_.url, "--code", self.code, "--ca-file",
                        self.server_.ca_file, "--wait", "0", check=False,
                        env=env_without_proxies())
        self.assertNotEqual(out.returncode, 0)
        self.assertNotIn("wrong", out.stdout + out.stderr, "proxy credentials must not leak")
        self.assertRegex(out.stderr.lower(), r"proxy|407|connect")
        rc, st = agent.status()
        self.assertFalse(st["paired"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
