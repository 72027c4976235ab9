"""A TallyTestCase whose tally-server (and every CLI call) runs on a clock the test moves,
through libfaketime; the test process keeps the real clock (TLS certificates are checked
against it: the server's CA is valid for years). Shared by the billing-cases and month-close
suites."""

import datetime
import os
import time

from tally_harness import TallyTestCase

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def utc(month, day, hour=12, minute=0):
    """An instant of 2026 in UTC, as seconds."""
    return int(datetime.datetime(2026, month, day, hour, minute,
                                 tzinfo=datetime.timezone.utc).timestamp())


def user(principal, minutes=5):
    """One directory user's activity in a heartbeat."""
    return {"principal": principal, "local": False, "kind": "x11", "active_minutes": minutes}


class FakeClockTestCase(TallyTestCase):
    START = utc(1, 1)  # where the server's clock starts; a suite sets its own

    def setUp(self):
        super().setUp()
        self.rc_file = os.path.join(self.workdir, "server.faketimerc")
        self.saved_env = {k: os.environ.get(k) for k in (
            "LD_PRELOAD", "FAKETIME_TIMESTAMP_FILE", "FAKETIME_NO_CACHE",
            "FAKETIME_DONT_FAKE_MONOTONIC", "ASAN_OPTIONS")}
        self.move_clock(self.START)
        # Under AddressSanitizer (scripts/test's second pass) libfaketime comes first in the
        # preload list, which ASan refuses unless told the order is intended.
        asan = os.environ.get("ASAN_OPTIONS", "")
        os.environ.update(LD_PRELOAD=LIBFAKETIME, FAKETIME_TIMESTAMP_FILE=self.rc_file,
                          FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1",
                          ASAN_OPTIONS=(asan + ":" if asan else "") + "verify_asan_link_order=0")
        self.srv = self.server().start()

    def tearDown(self):
        super().tearDown()
        for key, value in self.saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def move_clock(self, instant):
        """The server's clock from now on reads `instant` (and runs on from there)."""
        self.offset = instant - int(time.time())
        with open(self.rc_file + ".tmp", "w") as f:
            f.write(f"{self.offset:+d}\n")
        os.replace(self.rc_file + ".tmp", self.rc_file)

    def fake_now(self):
        return time.time() + self.offset
