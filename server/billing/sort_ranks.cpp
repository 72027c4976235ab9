// Ranks for integer sorts by text (see sort_ranks.h).

#include "server/billing/sort_ranks.h"

#include <algorithm>
#include <numeric>
#include <string_view>

namespace tally::server::billing {
namespace {

//! rank[order[k]] for `order` sorted by `text` (equal texts, equal ranks).
template <typename Text>
void assign_ranks(const std::vector<std::uint32_t>& order, Text text,
                  std::vector<std::uint32_t>& rank) {
    std::uint32_t next = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        if (k > 0 && text(order[k - 1]) != text(order[k])) {
            ++next;
        }
        rank[order[k]] = next;
    }
}

}  // namespace

std::vector<std::uint32_t> device_id_ranks(const std::vector<BillingDevice>& devices) {
    std::vector<std::uint32_t> order(devices.size());
    std::iota(order.begin(), order.end(), 0U);
    const auto id = [&](std::uint32_t i) -> std::string_view { return devices[i].id; };
    // The store lists devices by id: then the sort is one pass.
    if (!std::is_sorted(order.begin(), order.end(),
                        [&](std::uint32_t a, std::uint32_t b) { return id(a) < id(b); })) {
        std::sort(order.begin(), order.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return id(a) < id(b); });
    }
    std::vector<std::uint32_t> rank(devices.size(), 0);
    assign_ranks(order, id, rank);
    return rank;
}

std::vector<std::uint32_t> text_ranks(const OutcomeTexts& texts, std::vector<std::uint32_t> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const auto text = [&](std::uint32_t id) { return texts[id]; };
    std::sort(ids.begin(), ids.end(),
              [&](std::uint32_t a, std::uint32_t b) { return text(a) < text(b); });
    std::vector<std::uint32_t> rank(texts.size(), 0);
    assign_ranks(ids, text, rank);
    return rank;
}

}  // namespace tally::server::billing
