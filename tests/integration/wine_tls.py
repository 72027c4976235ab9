"""Test servers whose generated certificates wine can verify.

wine 8's crypt32 turns an ECDSA signature's DER (r, s) into r||s without padding each to 32
bytes, so a certificate whose r or s is short never verifies under wine ("a signature in the
chain does not verify"). Windows pads them: this is wine's bug, not the agent's. Each test
server makes a new P-256 CA and certificate, so one server in 60 to 130 hits it; tests that
run the Windows agent under wine start their servers through here."""

import os
import shutil

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def wine_verifies(pem_path):
    """False when wine may reject this certificate's own signature (shown with an r below
    2^247; the bound here is 2^248 to be safe: about one signature in 128)."""
    with open(pem_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    r, s = decode_dss_signature(cert.signature)
    return min(r, s) >= 1 << 248


def start_for_wine(server, tries=20):
    """Starts a harness Server; while its CA or certificate would hit wine's bug, stops it,
    deletes its TLS files (the server makes new ones) and starts it again."""
    for _ in range(tries):
        server.start()
        tls = os.path.dirname(server.ca_file)
        if all(wine_verifies(os.path.join(tls, f)) for f in ("ca.pem", "server.pem")):
            return server
        server.stop()
        shutil.rmtree(tls)
    raise AssertionError(f"no tally-server certificate that wine verifies in {tries} tries")
