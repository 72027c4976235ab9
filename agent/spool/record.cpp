// Spool record encoding and parsing (see record.h).

#include "agent/spool/record.h"

#include <zlib.h>

namespace tally::agent::spool {
namespace {

void put_u32(pairing::Bytes& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u64(pairing::Bytes& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint64_t get_le(std::string_view d, std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
        v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(d[at + i])) << (8 * i);
    }
    return v;
}
std::uint32_t crc_of(const std::uint8_t* p, std::size_t n) {
    return static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), p, static_cast<uInt>(n)));
}

}  // namespace

pairing::Bytes encode_record(RecordType type, std::uint64_t seq, std::string_view payload) {
    pairing::Bytes body;
    body.reserve(kRecordMinBody + payload.size());
    body.push_back(static_cast<std::uint8_t>(type));
    put_u64(body, seq);
    body.insert(body.end(), payload.begin(), payload.end());
    pairing::Bytes out;
    out.reserve(kRecordHeaderSize + body.size());
    put_u32(out, static_cast<std::uint32_t>(body.size()));
    put_u32(out, crc_of(body.data(), body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

pairing::Bytes encode_gap_record(const pairing::Gap& gap) {
    pairing::Bytes payload;
    put_u64(payload, gap.from_seq);
    put_u64(payload, gap.to_seq);
    payload.insert(payload.end(), gap.reason.begin(), gap.reason.end());
    return encode_record(RecordType::gap, gap.to_seq, pairing::as_chars(payload));
}

pairing::Gap Record::gap() const {
    pairing::Gap g;
    if (payload.size() < 16)
        return g;
    g.from_seq = get_le(payload, 0, 8);
    g.to_seq = get_le(payload, 8, 8);
    g.reason = payload.substr(16);
    return g;
}

ParseResult parse_records(std::string_view data) {
    ParseResult r;
    std::size_t at = 0;
    while (at < data.size()) {
        if (data.size() - at < kRecordHeaderSize + kRecordMinBody)
            break;
        auto len = static_cast<std::uint32_t>(get_le(data, at, 4));
        auto crc = static_cast<std::uint32_t>(get_le(data, at + 4, 4));
        if (len < kRecordMinBody || len > kRecordMaxBody)
            break;
        if (data.size() - at - kRecordHeaderSize < len)
            break;
        const auto* body = reinterpret_cast<const std::uint8_t*>(data.data() + at + 8);
        if (crc_of(body, len) != crc)
            break;
        auto type = body[0];
        if (type != static_cast<std::uint8_t>(RecordType::heartbeat) &&
            type != static_cast<std::uint8_t>(RecordType::gap)) {
            break;
        }
        Record rec;
        rec.type = static_cast<RecordType>(type);
        rec.seq = get_le(data, at + 9, 8);
        rec.payload =
            std::string(data.substr(at + kRecordHeaderSize + kRecordMinBody, len - kRecordMinBody));
        rec.offset = at;
        rec.size = kRecordHeaderSize + len;
        at += rec.size;
        r.records.push_back(std::move(rec));
    }
    r.valid_bytes = at;
    r.damaged = at < data.size();
    return r;
}

}  // namespace tally::agent::spool
