"""What the MSI relies on, checked with the Linux agent: `pair --config PATH` creates PATH
when it does not exist yet, and remembers server_url, ca_file, device_type, role and proxy
(ROLE and PROXY reach the agent as TALLY_ROLE and TALLY_PROXY from the custom action)."""

import json
import os
import shutil
import tempfile
import unittest

from tally_harness import AGENT_BIN, Server, run


class PairConfigTest(unittest.TestCase):
    def test_pair_creates_the_config_with_role(self):
        tmp = tempfile.mkdtemp(prefix="tally-pair-config-")
        self.addCleanup(shutil.rmtree, tmp)
        server = Server(tmp).start()
        self.addCleanup(server.stop)
        server.tenant("acme")
        code = server.pairing_code("acme")
        config = os.path.join(tmp, "conf", "agent.json")
        os.makedirs(os.path.dirname(config))
        env = {**os.environ, "TALLY_ROLE": "kiosk"}
        run([AGENT_BIN, "pair", "--server", server.url, "--code", code, "--ca-file",
             server.ca_file, "--device-type", "personal", "--config", config, "--state-dir",
             os.path.join(tmp, "state")], env=env)
        with open(config) as f:
            cfg = json.load(f)
        self.assertEqual(cfg, {"server_url": server.url, "ca_file": server.ca_file,
                               "device_type": "personal", "role": "kiosk"})
        devices = server.cli("device", "list", "--tenant", "acme").stdout.splitlines()
        self.assertIn("\tpersonal\tkiosk\t", devices[1])
        # Every other command still refuses a --config file that does not exist.
        missing = run([AGENT_BIN, "status", "--config", os.path.join(tmp, "nope.json")],
                      check=False)
        self.assertEqual(missing.returncode, 64)
        self.assertIn("nope.json", missing.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
