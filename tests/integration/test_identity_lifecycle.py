"""Identity lifecycle with the real binaries: a state dir copied to a "different machine"
(fingerprint sources pointed elsewhere) re-pairs as a new device with the stored code and
never uploads as the original; `tally-agent retire` uploads what the spool holds, then ends
billing; `tally-server device revoke` makes the agent's uploads end in state revoked; state
and config files reached through a symbolic link are refused."""

import json
import os
import shutil
import signal
import unittest

from tally_harness import AGENT_BIN, TallyTestCase, UtmpFile, current_month, run, wait_until


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


class IdentityLifecycle(TallyTestCase):

    def setUp(self):
        super().setUp()
        self.srv = self.server().start()
        self.srv.tenant("acme")
        self.code = self.srv.pairing_code("acme", uses=10)
        self.utmp = UtmpFile(os.path.join(self.workdir, "utmp-empty"))

    def machine(self, name, machine_id):
        mid = write(os.path.join(self.workdir, f"{name}-machine-id"), machine_id + "\n")
        uuid = write(os.path.join(self.workdir, f"{name}-uuid"), machine_id[:8] + "\n")
        return {"machine_id_path": mid, "product_uuid_path": uuid, "role": "server",
                "utmp_path": self.utmp.path}

    def test_copied_state_dir_pairs_afresh_as_a_new_device(self):
        original = self.agent("original", **self.machine("a", "a" * 32))
        original.pair(self.srv, self.code)
        original.start()
        wait_until(lambda: original.status()[1].get("acked_through", 0) >= 1, 40,
                   what="original uploads")
        self.assertEqual(original.stop(), 0)
        _, st = original.status()
        original_id = st["device_id"]

        clone = self.agent("clone", **self.machine("b", "b" * 32))
        shutil.rmtree(clone.state_dir, ignore_errors=True)
        shutil.copytree(original.state_dir, clone.state_dir)
        clone.start()
        def uploading_as_new_device():
            s = clone.status()[1]  # status.json was copied too: wait for the clone's own
            return (s.get("running") and s.get("device_id") != original_id
                    and s.get("acked_through", 0) >= 1)
        wait_until(uploading_as_new_device, 40, what="clone uploads as a new device")
        rc, st = clone.status()
        self.assertEqual(st["state"], "paired")
        self.assertNotIn(self.code, clone.logs(), "the stored pairing code is never logged")
        self.assertTrue(any(n.startswith("spool-cloned-") for n in os.listdir(clone.state_dir)))
        with open(os.path.join(clone.state_dir, "identity.json")) as f:
            self.assertEqual(os.stat(f.name).st_mode & 0o777, 0o600)
        clone.stop()
        report = self.srv.usage("acme", current_month())
        rows = {d["device_id"]: d for d in report["devices"]}
        self.assertIn(st["device_id"], rows)
        self.assertNotIn("suspected_clone", rows[original_id]["flags"],
                         "the clone never sent the original's seqs")

    def test_retire_uploads_the_spool_first(self):
        # One upload right after start, then none for an hour: what closes next stays queued.
        agent = self.agent("last-hours", **self.machine("e", "e" * 32), upload_interval_s=3600,
                           heartbeat_interval_s=2)
        agent.pair(self.srv, self.code)
        agent.start()
        wait_until(lambda: agent.status()[1].get("acked_through", 0) >= 1, 40,
                   what="the first upload")
        wait_until(lambda: agent.status()[1].get("queued", 0) >= 2, 40,
                   what="heartbeats queued after it")
        _, st = agent.status()
        device_id = st["device_id"]
        agent.stop(sig=signal.SIGKILL)  # no shutdown upload: the spool keeps them
        out = agent.cli("retire")
        self.assertIn("retired", out.stdout)
        self.assertIn("before retiring", out.stderr)
        rows = {d["device_id"]: d for d in self.srv.usage("acme", current_month())["devices"]}
        self.assertIn(device_id, rows)
        self.assertGreaterEqual(rows[device_id]["last_seq"], st["last_seq"],
                                "the queued heartbeats reached the server before the retire")

    def test_state_and_config_are_never_read_through_a_link(self):
        agent = self.agent("linked", **self.machine("f", "f" * 32))
        real = os.path.join(self.workdir, "real-state")
        os.makedirs(real, mode=0o700)
        os.symlink(real, agent.state_dir)  # the state dir itself is a link
        out = agent.cli("pair", "--server", self.srv.url, "--code", self.code,
                        "--ca-file", self.srv.ca_file, check=False)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn(f"{agent.state_dir} is a symbolic link", out.stderr)
        os.unlink(agent.state_dir)
        agent.pair(self.srv, self.code)
        # identity.json swapped for a link to a planted copy.
        identity = os.path.join(agent.state_dir, "identity.json")
        planted = os.path.join(self.workdir, "planted.json")
        shutil.copy(identity, planted)
        os.rename(identity, identity + ".real")
        os.symlink(planted, identity)
        out = agent.cli("retire", check=False)
        self.assertEqual(out.returncode, 1)
        self.assertIn("identity.json is a symbolic link", out.stderr)
        os.unlink(identity)
        os.rename(identity + ".real", identity)
        # agent.json reached through a link: every command refuses it (usage error, 64).
        linked_config = os.path.join(self.workdir, "linked-agent.json")
        os.symlink(agent.config_path, linked_config)
        out = run([AGENT_BIN, "status", "--config", linked_config, "--state-dir",
                   agent.state_dir], check=False)
        self.assertEqual(out.returncode, 64, out.stderr)
        self.assertIn("linked-agent.json is a symbolic link", out.stderr)

    def test_retire_then_revoke(self):
        agent = self.agent("retiring", **self.machine("c", "c" * 32))
        agent.pair(self.srv, self.code)
        device_id = agent.status()[1]["device_id"]
        out = agent.cli("retire")
        self.assertIn("retired", out.stdout)
        # The server holds the device as retired right after the command, whatever the
        # agent's local status says (this used to assert only that it was still "paired").
        listed = self.srv.cli("device", "list", "--tenant", "acme").stdout
        row = [line.split("\t") for line in listed.splitlines() if line.startswith(device_id)]
        self.assertEqual(len(row), 1, listed)
        self.assertEqual(row[0][6], "retired", listed)
        agent.start()
        wait_until(lambda: agent.status()[1].get("state") == "retired", 20, what="state retired")
        self.assertEqual(agent.status()[0], 2, "a retired device needs attention (uninstall)")
        agent.stop()

        other = self.agent("revoked", **self.machine("d", "d" * 32))
        other.pair(self.srv, self.code)
        device_id = other.status()[1]["device_id"]
        self.srv.cli("device", "revoke", device_id)
        # The lifecycle state, not only "retired": a revoked device is listed as revoked, and
        # a second revoke changes nothing.
        listed = self.srv.cli("device", "list", "--tenant", "acme").stdout
        row = [line.split("\t") for line in listed.splitlines() if line.startswith(device_id)]
        self.assertEqual(row[0][6], "revoked", listed)
        again = self.srv.cli("device", "revoke", device_id).stdout
        self.assertIn("already retired or revoked", again)
        other.start()
        wait_until(lambda: other.status()[1].get("state") == "revoked", 40, what="state revoked")
        other.stop()
        report = self.srv.usage("acme", current_month())
        row = [d for d in report["devices"] if d["device_id"] == device_id][0]
        self.assertIn("revoked", row["flags"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
