#pragma once
// The encoding of a closed month's frozen report (month_close.h): every field of the
// UsageReport but its late adjustments (shown live beside the frozen bill), as a compact
// binary record (varints, length-prefixed text) compressed with zlib. Decoding gives back a
// report equal field by field, so every writer (JSON, CSV, XLSX) writes from it exactly what
// it wrote from the report it was made of.

#include <cstdint>
#include <string>
#include <string_view>

#include "pairing/result.h"
#include "server/report/usage_report.h"

namespace tally::server {

//! Bumped whenever the encoding changes; a snapshot of another version is refused, never
//! misread (the decoder knows only its own).
constexpr std::int64_t kMonthSnapshotFormat = 1;

//! The report without `late`, `summary.late_adjustments` and `summary.late_units_delta`.
std::string encode_month_snapshot(const UsageReport& report);

//! Errors: db (not a snapshot of kMonthSnapshotFormat, or damaged).
Result<UsageReport> decode_month_snapshot(std::string_view body);

}  // namespace tally::server
