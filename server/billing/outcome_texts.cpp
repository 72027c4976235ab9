// Interned texts in blocks with an open-addressing index (see outcome_texts.h).

#include "server/billing/outcome_texts.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>

namespace tally::server::billing {
namespace {

constexpr std::size_t kBlockSize = 64 * 1024;

std::uint32_t hash_of(std::string_view text) {
    return static_cast<std::uint32_t>(std::hash<std::string_view>{}(text));
}

}  // namespace

OutcomeTexts::OutcomeTexts() : views_{std::string_view()}, slots_(16, 0), hashes_{hash_of({})} {
    slots_[hashes_[0] & (slots_.size() - 1)] = 1;
}

std::uint32_t OutcomeTexts::intern(std::string_view text) {
    if (slots_.empty()) {  // sealed: the index made again
        rehash(std::bit_ceil(views_.size() * 2 + 2));
    }
    const auto mask = slots_.size() - 1;
    const auto hash = hash_of(text);
    auto slot = hash & mask;
    for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
        const auto id = slots_[slot] - 1;
        if (hashes_[id] == hash && views_[id] == text) {
            return id;
        }
    }
    const auto id = static_cast<std::uint32_t>(views_.size());
    views_.push_back(store(text));
    hashes_.push_back(hash);
    slots_[slot] = id + 1;
    if (views_.size() * 2 > slots_.size()) {
        rehash(slots_.size() * 2);
    }
    return id;
}

std::string_view OutcomeTexts::store(std::string_view text) {
    if (text.empty()) {
        return {};
    }
    if (text.size() > free_size_) {
        const auto size = std::max(kBlockSize, text.size());
        blocks_.push_back(std::make_unique<char[]>(size));
        free_ = blocks_.back().get();
        free_size_ = size;
    }
    std::memcpy(free_, text.data(), text.size());
    const std::string_view stored(free_, text.size());
    free_ += text.size();
    free_size_ -= text.size();
    return stored;
}

void OutcomeTexts::rehash(std::size_t slot_count) {
    std::vector<std::uint32_t> slots(slot_count, 0);
    const auto mask = slot_count - 1;
    for (std::uint32_t id = 0; id < views_.size(); ++id) {
        auto slot = hashes_[id] & mask;
        while (slots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = id + 1;
    }
    slots_ = std::move(slots);
}

}  // namespace tally::server::billing
