"""The endpoint presents a certificate that does not verify (unknown CA, expired, wrong
name, self-signed): the agent must not send a byte of heartbeat data over it, must say why
in its status, and must deliver everything once the right certificate is back."""

import os
import time
import unittest

from fault_case import Endpoint, FaultCase, Row, pick
from fault_endpoint import FaultEndpoint
from fault_tls import FaultPki
from tally_harness import wait_until


class BadCertificate(FaultCase):

    def test_certificates_that_do_not_verify(self):
        server = self.started_server()
        pki = FaultPki(os.path.join(self.workdir, "pki"))
        proxy = FaultEndpoint(pki, server.addr, server.ca_file)
        self.addCleanup(proxy.close)
        agent = self.fast_agent("cert")
        agent.pair(Endpoint(proxy.url, pki.ca_file), server.pairing_code("acme"))
        agent.start()
        self.wait_acked(agent, 1)
        kinds = ("unknown_ca", "expired", "wrong_name", "self_signed")
        row = Row("certificate does not verify", len(kinds))
        for kind in kinds:
            tried_before = sum(proxy.handshakes.values())
            proxy.set_cert(kind)
            t0 = time.monotonic()
            # with TLS 1.3 the client checks the name after our side of the handshake is
            # done, so count connection attempts and assert no request came over them
            wait_until(lambda: sum(proxy.handshakes.values()) > tried_before, 40,
                       what=f"the agent to try and refuse the {kind} certificate")
            time.sleep(pick(3, 10))
            sent = proxy.heartbeat_events(t0)
            self.check(not sent, f"{kind}: the agent sent {len(sent)} requests over a "
                                 f"certificate that does not verify")
            _, st = self.status(agent)
            err = (st.get("last_error") or "").lower()
            self.check(any(w in err for w in ("certificate", "verify", "tls", "ssl")),
                       f"{kind}: status last_error does not name the TLS failure: {err!r}")
            proxy.set_cert("good")
            st, ledger, recovery = self.settle(agent, server, min_seq=st.get("last_seq", 1))
            row.recovery_s = max(row.recovery_s, recovery)
        self.reconcile(row, st, ledger)
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
