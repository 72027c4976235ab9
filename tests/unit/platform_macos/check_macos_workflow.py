#!/usr/bin/env python3
"""Reads .github/workflows/macos.yml the way the hosted runner would, without a Mac:

  * it parses as YAML, its one job runs on the hosted `macos-14` runner;
  * every repository script or installer file a step runs exists and is executable (a plist
    it reads exists);
  * every build target of the Build step is defined by the CMake files, every CTest name of
    the Unit tests step is registered;
  * every library the CMake files require (find_package / pkg_check_modules REQUIRED) is
    installed by the `brew install` line, comes with the macOS SDK, or is Linux-only.

  check_macos_workflow.py SOURCE_ROOT
"""

import os
import pathlib
import re
import sys

import yaml

# CMake package → Homebrew formula (or a reason it needs none on macOS).
BREW = {"Boost": "boost", "OpenSSL": "openssl@3", "nlohmann_json": "nlohmann-json",
        "xlsxwriter": "libxlsxwriter", "libpq": "libpq", "cpp-httplib": "cpp-httplib",
        "PkgConfig": "pkgconf"}
NOT_BREW = {"Threads": "libSystem", "ZLIB": "the SDK", "SQLite3": "the SDK",
            "CURL": "the SDK (the helper links the system libcurl)",
            "Catch2": "built from source by the workflow", "libsystemd": "Linux only"}

problems = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        problems.append(what)


def cmake_files(root):
    for p in root.rglob("CMakeLists.txt"):
        if not any(part.startswith("build") for part in p.relative_to(root).parts):
            yield p


def required_packages(root):
    found = set()
    for p in cmake_files(root):
        text = p.read_text()
        found.update(re.findall(r"find_package\((\w+)[^)]*REQUIRED", text))
        found.update(re.findall(r"pkg_check_modules\(\w+\s+REQUIRED(?:\s+IMPORTED_TARGET)?\s+([\w-]+)",
                                text))
    return found


def defined_targets(root):
    names = set()
    for p in cmake_files(root):
        names.update(re.findall(r"add_(?:executable|library|custom_target)\(([\w-]+)", p.read_text()))
    return names


def registered_tests(root):
    names = set()
    for p in cmake_files(root):
        names.update(re.findall(r"add_test\(NAME\s+([\w.-]+)", p.read_text()))
    return names


def main():
    root = pathlib.Path(sys.argv[1])
    wf = yaml.safe_load((root / ".github" / "workflows" / "macos.yml").read_text())
    jobs = wf.get("jobs", {})
    check(len(jobs) == 1, f"one job ({', '.join(jobs)})")
    job = next(iter(jobs.values()))
    check(job.get("runs-on") == "macos-14", f"runs on the hosted macos-14 runner ({job.get('runs-on')})")
    steps = {s.get("name", ""): s.get("run", "") for s in job.get("steps", [])}
    runs = "\n".join(steps.values())

    for rel in sorted(set(re.findall(r"\b((?:scripts|installer/macos)/[\w.-]+)", runs))):
        path = root / rel
        if rel.endswith(".plist"):  # read (plutil), not run
            check(path.is_file(), f"{rel} exists")
        else:
            check(path.is_file() and os.access(path, os.X_OK), f"{rel} exists and is executable")

    build = steps.get("Build", "")
    m = re.search(r'targets="([^"]*)"', build)
    targets = m.group(1).split() if m else []
    check(bool(targets), "the Build step names its targets")
    defined = defined_targets(root)
    for t in targets:
        check(t in defined, f"build target {t} is defined")

    m = re.search(r"-R '\^\(([^)]*)\)\$'", steps.get("Unit tests", ""))
    tests = [n.replace("\\.", ".") for n in m.group(1).split("|")] if m else []
    check(bool(tests), "the Unit tests step names its tests")
    registered = registered_tests(root)
    for t in tests:
        check(t in registered, f"CTest {t} is registered")

    brew = set()
    for line in re.findall(r"brew install ((?:[^\n\\]|\\\n)*)", runs):
        brew.update(line.replace("\\\n", " ").split())
    for pkg in sorted(required_packages(root)):
        if pkg in NOT_BREW:
            print(f"ok    {pkg}: {NOT_BREW[pkg]}")
        elif pkg in BREW:
            check(BREW[pkg] in brew, f"{pkg} is installed by brew ({BREW[pkg]})")
        else:
            check(False, f"{pkg} is required by CMake: add its formula to the workflow and here")
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
