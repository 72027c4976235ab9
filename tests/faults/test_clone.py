"""A copied state dir: on a "different machine" (fingerprint sources pointed at other files)
the copy must notice and re-pair or report clone_detected, and never upload under the
original's identity; a copy whose fingerprint is identical (an unsealed golden image) cannot
notice, so the server must see the forked seq stream, flag the device and count it once."""

import json
import os
import shutil
import time
import unittest

from fault_case import FaultCase, Row, pick


def machine(dirpath, name):
    os.makedirs(dirpath, exist_ok=True)
    mid, uuid = os.path.join(dirpath, f"{name}-machine-id"), os.path.join(dirpath, f"{name}-uuid")
    with open(mid, "w") as f:
        f.write(os.urandom(16).hex() + "\n")
    with open(uuid, "w") as f:
        f.write("4c4c4544-%04x-1234-8034-b2c04f4e5a31\n" % (os.getpid() & 0xffff))
    return {"machine_id_path": mid, "product_uuid_path": uuid}


class Clone(FaultCase):

    def _original_and_copy(self, copy_machine):
        server = self.started_server()
        here = machine(os.path.join(self.workdir, "hw"), "a")
        original = self.fast_agent("original", **here)
        original.pair(server, server.pairing_code("acme", uses=5))
        original.start()
        self.wait_acked(original, 2)
        self.assertEqual(original.stop(), 0)
        copy = self.fast_agent("copy")
        shutil.rmtree(copy.dir)
        shutil.copytree(original.dir, copy.dir, symlinks=True)  # state dir and config
        with open(original.config_path) as f:
            cfg = json.load(f)
        cfg.update(copy_machine(here))
        copy.write_config(cfg)
        copy.log_path = os.path.join(copy.dir, "agent.log")
        original.start()
        # Started in the same second, two clones with no users write byte-identical
        # heartbeats (same boot, same labels): true duplicates, not a fork. Real clones
        # drift apart; 1.5 s is enough to give them different interval labels.
        time.sleep(1.5)
        copy.start()
        return server, original, copy

    def test_copied_state_dir_on_another_machine(self):
        row = Row("state dir copied to another machine", 1)
        server, original, copy = self._original_and_copy(
            lambda _: machine(os.path.join(self.workdir, "hw"), "b"))
        time.sleep(pick(6, 20))
        _, orig_st = self.status(original)
        rc, st = self.status(copy)
        repaired = st.get("paired") and st.get("device_id") not in ("", orig_st["device_id"])
        reported = st.get("state") == "clone_detected" and rc == 2
        self.check(repaired or reported,
                   f"the copy neither re-paired nor reported clone_detected (exit {rc}): "
                   f"state={st.get('state')} device_id={st.get('device_id')}")
        st_o, ledger, recovery = self.settle(original, server)
        row.recovery_s = recovery
        self.reconcile(row, st_o, ledger)  # no forks, no suspected_clone on the original
        if repaired:
            st_c, ledger_c, _ = self.settle(copy, server)
            self.reconcile(row, st_c, ledger_c)
        self.finish(row)

    def test_identical_fingerprint_forks_the_seq_stream(self):
        row = Row("golden-image clone (same fingerprint)", 1)
        server, original, copy = self._original_and_copy(lambda same: same)
        time.sleep(pick(8, 20))
        st_o, ledger, _ = self.settle(original, server)
        _, st_c = self.status(copy)
        usage = ledger.usage
        self.check(ledger.fork_seqs, "two agents uploaded different heartbeats under one seq "
                                     "stream and the server recorded no fork")
        self.check(usage.get("forks", 0) > 0, f"usage forks {usage.get('forks')} (expected > 0)")
        self.check("suspected_clone" in (usage.get("flags") or []),
                   f"device not flagged suspected_clone: flags {usage.get('flags')}")
        # counted once: one heartbeat per seq however many machines claim it
        top = max(st_o.get("last_seq", 0), st_c.get("last_seq", 0))
        counted = usage.get("heartbeats", 0)
        row.recorded, row.counted = top, counted
        row.double = max(0, counted - len(ledger.held))
        self.check(len(ledger.held) <= top, f"server holds {len(ledger.held)} seqs of {top}")
        self.check(row.double == 0, f"forked seqs counted twice: {counted} > {len(ledger.held)}")
        self.finish(row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
