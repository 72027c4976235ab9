#pragma once
// Ranks that let the billing engine sort by text with integer compares (issue 20: sorting
// 100,000 devices by id and 180,000 users by principal compared strings millions of times).
// Each text is compared only while its rank is made, once per report.

#include <cstdint>
#include <vector>

#include "server/billing/outcome_texts.h"
#include "server/store/billing_records.h"

namespace tally::server::billing {

//! rank[i]: the place of devices[i].id among the devices' ids, equal ids with equal ranks
//! (rank[a] < rank[b] exactly when devices[a].id < devices[b].id).
std::vector<std::uint32_t> device_id_ranks(const std::vector<BillingDevice>& devices);

//! rank[id] for every text id in `ids` (repeats allowed): its place among those texts, by
//! text (rank[a] < rank[b] exactly when texts[a] < texts[b]); other ids are left 0. The
//! answer has texts.size() entries.
std::vector<std::uint32_t> text_ranks(const OutcomeTexts& texts, std::vector<std::uint32_t> ids);

}  // namespace tally::server::billing
