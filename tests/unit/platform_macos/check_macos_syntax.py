#!/usr/bin/env python3
"""Type-checks the Apple-API files of platform/macos/ on Debian, which has no macOS SDK,
against sdk_stub/: declarations of the Apple names they use, transcribed from Apple's
documentation. `-fsyntax-only` with the project's warnings as errors: it catches mistakes in
our code (types, conversions, missing includes of our own headers, misspelt names), not
mismatches with the real SDK — only the macOS workflow can find those.

  check_macos_syntax.py CXX SOURCE_ROOT [extra -I/-D flags…]
"""

import pathlib
import subprocess
import sys

# Files that call no Apple API are compiled and unit-tested by the normal build
# (platform/macos/portable.cmake); everything else in the folder is checked here.
PORTABLE = {"account_origin.cpp", "console_sessions.cpp", "ecdsa_der.cpp", "hid_idle.cpp",
            "p256_key_pem.cpp", "p256_point.cpp", "platform_uuid.cpp"}


def main():
    cxx, root = sys.argv[1], pathlib.Path(sys.argv[2])
    extra = sys.argv[3:]
    stub = pathlib.Path(__file__).resolve().parent / "sdk_stub"
    folder = root / "platform" / "macos"
    failed, checked = [], 0
    for src in sorted(folder.glob("*.cpp")):
        if src.name in PORTABLE:
            continue
        cmd = [cxx, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
               "-isystem", str(stub), "-I", str(root),
               # F_FULLFSYNC is a macOS fcntl command (value 51 in <sys/fcntl.h>).
               "-DF_FULLFSYNC=51", "-DASIO_STANDALONE", *extra, str(src)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        checked += 1
        if r.returncode != 0:
            failed.append(src.name)
            print(f"--- {src.name}\n{r.stdout}{r.stderr}")
    print(f"{checked} Apple-API files type-checked against sdk_stub, {len(failed)} failed")
    if checked < 8:
        print("fewer files than expected: wrong SOURCE_ROOT?")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
