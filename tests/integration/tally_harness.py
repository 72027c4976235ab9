"""Shared harness for Tally's integration tests.

Runs the real `tally-server` and `tally-agent` binaries on 127.0.0.1 with the server's own
CA, real state directories and real sessions (ptys with utmp records). Binaries come from
the environment (TALLY_SERVER, TALLY_AGENT), which CTest sets.

TALLY_TEST_DB=postgres (with TALLY_TEST_POSTGRES_URL, a cluster from scripts/postgres-cluster)
runs every server on a fresh PostgreSQL database of its own (`--db postgresql://…`), dropped
when the test ends; CTest registers the `*.postgres` variants so.
"""

import json
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import unittest
import uuid

SERVER_BIN = os.environ.get("TALLY_SERVER", "tally-server")
AGENT_BIN = os.environ.get("TALLY_AGENT", "tally-agent")
TEST_DB = os.environ.get("TALLY_TEST_DB", "sqlite")


def wait_until(predicate, timeout=30.0, interval=0.2, what="condition"):
    """Polls predicate() until it returns a truthy value; fails the test on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def run(cmd, check=True, env=None, timeout=60, input_text=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                          input=input_text)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


class PostgresDatabase:
    """A database of its own on the test cluster (TALLY_TEST_POSTGRES_URL), dropped by drop()."""

    def __init__(self):
        base = os.environ.get("TALLY_TEST_POSTGRES_URL")
        if not base:
            raise unittest.SkipTest("TALLY_TEST_DB=postgres needs TALLY_TEST_POSTGRES_URL")
        self.root = base.rsplit("/", 1)[0]
        self.name = "tally_it_" + uuid.uuid4().hex[:16]
        self._admin(f"CREATE DATABASE {self.name}")
        self.url = f"{self.root}/{self.name}"

    def _admin(self, sql):
        run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", f"{self.root}/postgres",
             "-c", sql])

    def drop(self):
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def dump(self, path):
        """A backup of the database (pg_dump's custom format) at `path`."""
        run(["pg_dump", "-Fc", "-f", path, "-d", self.url])

    def restore(self, path):
        """The database replaced by the backup at `path` (a dump() of it)."""
        self.drop()
        self._admin(f"CREATE DATABASE {self.name}")
        run(["pg_restore", "--exit-on-error", "--no-owner", "-d", self.url, path])


class Server:
    """A real tally-server on an ephemeral loopback port with a generated CA. `db`: a
    PostgreSQL URL to share with another server; with TALLY_TEST_DB=postgres and no `db`, a
    fresh database of its own."""

    def __init__(self, workdir, name="server", extra_args=(), db=None):
        self.data_dir = os.path.join(workdir, name)
        os.makedirs(self.data_dir, exist_ok=True)
        self.database = None
        if db is None and TEST_DB == "postgres":
            self.database = PostgresDatabase()
            db = self.database.url
        self.db_url = db
        self.db_args = ["--db", db] if db else []
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.addr = None

    def cli(self, *args, check=True):
        return run([SERVER_BIN, *args, "--data-dir", self.data_dir, *self.db_args], check=check)

    def start(self, listen="127.0.0.1:0"):
        addr_file = os.path.join(self.data_dir, "listen.addr")
        if os.path.exists(addr_file):
            os.remove(addr_file)
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [SERVER_BIN, "serve", "--data-dir", self.data_dir, "--listen", listen,
             *self.db_args, *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.addr = wait_until(lambda: self._read_addr(addr_file), 30, what="server listen.addr")
        return self

    def _read_addr(self, path):
        if self.proc.poll() is not None:
            raise AssertionError(f"tally-server exited {self.proc.returncode}: {self.logs()}")
        try:
            with open(path) as f:
                text = f.read().strip()
            return text or None
        except FileNotFoundError:
            return None

    @property
    def url(self):
        return f"https://{self.addr}"

    @property
    def ca_file(self):
        return os.path.join(self.data_dir, "tls", "ca.pem")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def logs(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def tenant(self, name):
        self.cli("tenant", "add", name)

    def pairing_code(self, tenant, uses=10, expires="1d"):
        out = self.cli("pairing-code", "create", "--tenant", tenant, "--uses", str(uses),
                       "--expires", expires).stdout.strip()
        assert out.startswith("TLY-"), out
        return out

    def admin_token(self, tenant=None):
        args = ["admin-token", "create"] + (["--tenant", tenant] if tenant else [])
        return self.cli(*args).stdout.strip()

    def usage(self, tenant, month, fmt="json"):
        out = self.cli("usage", "--tenant", tenant, "--month", month, "--format", fmt).stdout
        return json.loads(out) if fmt == "json" else out


class Agent:
    """A real tally-agent with its own state dir and config file."""

    def __init__(self, workdir, name="agent", **config):
        self.dir = os.path.join(workdir, name)
        self.state_dir = os.path.join(self.dir, "state")
        self.config_path = os.path.join(self.dir, "agent.json")
        os.makedirs(self.dir, exist_ok=True)
        self.log_path = os.path.join(self.dir, "agent.log")
        base = {
            "sample_interval_s": 1,
            "heartbeat_interval_s": 3,
            "upload_interval_s": 2,
            "idle_threshold_s": 60,
            "log_level": "debug",
        }
        base.update(config)
        self.write_config(base)
        self.proc = None

    def write_config(self, cfg):
        self.config = cfg
        with open(self.config_path, "w") as f:
            json.dump(cfg, f, indent=2)

    def cmd(self, *args):
        return [AGENT_BIN, *args, "--config", self.config_path, "--state-dir", self.state_dir]

    def cli(self, *args, check=True, env=None):
        return run(self.cmd(*args), check=check, env=env)

    def pair(self, server, code, check=True, **kw):
        args = ["pair", "--server", server.url, "--code", code, "--ca-file", server.ca_file]
        for k, v in kw.items():
            args += [f"--{k.replace('_', '-')}", v]
        return self.cli(*args, check=check)

    def start(self, *extra, env=None):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.cmd("run", *extra), stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        return self

    def status(self):
        proc = self.cli("status", "--json", check=False)
        try:
            doc = json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"status --json printed no JSON (exit {proc.returncode}): "
                                 f"{proc.stdout!r} {proc.stderr!r}")
        return proc.returncode, doc

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("tally-agent did not stop on SIGTERM")
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def logs(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""


# --- sessions: a real pty with a utmp record ---------------------------------------------

UT_USER_PROCESS = 7
_UTMPX = struct.Struct("<hhi32s4s32s256shhiii4i20s")  # glibc x86_64 struct utmpx, 384 bytes
assert _UTMPX.size == 384


def utmp_record(user, line, pid, host="", ut_type=UT_USER_PROCESS):
    now = time.time()
    return _UTMPX.pack(ut_type, 0, pid, line.encode()[:32], line[-4:].encode(),
                       user.encode()[:32], host.encode()[:256], 0, 0, 0,
                       int(now), int((now % 1) * 1e6), 0, 0, 0, 0, b"\0" * 20)


class PtySession:
    """A login-like session: a pty whose slave is read as a shell would read typed input,
    so the kernel updates the tty's atime exactly as for a person typing."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)  # /dev/pts/N
        self.line = self.path[len("/dev/"):]

    def type(self, text="ls\n"):
        os.write(self.master, text.encode())
        os.read(self.slave, 4096)

    def close(self):
        os.close(self.master)
        os.close(self.slave)


class UtmpFile:
    def __init__(self, path):
        self.path = path
        self.records = []
        self._write()

    def add(self, user, session, host="", pid=None):
        self.records.append(utmp_record(user, session.line, pid or os.getpid(), host))
        self._write()

    def _write(self):
        with open(self.path, "wb") as f:
            f.write(b"".join(self.records))


class TallyTestCase(unittest.TestCase):
    """Gives each test a work dir, and stops every process it started, keeping logs on
    failure for the CTest output."""

    def setUp(self):
        result = getattr(self._outcome, "result", None)
        self._problems_before = len(result.failures) + len(result.errors) if result else 0
        self.workdir = tempfile.mkdtemp(prefix="tally-it-")
        self._servers = []
        self._agents = []

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        problems = len(result.failures) + len(result.errors) if result else 0
        failed = problems > self._problems_before or not self._outcome.success
        for a in self._agents:
            try:
                a.stop()
            except AssertionError:
                pass
            if failed:
                print(f"--- agent log {a.dir}\n{a.logs()[-6000:]}")
        for s in self._servers:
            s.stop()
            if failed:
                print(f"--- server log\n{s.logs()[-6000:]}")
        for s in self._servers:
            if s.database:
                s.database.drop()
        if not failed:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def server(self, **kw):
        s = Server(self.workdir, **kw)
        self._servers.append(s)
        return s

    def agent(self, name="agent", **config):
        a = Agent(self.workdir, name, **config)
        self._agents.append(a)
        return a


def current_month():
    return time.strftime("%Y-%m", time.gmtime())
