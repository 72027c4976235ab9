#pragma once
// A usage report as an HTTP response body written to a temporary file (in $TMPDIR, else
// /tmp; mode 0600) that the front sends and then removes: a 100,000-device report is ~100 MB
// of JSON that is never held in memory as one string.

#include <memory>

#include "pairing/result.h"
#include "server/front/message.h"
#include "server/report/usage_output.h"

namespace tally::server {

//! Errors: io (no temporary file, disk full), xlsx.
Result<std::shared_ptr<const BodyFile>> usage_body_file(const UsageReport& report,
                                                        UsageFormat format);
//! The same from `head` and its `rows` (month_close.h build_usage_rows: a closed month's rows
//! are decoded from its snapshot one at a time as they are written, never all at once).
Result<std::shared_ptr<const BodyFile>> usage_body_file(const UsageReport& head,
                                                        const ReportRows& rows, UsageFormat format);

}  // namespace tally::server
