"""A real OpenSSH server for activity tests: Debian's /usr/sbin/sshd on a free loopback port
with its own host key, config and PidFile, key-only logins, and real interactive `ssh -tt`
sessions the test can type into and then leave quiet.

sshd (UsePAM no) records each login in the system utmp (/var/run/utmp), exactly what `w`
and `who` read, so the agent is pointed at that file. Run as root (CI does).

    python3 sshd_fixture.py      # self-test: two logins, `who`/`w` show them, idle moves
"""

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

SSHD = "/usr/sbin/sshd"
SSH = "/usr/bin/ssh"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
SYSTEM_UTMP = "/var/run/utmp"
TEST_USERS = ("tallyit1", "tallyit2")
SYSTEM_TEST_USER = "tallysvc"  # a service account (uid below UID_MIN) with a real shell


def missing_prerequisites():
    """Why the fixture cannot run here, or None. Tests skip with this reason."""
    for path in (SSHD, SSH, SSH_KEYGEN):
        if not os.access(path, os.X_OK):
            return f"{path} not installed (Debian package openssh-server/openssh-client)"
    if os.geteuid() != 0:
        return "sshd logins for test accounts need root"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_utmp(path=SYSTEM_UTMP):
    """sshd only updates a utmp that exists; a container may have none."""
    if not os.path.exists(path):
        with open(path, "ab"):
            pass
        os.chmod(path, 0o664)
    return path


def ensure_account(name, system=False):
    """Creates a login account if missing (`system`: a service account below UID_MIN) and
    gives it the password field `*` (no password login possible, but not "locked", which
    sshd without PAM would refuse). root is left as it is."""
    if name == "root":
        return pwd.getpwnam(name)
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", *(["-r"] if system else []), name],
                       check=True, capture_output=True, text=True)
    subprocess.run(["usermod", "-p", "*", name], check=True, capture_output=True, text=True)
    return pwd.getpwnam(name)


class SshServer:
    """sshd -D -e -f <own config> on 127.0.0.1:<free port>."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "sshd")
        os.makedirs(self.dir, exist_ok=True)
        # sshd reads authorized keys as the logging-in user: let it traverse (not list) the
        # test's private work dir.
        os.chmod(workdir, os.stat(workdir).st_mode | 0o011)
        os.chmod(self.dir, 0o755)
        self.port = None
        self.proc = None
        self.log_path = os.path.join(self.dir, "sshd.log")
        self.host_key = os.path.join(self.dir, "host_ed25519")
        self.client_key = os.path.join(self.dir, "client_ed25519")
        self.auth_dir = os.path.join(self.dir, "authorized")
        self.config = os.path.join(self.dir, "sshd_config")
        self.pid_file = os.path.join(self.dir, "sshd.pid")
        self.sessions = []

    def start(self, users=TEST_USERS, system_users=()):
        """`users`: ordinary accounts; `system_users`: service accounts (and "root", which
        may then log in with the test key)."""
        ensure_utmp()
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation dir
        for key in (self.host_key, self.client_key):
            if not os.path.exists(key):
                subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", key],
                               check=True, capture_output=True)
        os.makedirs(self.auth_dir, exist_ok=True)
        os.chmod(self.auth_dir, 0o755)
        with open(self.client_key + ".pub") as f:
            pub = f.read()
        for user in (*users, *system_users):
            ensure_account(user, system=user in system_users)
            path = os.path.join(self.auth_dir, user)
            with open(path, "w") as f:
                f.write(pub)
            os.chmod(path, 0o644)
        self.port = free_port()
        with open(self.config, "w") as f:
            f.write(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.host_key}
PidFile {self.pid_file}
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile {self.auth_dir}/%u
StrictModes no
PermitRootLogin {"prohibit-password" if "root" in system_users else "no"}
AllowUsers {" ".join((*users, *system_users))}
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
LogLevel VERBOSE
""")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"sshd exited {self.proc.returncode}: {self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"sshd did not listen on {self.port}: {self.logs()}")

    def login(self, user):
        """Opens a real interactive login and returns it once the remote shell answers."""
        s = SshSession(self, user)
        self.sessions.append(s)
        return s.open()

    def stop(self):
        for s in self.sessions:
            s.close()
        self.sessions = []
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
            self.proc = None

    def logs(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""


class SshSession:
    """`ssh -tt` with stdin/stdout pipes: the remote side gets a real pty (/dev/pts/N) and a
    login shell; what the test writes is what a person would type."""

    def __init__(self, server, user):
        self.server = server
        self.user = user
        self.proc = None
        self.tty = None       # "/dev/pts/N" on this host (sshd is local)
        self.line = None      # "pts/N", as utmp's ut_line
        self._out = bytearray()
        self._lock = threading.Lock()

    def open(self, timeout=20):
        self.proc = subprocess.Popen(
            [SSH, "-tt", "-i", self.server.client_key, "-p", str(self.server.port),
             "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
             "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes",
             f"{self.user}@127.0.0.1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._reader, args=(self.proc.stdout,), daemon=True).start()
        marker = f"TTY-{os.getpid()}-{id(self)}"
        deadline = time.monotonic() + timeout
        pattern = re.compile(rf"{marker}=(/dev/pts/\d+)".encode())
        while time.monotonic() < deadline:
            self.send(f"echo {marker}=$(tty)\n")
            end = time.monotonic() + 2
            while time.monotonic() < end:
                with self._lock:
                    m = pattern.search(bytes(self._out))
                if m:
                    self.tty = m.group(1).decode()
                    self.line = self.tty[len("/dev/"):]
                    return self
                if self.proc.poll() is not None:
                    raise AssertionError(f"ssh exited {self.proc.returncode}: {self.output()}"
                                         f"\nsshd: {self.server.logs()[-3000:]}")
                time.sleep(0.1)
        raise AssertionError(f"no shell prompt from ssh {self.user}: {self.output()}")

    def _reader(self, stream):
        while True:
            try:
                chunk = stream.read1(4096)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            with self._lock:
                self._out += chunk

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def type(self, command="true"):
        """One typed command line; the remote shell reads it from the pty (atime moves)."""
        self.send(command + "\n")

    def output(self):
        with self._lock:
            return bytes(self._out).decode(errors="replace")

    def idle_seconds(self):
        """now - atime of the pty, as `w` computes it."""
        return time.time() - os.stat(self.tty).st_atime

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.send("exit\n")
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.proc = None


def _self_test():
    reason = missing_prerequisites()
    if reason:
        print("SKIP:", reason)
        return 0
    workdir = tempfile.mkdtemp(prefix="tally-sshd-")
    server = SshServer(workdir).start()
    try:
        a = server.login("tallyit1")
        b = server.login("tallyit2")
        print("logins:", a.user, a.tty, "|", b.user, b.tty)
        who = subprocess.run(["who"], capture_output=True, text=True).stdout
        print(who)
        for s in (a, b):
            assert re.search(rf"^{s.user}\s+{s.line}\b", who, re.M), f"who misses {s.line}"
        a.type("ls")
        time.sleep(1)
        print("idle after typing:", round(a.idle_seconds(), 1))
        print(subprocess.run(["w"], capture_output=True, text=True).stdout)
        assert a.idle_seconds() < 10
    finally:
        server.stop()
    who = subprocess.run(["who"], capture_output=True, text=True).stdout
    assert "tallyit" not in who, f"logout left utmp records: {who}"
    shutil.rmtree(workdir, ignore_errors=True)
    print("OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(_self_test())
