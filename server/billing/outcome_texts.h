#pragma once
// The texts of the billing engine's compact outcome (user keys, principals, groups,
// packages), each stored once (issue 20: 250,000 of them at 100,000 devices). The bytes live in
// large blocks (no allocation per text), the index is an open-addressing table of ids (4 bytes
// a slot, no node per text) beside 32 bits of each text's hash (a probe compares bytes only on
// equal hashes; growing hashes no text again); both move without moving a text.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace tally::server::billing {

//! Interned texts: id 0 is "". A text's bytes never move (views stay valid, also after a move
//! of the whole table).
class OutcomeTexts {
  public:
    OutcomeTexts();
    std::uint32_t intern(std::string_view text);
    std::string_view operator[](std::uint32_t id) const { return views_[id]; }
    std::size_t size() const { return views_.size(); }
    //! Drops the index (the texts stay; a later intern makes it again).
    void seal() { std::vector<std::uint32_t>().swap(slots_); }

  private:
    std::string_view store(std::string_view text);
    void rehash(std::size_t slot_count);

    std::vector<std::unique_ptr<char[]>> blocks_;
    char* free_ = nullptr;  //!< the unused end of the last block
    std::size_t free_size_ = 0;
    std::vector<std::string_view> views_;
    std::vector<std::uint32_t> slots_;   //!< id + 1 of the text hashed there; 0: empty
    std::vector<std::uint32_t> hashes_;  //!< by id: the low 32 bits of its hash
};

}  // namespace tally::server::billing
