#!/usr/bin/env python3
"""Fails when an Apple name the macOS code uses is missing from the review table of
platform/macos/README.md ("Review: every Apple API, the file, and what checks it").

The names used are those declared in sdk_stub/ (the syntax check compiles every Apple-API
file against them, so a name the code uses and the stub lacks already fails there): the
functions, constants, enumerators and macros of each stub header. Types are left out.

  check_api_table.py SOURCE_ROOT
"""

import pathlib
import re
import sys

# Stub-internal helpers, not Apple names.
IGNORED = {"tally_stub_os_log", "__CFStringMakeConstantString", "os_log", "os_log_info"}
# os_log/os_log_info are macros over the stub helper: listed by hand below.
BY_HAND = {"os_log", "os_log_info"}


def declared_names(stub):
    names = set()
    for header in stub.rglob("*.h"):
        text = re.sub(r"//[^\n]*", "", header.read_text())
        text = re.sub(r'extern "C"\s*(?!\{)', "", text)  # extern "C" void f(…) → void f(…)
        text = re.sub(r"^typedef[^;]*;", "", text, flags=re.M | re.S)
        # functions: "name(" after a return type, at the start of a declaration
        names.update(re.findall(r"^[A-Za-z_][\w \t\*]*?[\s\*](\w+)\s*\(", text, re.M))
        # extern constants: "extern const T NAME;" / "extern T NAME;"
        names.update(re.findall(r"^extern\s+(?:const\s+)?\w+\s+(?:const\s+)?(\w+)\s*;", text, re.M))
        # enumerators and macros
        for body in re.findall(r"enum\s*\{([^}]*)\}", text):
            names.update(re.findall(r"(\w+)\s*=", body))
        names.update(re.findall(r"^#define\s+(\w+)", text, re.M))
        names.update(re.findall(r"static const \w+ (\w+)\s*=", text))
    return {n for n in names if n not in IGNORED and n != "extern"} | BY_HAND


def table_text(readme):
    text = readme.read_text()
    start = text.find("## Review: every Apple API")
    if start < 0:
        return None
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


def main():
    root = pathlib.Path(sys.argv[1])
    stub = pathlib.Path(__file__).resolve().parent / "sdk_stub"
    table = table_text(root / "platform" / "macos" / "README.md")
    if table is None:
        print("platform/macos/README.md has no 'Review: every Apple API' section")
        return 1
    names = declared_names(stub)
    in_table = set(re.findall(r"`([^`]+)`", table))
    words = set()
    for cell in in_table:
        words.update(re.findall(r"\w+", cell))
    missing = sorted(n for n in names if n not in words)
    print(f"{len(names)} Apple names declared in sdk_stub, {len(missing)} missing from the table")
    for n in missing:
        print(f"  missing: {n}")
    if len(names) < 60:
        print("fewer names than expected: is the stub parsed?")
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
