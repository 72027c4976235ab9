"""The resident tally-agent links neither libcurl nor OpenSSL (directly or through another
library: `ldd` resolves the whole tree), and tally-agent-helper links both. Run by CTest
(platform_linux.agent_links) with the two binaries as arguments."""

import subprocess
import sys

FORBIDDEN = ("libcurl", "libssl", "libcrypto", "libgnutls", "libnghttp2")


def libraries(binary):
    out = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def main():
    agent, helper = sys.argv[1], sys.argv[2]
    agent_libs = libraries(agent)
    helper_libs = libraries(helper)
    bad = [lib for lib in agent_libs if lib.startswith(FORBIDDEN)]
    if bad:
        sys.exit(f"tally-agent must not load {', '.join(bad)} (ldd {agent})")
    for needed in ("libcurl", "libssl", "libcrypto"):
        if not any(lib.startswith(needed) for lib in helper_libs):
            sys.exit(f"tally-agent-helper should link {needed}; ldd shows {helper_libs}")
    print(f"tally-agent: {len(agent_libs)} libraries, none of {', '.join(FORBIDDEN)}")


if __name__ == "__main__":
    main()
