"""Uploads through a real authenticating HTTP proxy (tinyproxy on loopback, BasicAuth), by
way of tally-agent-helper's libcurl: the `proxy` config key, credentials from a 0600
`proxy_credentials_file` (refused when others can read it), HTTPS_PROXY from the
environment, NO_PROXY, and a wrong password refused with a clear error. TLS still ends at tally-server (CONNECT tunnel), so the server's
CA is verified as always."""

import os
import shutil
import socket
import subprocess
import time
import unittest

from tally_harness import TallyTestCase, wait_until

TINYPROXY = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"
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
