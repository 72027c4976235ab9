#pragma once
// The encoding of a closed month's frozen report (month_close.h): every field of the
// UsageReport but its late adjustments (shown live beside the frozen bill), as a compact
// binary record (varints, length-prefixed text) compressed with zlib. Decoding gives back a
// report equal field by field, so every writer (JSON, CSV, XLSX) writes from it exactly what
// it wrote from the report it was made of.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pairing/result.h"
#include "server/report/report_rows.h"
#include "server/report/usage_report.h"

namespace tally::server {

//! Bumped whenever the encoding changes; a snapshot of another version is refused, never
//! misread (the decoder knows only its own).
constexpr std::int64_t kMonthSnapshotFormat = 1;

//! The report without `late`, `summary.late_adjustments` and `summary.late_units_delta`.
std::string encode_month_snapshot(const UsageReport& report);

//! A snapshot whose rows are inflated and decoded one at a time at each visit: writing a frozen
//! report from it holds the compressed snapshot, a window of inflated bytes and one row,
//! never every row decoded. Body layout: magic, then three parts (head, devices, users), each
//! its raw size, its packed size and a zlib stream; a row is its byte length and its fields.
class SnapshotRows final : public ReportRows {
  public:
    //! Decodes everything but the rows into `head` (its devices and users left empty); the
    //! rows are decoded by each visit (check() first, or catch RowsDamaged). Errors: db
    //! (damaged head or parts).
    static Result<std::unique_ptr<SnapshotRows>> open(std::string body, UsageReport& head);
    Result<void> check() const override;
    std::size_t device_count() const override { return device_count_; }
    std::size_t user_count() const override { return user_count_; }
    void each_device(const std::function<void(const DeviceReportRow&)>& fn) const override;
    void each_user(const std::function<void(const billing::UserBilling&)>& fn) const override;

  private:
    struct PartView {
        std::uint64_t raw_size = 0;
        std::string_view packed;  //!< in body_
    };
    SnapshotRows() = default;
    std::string body_;
    std::size_t device_count_ = 0;
    std::size_t user_count_ = 0;
    PartView devices_;
    PartView users_;
};

//! The whole report (rows decoded into its vectors). Errors: db (damaged).
Result<UsageReport> decode_month_snapshot(std::string_view body);

//! Calls fn on every text field of `report` that a snapshot encodes (the same field lists as
//! the codec, so no field is missed): the purge's redaction (snapshot_redaction.h).
void each_snapshot_text(UsageReport& report, const std::function<void(std::string&)>& fn);

}  // namespace tally::server
