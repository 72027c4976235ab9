#!/usr/bin/env python3
"""bench.xlsx: the product's XLSX writer against libxlsxwriter on the same sheet.

Runs `tally-bench-xlsx` with both writers on N rows (default 2,000) and checks that the two
workbooks hold the same sheet XML byte for byte (ours deflates at level 1, libxlsxwriter at
zlib's default, so the ZIP bytes differ) and that openpyxl (python3-openpyxl) reads the same
cells from both. Prints both RESULT lines (seconds, CPU seconds, peak RSS, bytes); the figures
are not checked (they belong in bench/README.md).

    compare.py TALLY_BENCH_XLSX [--rows N]
"""
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl


def write(bench: str, writer: str, rows: int, out: Path) -> None:
    run = subprocess.run([bench, "--writer", writer, "--rows", str(rows), "--out", str(out)],
                         capture_output=True, text=True, check=False)
    print(run.stdout.strip())
    if run.returncode != 0:
        sys.exit(f"{writer}: exit {run.returncode}: {run.stderr.strip()}")


def cells(path: Path) -> list:
    book = openpyxl.load_workbook(path, read_only=True)
    return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]


def main() -> int:
    bench = sys.argv[1]
    rows = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 2000
    with tempfile.TemporaryDirectory(prefix="tally-bench-xlsx-") as tmp:
        ours, theirs = Path(tmp) / "product.xlsx", Path(tmp) / "libxlsxwriter.xlsx"
        write(bench, "product", rows, ours)
        write(bench, "libxlsxwriter", rows, theirs)
        sheet = "xl/worksheets/sheet1.xml"
        if zipfile.ZipFile(ours).read(sheet) != zipfile.ZipFile(theirs).read(sheet):
            print(f"FAIL: {sheet} differs from libxlsxwriter's")
            return 1
        a, b = cells(ours), cells(theirs)
        if a != b:
            print("FAIL: openpyxl reads different cells")
            return 1
        if len(a[0][1]) != rows + 1:
            print(f"FAIL: {len(a[0][1])} rows read, {rows + 1} written")
            return 1
    print(f"ok: {rows} rows, the same sheet XML and cells as libxlsxwriter")
    return 0


if __name__ == "__main__":
    sys.exit(main())
