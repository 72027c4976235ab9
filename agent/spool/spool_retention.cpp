// Spool retention by age (standalone mode) and the time span the spool holds.

#include <algorithm>
#include <optional>

#include "agent/spool/file_bytes.h"
#include "agent/spool/spool.h"
#include "pairing/heartbeat.h"

namespace tally::agent::spool {
namespace {

//! Start of the first and end of the last heartbeat in a segment's first `size` bytes.
Result<std::pair<std::int64_t, std::int64_t>> segment_times(const std::filesystem::path& path,
                                                            std::uint64_t size) {
    auto data = read_file_bytes(path);
    if (!data)
        return data.error();
    std::int64_t first = 0, last = 0;
    ParseResult parsed =
        parse_records(std::string_view(*data).substr(0, std::min<std::size_t>(data->size(), size)));
    for (const auto& r : parsed.records) {
        if (r.type != RecordType::heartbeat)
            continue;
        auto hb = pairing::decode_heartbeat(r.payload);
        if (!hb)
            continue;  // a record the CRC kept but that does not decode: skip, do not guess
        if (first == 0)
            first = hb->start;
        last = std::max(last, hb->end);
    }
    return std::make_pair(first, last);
}

}  // namespace

Result<std::uint64_t> Spool::drop_older_than(std::int64_t cutoff) {
    // The longest prefix (never the newest segment) ending in an old heartbeat segment whose
    // heartbeat segments are all old; gap-only segments inside it go with it. Stopping at a
    // heartbeat segment keeps a lone gap record from being re-declared on every call.
    if (auto r = check_invariants(); !r)
        return r.error();
    std::size_t drop = 0;
    for (std::size_t i = 0; i + 1 < segments_.size(); ++i) {
        Segment& seg = segments_[i];
        if (seg.hb_count == 0)
            continue;
        if (seg.newest_end < 0) {
            auto times = segment_times(seg.path, seg.size);
            if (!times)
                return times.error();
            seg.newest_end = times->second;  // closed segment: it never changes again
        }
        if (seg.newest_end >= cutoff)
            break;
        drop = i + 1;
    }
    std::optional<pairing::Gap> dropped;
    std::uint64_t count = 0;
    auto extend = [&](std::uint64_t from, std::uint64_t to) {
        from = std::max(from, acked_ + 1);
        if (from > to)
            return;
        if (!dropped) {
            dropped = pairing::Gap{from, to, "retention"};
        } else {
            dropped->from_seq = std::min(dropped->from_seq, from);
            dropped->to_seq = std::max(dropped->to_seq, to);
        }
    };
    for (std::size_t i = 0; i < drop; ++i) {
        Segment& seg = segments_.front();
        if (seg.hb_count > 0)
            extend(seg.hb_min, seg.hb_max);
        for (const auto& g : seg.gaps)
            extend(g.from_seq, g.to_seq);
        count += seg.hb_count;
        std::error_code ec;
        std::filesystem::remove(seg.path, ec);
        if (ec)
            return make_error("io", "cannot remove " + seg.path.string() + ": " + ec.message());
        bytes_ -= seg.size;
        segments_.erase(segments_.begin());
    }
    if (!dropped)
        return count;
    if (auto r = fs_.sync_directory(dir_); !r)
        return r.error();
    if (auto r = declare_gap(*dropped); !r)
        return r.error();
    return count;
}

Result<std::pair<std::int64_t, std::int64_t>> Spool::record_times() {
    std::int64_t oldest = 0, newest = 0;
    auto first = std::find_if(segments_.begin(), segments_.end(),
                              [](const Segment& s) { return s.hb_count > 0; });
    auto last = std::find_if(segments_.rbegin(), segments_.rend(),
                             [](const Segment& s) { return s.hb_count > 0; });
    if (first == segments_.end())
        return std::make_pair(oldest, newest);
    auto a = segment_times(first->path, first->size);
    if (!a)
        return a.error();
    oldest = a->first;
    newest = a->second;
    if (&*last != &*first) {
        auto b = segment_times(last->path, last->size);
        if (!b)
            return b.error();
        newest = b->second;
    }
    return std::make_pair(oldest, newest);
}

}  // namespace tally::agent::spool
