// Spool appends, reads, acknowledgements and the size bound (open() is in spool_open.cpp).

#include "agent/spool/spool.h"

#include <algorithm>

#include "agent/log.h"
#include "agent/spool/acked_file.h"
#include "agent/spool/file_bytes.h"
#include "agent/spool/segment_name.h"
#include "pairing/heartbeat.h"

namespace tally::agent::spool {

Result<void> Spool::append_record(const pairing::Bytes& rec, RecordType type, std::uint64_t seq,
                                  const pairing::Gap* gap) {
    bool rotate =
        !active_ || segments_.empty() ||
        (segments_.back().size > 0 && segments_.back().size + rec.size() > options_.segment_bytes);
    if (rotate) {
        active_.reset();
        Segment seg;
        seg.name_seq = next_seq_;
        seg.path = dir_ / segment_name(next_seq_);
        // A name can repeat only when the previous segment holds no heartbeat (e.g. only a
        // gap record); appending to it keeps the log in order.
        if (!segments_.empty() && segments_.back().name_seq == seg.name_seq) {
            seg = std::move(segments_.back());
            segments_.pop_back();
        }
        auto file = fs_.open_append(seg.path);
        if (!file)
            return file.error();
        active_ = std::move(*file);
        segments_.push_back(std::move(seg));
        if (auto r = fs_.sync_directory(dir_); !r)
            return r;
    }
    Segment& seg = segments_.back();
    auto appended = active_->append(rec);
    if (appended)
        appended = active_->sync();
    if (!appended) {
        // The tail may now be torn: start a fresh segment for the next record so good
        // records never follow a damaged one in the same file.
        active_.reset();
        return appended;
    }
    Record r;
    r.type = type;
    r.seq = seq;
    if (gap) {
        seg.gaps.push_back(*gap);
        seg.max_seq = std::max(seg.max_seq, seq);
    } else {
        note(seg, r);
    }
    seg.size += rec.size();
    bytes_ += rec.size();
    return {};
}

Result<void> Spool::append_heartbeat(std::uint64_t seq, std::string_view bytes) {
    if (seq != next_seq_) {
        return make_error("spool", "heartbeat seq " + std::to_string(seq) +
                                       " is not the next seq " + std::to_string(next_seq_));
    }
    auto rec = encode_record(RecordType::heartbeat, seq, bytes);
    if (auto r = append_record(rec, RecordType::heartbeat, seq, nullptr); !r)
        return r;
    next_seq_ = seq + 1;
    last_hb_seq_ = seq;
    last_hash_ = pairing::chain_hash(bytes);
    return enforce_bound();
}

Result<void> Spool::declare_gap(pairing::Gap gap) {
    auto rec = encode_gap_record(gap);
    if (auto r = append_record(rec, RecordType::gap, gap.to_seq, &gap); !r)
        return r;
    count_gap(gap);
    log_warn("spool", "declared lost heartbeats " + std::to_string(gap.from_seq) + ".." +
                          std::to_string(gap.to_seq) + " (" + gap.reason + ")");
    return {};
}

Result<void> Spool::enforce_bound() {
    if (bytes_ > options_.max_bytes && segments_.size() > 1) {
        if (auto r = check_invariants(); !r)
            return r;
    }
    // Never drop the newest segment: it holds the chain's head.
    std::optional<pairing::Gap> dropped;
    while (bytes_ > options_.max_bytes && segments_.size() > 1) {
        Segment seg = std::move(segments_.front());
        segments_.erase(segments_.begin());
        auto extend = [&](std::uint64_t from, std::uint64_t to) {
            from = std::max(from, acked_ + 1);
            if (from > to)
                return;
            if (!dropped) {
                dropped = pairing::Gap{from, to, "spool_full"};
            } else {
                dropped->from_seq = std::min(dropped->from_seq, from);
                dropped->to_seq = std::max(dropped->to_seq, to);
            }
        };
        if (seg.hb_count > 0)
            extend(seg.hb_min, seg.hb_max);
        for (const auto& g : seg.gaps)
            extend(g.from_seq, g.to_seq);
        std::error_code ec;
        std::filesystem::remove(seg.path, ec);
        if (ec)
            return make_error("io", "cannot remove " + seg.path.string() + ": " + ec.message());
        bytes_ -= seg.size;
    }
    if (!dropped)
        return {};
    if (auto r = fs_.sync_directory(dir_); !r)
        return r;
    return declare_gap(*dropped);
}

Result<Pending> Spool::pending(std::size_t max_heartbeats) const {
    Pending out;
    for (const auto& seg : segments_) {
        for (const auto& g : seg.gaps) {
            if (g.to_seq > acked_)
                out.gaps.push_back(g);
        }
        if (seg.hb_count == 0 || seg.hb_max <= acked_ || out.heartbeats.size() >= max_heartbeats) {
            continue;
        }
        auto data = read_file_bytes(seg.path);
        if (!data)
            return data.error();
        ParseResult parsed = parse_records(
            std::string_view(*data).substr(0, std::min<std::size_t>(data->size(), seg.size)));
        for (auto& r : parsed.records) {
            if (r.type != RecordType::heartbeat || r.seq <= acked_)
                continue;
            if (out.heartbeats.size() >= max_heartbeats)
                break;
            out.heartbeats.push_back({r.seq, std::move(r.payload)});
        }
    }
    // A later spool_full gap can cover earlier ones still in the log: send each seq once.
    std::sort(out.gaps.begin(), out.gaps.end(),
              [](const pairing::Gap& a, const pairing::Gap& b) { return a.from_seq < b.from_seq; });
    std::vector<pairing::Gap> merged;
    for (auto& g : out.gaps) {
        if (!merged.empty() && g.from_seq <= merged.back().to_seq + 1 &&
            g.reason == merged.back().reason) {
            merged.back().to_seq = std::max(merged.back().to_seq, g.to_seq);
        } else if (!merged.empty() && g.from_seq <= merged.back().to_seq) {
            g.from_seq = merged.back().to_seq + 1;  // overlap with another reason
            if (g.from_seq <= g.to_seq)
                merged.push_back(std::move(g));
        } else {
            merged.push_back(std::move(g));
        }
    }
    out.gaps = std::move(merged);
    return out;
}

std::uint64_t Spool::queued() const {
    std::uint64_t n = 0;
    for (const auto& seg : segments_) {
        if (seg.hb_count == 0 || seg.hb_max <= acked_)
            continue;
        if (seg.hb_min > acked_) {
            n += seg.hb_count;
        } else {
            n += std::min(seg.hb_count, seg.hb_max - acked_);
        }
    }
    return n;
}

Result<void> Spool::resume_after(std::uint64_t last_seq, std::uint64_t acked_through,
                                 const std::string& reason) {
    if (auto r = adopt_server_ack(acked_through); !r)
        return r;
    if (last_seq > acked_through) {
        if (auto r = declare_gap({acked_through + 1, last_seq, reason}); !r)
            return r;
    }
    next_seq_ = std::max(next_seq_, last_seq + 1);
    problems_.push_back("the spool was unreadable and was moved aside; heartbeats " +
                        std::to_string(acked_through + 1) + ".." + std::to_string(last_seq) +
                        " declared lost");
    return {};
}

}  // namespace tally::agent::spool
