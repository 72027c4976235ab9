#pragma once
// The usage report as JSON (the shape README/DESIGN document; key order is stable).

#include <string>

#include "server/report/usage_report.h"

namespace tally::server {

std::string usage_to_json(const UsageReport& report);

}  // namespace tally::server
