// Interned texts in blocks with an open-addressing index (see outcome_texts.h).

#include "server/billing/outcome_texts.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>

namespace tally::server::billing {
namespace {

constexpr std::size_t kBlockSize = 64 * 1024;
//! The stored empty text: a length of 0.
constexpr char kEmpty[1] = {0};

std::uint32_t hash_of(std::string_view text) {
    return static_cast<std::uint32_t>(std::hash<std::string_view>{}(text));
}

//! Bytes of the varint of `size`.
std::size_t varint_size(std::size_t size) {
    std::size_t bytes = 1;
    for (; size >= 0x80U; size >>= 7) {
        ++bytes;
    }
    return bytes;
}

}  // namespace

OutcomeTexts::OutcomeTexts() : slots_(16, 0) {
    append(kEmpty, hash_of({}));
    slots_[hash_at(0) & (slots_.size() - 1)] = 1;
}

std::uint32_t OutcomeTexts::intern(std::string_view text) {
    if (slots_.empty()) {  // sealed: the index made again
        rehash(std::bit_ceil(std::size_t{size_} * 2 + 2));
    }
    const auto mask = slots_.size() - 1;
    const auto hash = hash_of(text);
    auto slot = hash & mask;
    for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
        const auto id = slots_[slot] - 1;
        if (hash_at(id) == hash && (*this)[id] == text) {
            return id;
        }
    }
    if (size_ == std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("billing: more than 2^32 - 1 distinct texts in one outcome");
    }
    const auto id = size_;
    append(store(text), hash);
    slots_[slot] = id + 1;
    if (std::size_t{size_} * 2 > slots_.size()) {
        rehash(slots_.size() * 2);
    }
    return id;
}

void OutcomeTexts::append(const char* stored, std::uint32_t hash) {
    if (size_ % kChunkSize == 0) {
        chunks_.push_back(std::make_unique<Chunk>());
    }
    auto& chunk = *chunks_.back();
    chunk.text[size_ % kChunkSize] = stored;
    chunk.hash[size_ % kChunkSize] = hash;
    ++size_;
}

const char* OutcomeTexts::store(std::string_view text) {
    if (text.empty()) {
        return kEmpty;
    }
    const auto needed = varint_size(text.size()) + text.size();
    if (needed > free_size_) {
        const auto size = std::max(kBlockSize, needed);
        blocks_.push_back(std::make_unique<char[]>(size));
        free_ = blocks_.back().get();
        free_size_ = size;
    }
    const char* stored = free_;
    auto* p = reinterpret_cast<unsigned char*>(free_);
    for (auto size = text.size();; size >>= 7) {
        *p++ = static_cast<unsigned char>((size & 0x7fU) | (size >= 0x80U ? 0x80U : 0U));
        if (size < 0x80U) {
            break;
        }
    }
    std::memcpy(p, text.data(), text.size());
    free_ += needed;
    free_size_ -= needed;
    return stored;
}

void OutcomeTexts::rehash(std::size_t slot_count) {
    std::vector<std::uint32_t> slots(slot_count, 0);
    const auto mask = slot_count - 1;
    for (std::uint32_t id = 0; id < size_; ++id) {
        auto slot = hash_at(id) & mask;
        while (slots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = id + 1;
    }
    slots_ = std::move(slots);
}

}  // namespace tally::server::billing
