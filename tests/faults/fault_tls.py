"""Certificates for the fault endpoint, made with the openssl CLI (no Python crypto), so the
agent's verification is tested against what a real operator's tools produce.

Kinds: `good` (our CA, SAN IP:127.0.0.1), `unknown_ca` (same names, another CA the agent does
not trust), `expired` (our CA, validity ended yesterday), `wrong_name` (our CA, SAN for
another host), `self_signed` (no CA at all). Every certificate is back-dated two days so an
agent whose clock is moved back still sees it valid (the clock scenario needs that).
"""

import os
import subprocess

# libfaketime preloaded directly, not through the `faketime` wrapper: the wrapper creates a
# named semaphore per wrapper pid (/dev/shm/sem.faketime_sem_<pid>), and one left behind by
# any earlier faketime run on the machine makes a later wrapper that gets the same pid fail
# with "sem_open: File exists".
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def _openssl(args, cwd, when=None):
    cmd = ["openssl", *args]
    env = None
    if when:  # sign "in the past" to get back-dated or expired certificates
        env = {k: v for k, v in os.environ.items() if not k.startswith("FAKETIME")}
        preload = " ".join(p for p in (LIBFAKETIME, env.get("LD_PRELOAD")) if p)
        env.update(LD_PRELOAD=preload, FAKETIME=when)
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        when_text = f" (clock {when})" if when else ""
        raise RuntimeError(f"{' '.join(cmd)}{when_text} failed: {proc.stderr}")


def _ec_key(path, cwd):
    _openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-out", path], cwd)
    os.chmod(os.path.join(cwd, path), 0o600)


def _ca(name, cwd):
    _ec_key(f"{name}.key", cwd)
    _openssl(["req", "-x509", "-new", "-key", f"{name}.key", "-out", f"{name}.pem",
              "-days", "60", "-subj", f"/CN=Tally fault {name}",
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign"], cwd, when="-2d")


def _leaf(name, ca, san, cwd, when="-2d", days=30):
    _ec_key(f"{name}.key", cwd)
    _openssl(["req", "-new", "-key", f"{name}.key", "-out", f"{name}.csr",
              "-subj", "/CN=tally-fault-endpoint"], cwd)
    with open(os.path.join(cwd, f"{name}.ext"), "w") as f:
        f.write(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    _openssl(["x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
              "-CAcreateserial", "-out", f"{name}.pem", "-days", str(days),
              "-extfile", f"{name}.ext"], cwd, when=when)


class FaultPki:
    """Creates every certificate kind under `directory`; `ca_file` is what the agent trusts."""

    KINDS = ("good", "unknown_ca", "expired", "wrong_name", "self_signed")

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        _ca("ca", directory)
        _ca("other_ca", directory)
        san = "IP:127.0.0.1,DNS:localhost"
        _leaf("good", "ca", san, directory)
        _leaf("unknown_ca", "other_ca", san, directory)
        _leaf("expired", "ca", san, directory, when="-10d", days=2)
        _leaf("wrong_name", "ca", "DNS:billing.example.net", directory)
        _ec_key("self_signed.key", directory)
        _openssl(["req", "-x509", "-new", "-key", "self_signed.key", "-out", "self_signed.pem",
                  "-days", "30", "-subj", "/CN=127.0.0.1",
                  "-addext", f"subjectAltName={san}"], directory, when="-2d")

    @property
    def ca_file(self):
        return os.path.join(self.dir, "ca.pem")

    def pair(self, kind):
        """(certificate chain file, key file) for one kind."""
        assert kind in self.KINDS, kind
        return os.path.join(self.dir, f"{kind}.pem"), os.path.join(self.dir, f"{kind}.key")
