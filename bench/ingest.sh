#!/usr/bin/env bash
# Server ingest benchmark: bench/ingest.sh [--short | --full | --smoke] [--devices N]
# [--connections C (full speed, default 32)] [--rate-connections C (fixed rate, default 128)].
# Binaries from $TALLY_BUILD_DIR (default build-bench/, Release) or $TALLY_SERVER /
# $TALLY_AGENT / $TALLY_BENCH_INGEST. See bench/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$here/lib
exec /usr/bin/python3 "$here/lib/ingest_driver.py" "$@"
