#pragma once
// The sentence a usage report gives for each device (DESIGN.md §5 rules 2, 4, 5): which
// license covers it and why that one, why it is standalone, when it was retired, and which
// of its heartbeats fell in the tenant's inactive span (kept as evidence, not billed). The
// same text in JSON, CSV, XLSX and the web page.

#include <string>

#include "server/billing/billing_engine.h"

namespace tally::server {

//! `inactive_span_heartbeats`: its heartbeats of the month that started while the tenant was
//! inactive.
std::string explain_device(const billing::DeviceBilling& device,
                           std::int64_t inactive_span_heartbeats);

}  // namespace tally::server
