#pragma once
// Texts one after the other in one buffer, each found by its position: the interned principals
// of a report's facts (BillingFacts::principals). At 100,000 devices a month has ~105,000 of
// them: ~2 MB this way, where a std::vector<std::string> took ~6.6 MB (32 B a string, plus its
// own allocation when longer than 15 bytes).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tally::server {

class TextTable {
  public:
    std::size_t size() const { return ends_.size(); }
    bool empty() const { return ends_.empty(); }
    //! Text i; valid until the table changes.
    std::string_view operator[](std::size_t i) const {
        const std::uint32_t begin = i == 0 ? 0 : ends_[i - 1];
        return std::string_view(bytes_).substr(begin, ends_[i] - begin);
    }
    void push_back(std::string_view text) {
        bytes_.append(text);
        ends_.push_back(static_cast<std::uint32_t>(bytes_.size()));
    }
    void reserve(std::size_t texts, std::size_t bytes) {
        ends_.reserve(texts);
        bytes_.reserve(bytes);
    }
    //! The same texts in the same order.
    bool operator==(const TextTable&) const = default;

  private:
    std::vector<std::uint32_t> ends_;  //!< text i is bytes_[ends_[i - 1], ends_[i])
    std::string bytes_;
};

}  // namespace tally::server
