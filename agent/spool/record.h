#pragma once
// One spool record (DESIGN.md §3). On disk:
//   u32le length (of type..payload) | u32le crc32 (zlib, over type..payload) |
//   u8 type | u64le seq | payload
// type 1: heartbeat, payload = the encoded heartbeat bytes, seq = its seq.
// type 2: gap, payload = u64le from_seq | u64le to_seq | reason bytes, seq = to_seq.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/batch.h"
#include "pairing/bytes.h"

namespace tally::agent::spool {

enum class RecordType : std::uint8_t { heartbeat = 1, gap = 2 };

constexpr std::size_t kRecordHeaderSize = 8;  //!< length + crc
constexpr std::size_t kRecordMinBody = 9;     //!< type + seq
constexpr std::uint32_t kRecordMaxBody = 16u << 20;

struct Record {
    RecordType type = RecordType::heartbeat;
    std::uint64_t seq = 0;
    std::string payload;
    std::uint64_t offset = 0;  //!< where the record starts in its segment
    std::uint64_t size = 0;    //!< bytes on disk including the header

    pairing::Gap gap() const;  //!< for type gap; a malformed payload yields an empty range
};

pairing::Bytes encode_record(RecordType type, std::uint64_t seq, std::string_view payload);
pairing::Bytes encode_gap_record(const pairing::Gap& gap);

//! Records read from a segment's bytes. `valid_bytes` is where the last good record ends;
//! `damaged` says bytes after it do not form a good record (torn write, bad CRC, garbage).
struct ParseResult {
    std::vector<Record> records;
    std::uint64_t valid_bytes = 0;
    bool damaged = false;
};
ParseResult parse_records(std::string_view data);

}  // namespace tally::agent::spool
