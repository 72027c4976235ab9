#!/usr/bin/env python3
"""scripts/macos-check's parsing of the OS's own tools, on Linux, with their output as the
pages cited in platform/macos/README.md show it (no value was recorded on a Mac here). On the
macOS runner the script compares those tools with the agent; a parsing slip would make it
pass or fail for the wrong reason, so its readers are pinned here:

  * `ioreg -c IOHIDSystem -r -d 1`: the HIDIdleTime number (ns);
  * `ioreg -rd1 -c IOPlatformExpertDevice`: the IOPlatformUUID, hashed exactly as
    platform_uuid.cpp hashes it (the same value test_platform_uuid.cpp pins);
  * `who -u`: user, line and login pid of each live login;
  * `otool -L`: libraries outside /usr/lib and /System/Library are third-party.

  test_macos_check.py SOURCE_ROOT
"""

import importlib.machinery
import importlib.util
import json
import os
import sys
import tempfile
import unittest

ROOT = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../..")


def load_macos_check():
    path = os.path.join(ROOT, "scripts", "macos-check")
    loader = importlib.machinery.SourceFileLoader("macos_check", path)
    spec = importlib.util.spec_from_loader("macos_check", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


IOREG_HID = """+-o IOHIDSystem  <class IOHIDSystem, id 0x100000494, registered, matched, active, busy 0 (0 ms), retain 26>
    {
      "HIDIdleTimeDelta" = 8327
      "HIDScrollCountMinDeltaToStart" = 30
      "HIDIdleTime" = 4007110000
      "HIDParameters" = {"HIDDefaultParameters"=Yes}
    }
"""

IOREG_EXPERT = """+-o MacBookPro18,3  <class IOPlatformExpertDevice, id 0x100000110, registered, matched, active, busy 0 (0 ms), retain 35>
    {
      "IOPlatformSerialNumber" = "C02XXXXXXXXX"
      "IOPlatformUUID" = "564d1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b"
      "model" = <"MacBookPro18,3">
    }
"""

# who(1) -u on macOS: name, line, login time, idle ("." or "old" or hh:mm), pid.
WHO_U = """alice    console  Dec  5 09:12  old     412
bob      console  Dec  5 10:01  old     999999
alice    ttys000  Dec  5 09:30   .      1203
carol    ttys001  Dec  5 11:00  00:12   1310
"""

OTOOL = """build/tally-agent-helper:
\t/usr/lib/libcurl.4.dylib (compatibility version 7.0.0, current version 9.0.0)
\t/System/Library/Frameworks/Security.framework/Versions/A/Security (compatibility version 1.0.0)
\t/usr/lib/libc++.1.dylib (compatibility version 1.0.0, current version 1700.255.0)
\t/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib (compatibility version 3.0.0)
"""


class MacosCheckParsing(unittest.TestCase):
    def setUp(self):
        self.mc = load_macos_check()
        self.mc.problems.clear()
        self.outputs = {}
        self.mc.run = lambda *cmd: self.outputs[cmd[0]]

    def test_hid_idle_time_from_ioreg(self):
        self.outputs["ioreg"] = IOREG_HID
        self.assertEqual(self.mc.ioreg_number("IOHIDSystem", "HIDIdleTime"), 4007110000)
        self.assertEqual(self.mc.ioreg_number("IOHIDSystem", "HIDIdleTimeDelta"), 8327)
        self.assertIsNone(self.mc.ioreg_number("IOHIDSystem", "NoSuchKey"))

    def test_fingerprint_is_the_agents_hash_of_the_uuid(self):
        self.outputs["ioreg"] = IOREG_EXPERT
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            # platform_uuid_fingerprint("564D1A2B-…-9C0D1E2F3A4B"), pinned in test_platform_uuid.cpp
            json.dump({"fingerprint": "e5f744e0157a3b132c4873312aba681ef0d61b5ed910c53673298a2732b15308"}, f)
        self.addCleanup(os.unlink, f.name)
        self.mc.check_fingerprint(f.name)
        self.assertEqual(self.mc.problems, [])
        with open(f.name, "w") as g:
            json.dump({"fingerprint": "0" * 64}, g)
        self.mc.check_fingerprint(f.name)
        self.assertEqual(len(self.mc.problems), 1)

    def test_who_u_lists_live_logins_only(self):
        self.outputs["who"] = WHO_U
        self.mc.alive = lambda pid: pid != 999999  # bob's login process is gone
        self.assertEqual(self.mc.who_logins(),
                         [("alice", "console"), ("alice", "ttys000"), ("carol", "ttys001")])

    def test_otool_flags_third_party_libraries(self):
        self.outputs["otool"] = OTOOL
        self.mc.check_dylibs("build/tally-agent-helper", required=True)
        self.assertEqual(len(self.mc.problems), 1)
        self.assertIn("libssl.3.dylib", self.mc.problems[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
