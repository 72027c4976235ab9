#pragma once
// The texts of the billing engine's compact outcome (user keys, principals, groups,
// packages), each stored once (issue 20: 250,000 of them at 100,000 devices). The bytes live in
// large blocks (no allocation per text), each after a varint of its length, so that a text is
// one pointer (8 bytes, not a 16-byte view); the pointers and 32 bits of each text's hash live
// in fixed chunks of ids (growing never copies them nor holds twice their size). The index is
// an open-addressing table of ids (4 bytes a slot, no node per text): a probe compares bytes
// only on equal hashes; growing hashes no text again. All of it moves without moving a text.

#include <array>
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
    std::string_view operator[](std::uint32_t id) const {
        return view_of(chunks_[id / kChunkSize]->text[id % kChunkSize]);
    }
    std::size_t size() const { return size_; }
    //! Drops the index (the texts stay; a later intern makes it again).
    void seal() { std::vector<std::uint32_t>().swap(slots_); }

  private:
    static constexpr std::uint32_t kChunkSize = 4096;
    //! What the ids [k * kChunkSize, (k + 1) * kChunkSize) name.
    struct Chunk {
        std::array<const char*, kChunkSize> text{};    //!< a stored text (its length first)
        std::array<std::uint32_t, kChunkSize> hash{};  //!< the low 32 bits of its hash
    };

    //! The text stored at `stored`: a varint (7 bits a byte, low first) of its size, then it.
    static std::string_view view_of(const char* stored) {
        const auto* p = reinterpret_cast<const unsigned char*>(stored);
        std::size_t size = 0;
        for (unsigned shift = 0;; shift += 7) {
            const auto byte = *p++;
            size |= static_cast<std::size_t>(byte & 0x7fU) << shift;
            if ((byte & 0x80U) == 0) {
                break;
            }
        }
        return {reinterpret_cast<const char*>(p), size};
    }
    std::uint32_t hash_at(std::uint32_t id) const {
        return chunks_[id / kChunkSize]->hash[id % kChunkSize];
    }
    void append(const char* stored, std::uint32_t hash);
    const char* store(std::string_view text);
    void rehash(std::size_t slot_count);

    std::vector<std::unique_ptr<char[]>> blocks_;
    char* free_ = nullptr;  //!< the unused end of the last block
    std::size_t free_size_ = 0;
    std::vector<std::unique_ptr<Chunk>> chunks_;
    std::uint32_t size_ = 0;
    std::vector<std::uint32_t> slots_;  //!< id + 1 of the text hashed there; 0: empty
};

}  // namespace tally::server::billing
