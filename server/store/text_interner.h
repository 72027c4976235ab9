#pragma once
// Internal to the store: interns texts into a TextTable, each distinct text once, found by
// value in an open-addressing table of 4-byte slots. A report's readers intern ~105,000
// principals at 100,000 devices: ~3 MB each this way, where an unordered_map of strings beside
// a vector of them took ~10 MB; the merge of the two readers' halves renumbers the upper's
// through the lower's interner.

#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "server/store/text_table.h"

namespace tally::server::detail {

class TextInterner {
  public:
    TextInterner() = default;
    //! Interns `texts` (distinct) in their order: text i keeps position i.
    explicit TextInterner(TextTable&& texts) : texts_(std::move(texts)) { rehash(); }

    //! The position of `text`, added at the end when it is new.
    std::uint32_t intern(std::string_view text) {
        if ((texts_.size() + 1) * 2 > slots_.size()) {
            rehash();
        }
        auto& slot = slots_[find_slot(text)];
        if (slot == kEmpty) {
            slot = static_cast<std::uint32_t>(texts_.size());
            texts_.push_back(text);
        }
        return slot;
    }

    const TextTable& texts() const { return texts_; }
    //! The texts; the interner is left empty.
    TextTable take() {
        slots_.clear();
        return std::exchange(texts_, TextTable{});
    }

  private:
    static constexpr std::uint32_t kEmpty = 0xffffffff;

    //! The slot holding `text`, else the empty one where it goes.
    std::size_t find_slot(std::string_view text) const {
        const auto mask = slots_.size() - 1;
        auto i = std::hash<std::string_view>{}(text)&mask;
        while (slots_[i] != kEmpty && texts_[slots_[i]] != text) {
            i = (i + 1) & mask;
        }
        return i;
    }

    //! Slots for at least twice the texts (a power of two), every text placed again.
    void rehash() {
        std::size_t n = 16;
        while (n < (texts_.size() + 1) * 4) {
            n *= 2;
        }
        slots_.assign(n, kEmpty);
        for (std::uint32_t i = 0; i < texts_.size(); ++i) {
            slots_[find_slot(texts_[i])] = i;
        }
    }

    TextTable texts_;
    std::vector<std::uint32_t> slots_;
};

}  // namespace tally::server::detail
