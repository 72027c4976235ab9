#!/usr/bin/env python3
"""The macOS workflow compiles platform/posix/ and platform/macos/ (and agent/, pairing/ and
tally-server's server/, all built on the runner) with Apple's SDK, which this Debian CI does
not have. This check stands in for that compile where a text check can: it fails on the
Linux-only names that would break the macOS build (each with the macOS spelling), in every
source file of those folders, except the files that are Linux-only by design (the Linux
durable_sync and spawn_fds)."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
FOLDERS = ["platform/posix", "platform/macos", "agent", "pairing", "server"]
LINUX_ONLY_FILES = {"platform/posix/durable_sync_fsync.cpp", "platform/posix/spawn_fds_closefrom.cpp"}

# name → what macOS has instead. Not listed: MSG_NOSIGNAL, which recent macOS SDKs define
# unless _ANSI_SOURCE is (bloomberg/ntf-core#267), though older ones do not.
LINUX_ONLY = {
    r"\bst_[amc]tim\b": "st_atime / st_atimespec",
    r"\bfdatasync\b": "durable_sync() (F_FULLFSYNC)",
    r"\bSOCK_(CLOEXEC|NONBLOCK)\b": "fcntl(FD_CLOEXEC / O_NONBLOCK) after socket()",
    r"\baccept4\b": "accept + fcntl",
    r"\bpipe2\b": "pipe + fcntl",
    r"\bO_(PATH|TMPFILE)\b": "no equivalent",
    r"\b(epoll_\w+|inotify_\w+|signalfd|timerfd_\w+|eventfd|memfd_create)\b": "kqueue",
    r"\bCLOCK_BOOTTIME\b": "CLOCK_MONOTONIC (counts sleep on macOS)",
    r"\bSO_PEERCRED\b": "getpeereid / LOCAL_PEERCRED",
    r"\b(prctl|statx|renameat2|gettid|sendfile64|getrandom)\b": "a POSIX or BSD call",
    r"\bsd_\w+\(": "launchd (no systemd)",
    r"\"/proc/": "sysctl / proc_pidpath",
    r"<(linux|sys/(epoll|inotify|prctl|sysinfo|signalfd|timerfd|eventfd))[/.]": "BSD headers",
    r"--gc-sections|--as-needed": "-dead_strip (Apple's ld)",
    r"\bposix_spawn_file_actions_addclosefrom_np\b": "POSIX_SPAWN_CLOEXEC_DEFAULT (spawn_fds.h)",
}


def main():
    problems = []
    checked = 0
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".cpp", ".h", ".txt", ".cmake"} or not path.is_file():
                continue
            rel = path.relative_to(ROOT).as_posix()
            if rel in LINUX_ONLY_FILES:
                continue
            checked += 1
            text = path.read_text(encoding="utf-8")
            # A CMake file with an if(APPLE) branch gives Apple's linker its own flags.
            apple_branch = path.suffix in {".txt", ".cmake"} and "if(APPLE)" in text
            for n, line in enumerate(text.splitlines(), 1):
                code = line.split("//")[0] if path.suffix in {".cpp", ".h"} else line.split("#")[0]
                for pattern, instead in LINUX_ONLY.items():
                    if apple_branch and pattern.startswith("--gc-sections"):
                        continue
                    if re.search(pattern, code):
                        problems.append(f"{rel}:{n}: Linux-only ({instead}): {line.strip()}")
            # glibc declares getentropy in <unistd.h>; macOS only in <sys/random.h>.
            if "getentropy(" in text and "<sys/random.h>" not in text:
                problems.append(f"{rel}: getentropy without <sys/random.h> (macOS declares it "
                                "only there)")
    if checked < 10:
        problems.append(f"only {checked} files checked: wrong root {ROOT}?")
    for p in problems:
        print(p)
    print(f"checked {checked} files: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
