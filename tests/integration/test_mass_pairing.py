"""Issue 14 case 4: mass deployment behind one address. An RMM tool installs 500 agents within
a minute behind one office NAT: every one pairs (500 devices, one source address, 127.0.0.1),
20 of them real `tally-agent pair --wait` processes and 480 the Python protocol client, all
at once. The per-address limit still stops a code guesser (failed attempts: wrong, expired
or used-up codes), and `tally-agent pair --wait` waits out a 429 (Retry-After) and a server
that is not up yet (backoff), but fails at once on a used-up code."""

import concurrent.futures
import os
import secrets
import subprocess
import time
import unittest

from protocol_client import Device
from tally_harness import TallyTestCase, wait_until

DEVICES = 500
REAL_AGENTS = 20
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def wrong_code():
    """A well-formed code no server issued (the server, not the client, refuses it)."""
    body = "".join(secrets.choice(CROCKFORD) for _ in range(16))
    return "TLY-" + "-".join(body[i:i + 4] for i in range(0, 16, 4))


class MassPairing(TallyTestCase):

    def start_pair(self, agent, server, code, wait="300"):
        """`tally-agent pair --wait` in the background; stderr to a file (its log)."""
        err = open(os.path.join(agent.dir, "pair.err"), "w")
        proc = subprocess.Popen(agent.cmd("pair", "--server", server.url, "--code", code,
                                          "--ca-file", server.ca_file, "--wait", wait),
                                stdout=subprocess.PIPE, stderr=err, text=True)
        proc.err_path = err.name
        err.close()
        return proc

    @staticmethod
    def finish(proc, timeout=330):
        out, _ = proc.communicate(timeout=timeout)
        with open(proc.err_path) as f:
            return proc.returncode, out, f.read()

    def test_500_devices_behind_one_address_pair_and_guessers_are_still_stopped(self):
        server = self.server().start()
        server.tenant("acme")
        code = server.pairing_code("acme", uses=DEVICES + 1, expires="1d")
        t0 = time.monotonic()
        agents = [self.agent(f"rmm{i}") for i in range(REAL_AGENTS)]
        procs = [self.start_pair(a, server, code) for a in agents]

        def pair_one(i):
            d = Device(server.url, server.ca_file)
            return d.pair(code, hostname=f"rmm-py-{i}")

        with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(pair_one, range(DEVICES - REAL_AGENTS)))
        refused = [(status, doc) for status, doc in answers if status != 200]
        self.assertEqual(refused, [], "valid pairings from one address were refused")
        for agent, proc in zip(agents, procs):
            rc, out, err = self.finish(proc)
            self.assertEqual(rc, 0, f"{agent.dir}: {out} {err}")
            self.assertIn("paired: device", out)
        elapsed = time.monotonic() - t0
        print(f"{DEVICES} devices paired from one address in {elapsed:.1f} s")
        listed = server.cli("device", "list", "--tenant", "acme").stdout.strip().splitlines()
        self.assertEqual(len([line for line in listed if line.startswith("dev_")]), DEVICES,
                         listed[:3])

        # A used-up code is a definitive refusal: no retry, whatever --wait says.
        used = server.pairing_code("acme", uses=1)
        self.assertEqual(Device(server.url, server.ca_file).pair(used)[0], 200)
        late = self.agent("late")
        rc, out, err = self.finish(self.start_pair(late, server, used, wait="300"), timeout=60)
        self.assertEqual(rc, 1, err)
        self.assertIn("code_exhausted", err)
        self.assertNotIn("trying again", err)

        # A guesser at the same address: failed attempts are limited (burst 30 in all).
        statuses = []
        while len(statuses) < 40 and (not statuses or statuses[-1] != 429):
            statuses.append(Device(server.url, server.ca_file).pair(wrong_code())[0])
        self.assertEqual(statuses[-1], 429, statuses)
        self.assertTrue(all(s == 403 for s in statuses[:-1]), statuses)
        self.assertGreaterEqual(len(statuses), 29, statuses)  # 30 minus the used-up code

        # An agent installed now waits out the 429 (Retry-After) and pairs.
        patient = self.agent("patient")
        rc, out, err = self.finish(self.start_pair(patient, server, code, wait="120"))
        self.assertEqual(rc, 0, err)
        self.assertIn("HTTP 429", err)
        self.assertIn("trying again", err)

    def test_pair_wait_outlasts_a_server_that_is_not_up_yet(self):
        server = self.server().start()  # makes the CA the agent is given
        server.tenant("acme")
        code = server.pairing_code("acme")
        addr = server.addr
        server.stop()
        agent = self.agent()
        proc = self.start_pair(agent, server, code, wait="120")

        def retried():
            with open(proc.err_path) as f:
                return "trying again" in f.read()
        wait_until(retried, 60, what="a retry after the connection failure")
        self.assertIsNone(proc.poll(), "pair gave up on a connection failure within --wait")
        server.start(listen=addr)
        rc, out, err = self.finish(proc)
        self.assertEqual(rc, 0, err)
        self.assertIn("paired: device", out)

    def test_pair_wait_zero_is_one_attempt(self):
        server = self.server().start()
        server.tenant("acme")
        code = server.pairing_code("acme")
        server.stop()
        agent = self.agent()
        rc, out, err = self.finish(self.start_pair(agent, server, code, wait="0"), timeout=60)
        self.assertEqual(rc, 1, err)
        self.assertIn("cannot connect", err)
        self.assertNotIn("trying again", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
