// Spool::open: scan segments, verify every record, repair what a crash or a bad disk left.

#include <algorithm>
#include <chrono>

#include "agent/log.h"
#include "agent/spool/acked_file.h"
#include "agent/spool/file_bytes.h"
#include "agent/spool/segment_name.h"
#include "agent/spool/spool.h"
#include "pairing/heartbeat.h"
#include "pairing/time_format.h"

namespace tally::agent::spool {
namespace {

std::string compact_now() {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    std::string t = pairing::format_rfc3339(secs);
    // Portable directory name: no ':' (Windows), e.g. 20261127T100500Z.
    t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == ':' || c == '-'; }),
            t.end());
    return t;
}

// An acknowledgement never passes the last record: an acked file that does is corrupt.
Error counter_past_records(const std::filesystem::path& dir, std::uint64_t acked,
                           std::uint64_t newest_record) {
    return Error{"spool_invariant",
                 (dir / "acked").string() + " says the server holds seqs through " +
                     std::to_string(acked) + " but the newest record in the spool is " +
                     std::to_string(newest_record) +
                     ": the counter is corrupt; tally-agent does not start rather than guess "
                     "the next seq (move " +
                     dir.string() + " aside to start a fresh spool)"};
}

}  // namespace

Spool::Spool(FileSystem& fs, std::filesystem::path dir, SpoolOptions options)
    : fs_(fs), dir_(std::move(dir)), options_(options) {
    options_.segment_bytes =
        std::max<std::uint64_t>(4096, std::min(options_.segment_bytes, options_.max_bytes / 4));
}

Result<std::unique_ptr<Spool>> Spool::open(FileSystem& fs, const std::filesystem::path& state_dir,
                                           SpoolOptions options) {
    std::unique_ptr<Spool> s(new Spool(fs, state_dir / "spool", options));
    if (auto r = s->load(); !r)
        return r.error();
    return s;
}

void Spool::count_gap(const pairing::Gap& g) {
    // A spool_full gap can re-cover earlier ones: count each lost seq once.
    const std::uint64_t from = std::max(g.from_seq, gap_counted_to_ + 1);
    if (g.to_seq >= from)
        gaps_declared_ += g.to_seq - from + 1;
    gap_counted_to_ = std::max(gap_counted_to_, g.to_seq);
}

void Spool::note(Segment& seg, const Record& r) {
    seg.max_seq = std::max(seg.max_seq, r.seq);
    if (r.type == RecordType::gap) {
        seg.gaps.push_back(r.gap());
        return;
    }
    if (seg.hb_count == 0)
        seg.hb_min = r.seq;
    seg.hb_count++;
    seg.hb_min = std::min(seg.hb_min, r.seq);
    seg.hb_max = std::max(seg.hb_max, r.seq);
}

Result<void> Spool::move_aside(const Segment& seg, std::uint64_t valid_bytes) {
    std::filesystem::path aside = dir_ / ("corrupt-" + compact_now());
    std::error_code ec;
    std::filesystem::create_directories(aside, ec);
    if (ec)
        return make_error("io", "cannot create " + aside.string() + ": " + ec.message());
    // Keep the damaged file for inspection; keep its good prefix in the log.
    std::filesystem::copy_file(seg.path, aside / seg.path.filename(),
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec)
        return make_error("io", "cannot copy " + seg.path.string() + ": " + ec.message());
    if (valid_bytes == 0) {
        std::filesystem::remove(seg.path, ec);
        if (ec)
            return make_error("io", "cannot remove " + seg.path.string() + ": " + ec.message());
        return fs_.sync_directory(dir_);
    }
    return fs_.truncate(seg.path, valid_bytes);
}

Result<void> Spool::load() {
    if (auto r = fs_.create_private_directory(dir_); !r)
        return r;
    auto acked = read_acked(dir_ / "acked");
    if (!acked) {
        // The counter decides which seq comes next once the records are gone: never guess it.
        return make_error("spool_invariant",
                          acked.error().message +
                              ": the spool's counter is corrupt; tally-agent does not start "
                              "rather than guess which seqs the server holds (restore the file, "
                              "or move " +
                              dir_.string() + " aside to start a fresh spool)");
    }
    AckedState ack_state = *acked;
    acked_ = ack_state.acked_through;

    std::vector<Segment> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        if (!entry.is_regular_file())
            continue;
        auto seq = parse_segment_name(entry.path().filename().string());
        if (!seq)
            continue;
        Segment seg;
        seg.path = entry.path();
        seg.name_seq = *seq;
        found.push_back(std::move(seg));
    }
    if (ec)
        return make_error("io", "cannot list " + dir_.string() + ": " + ec.message());
    std::sort(found.begin(), found.end(),
              [](const Segment& a, const Segment& b) { return a.name_seq < b.name_seq; });

    std::uint64_t max_seq = acked_;
    std::uint64_t newest_record = 0;  // the highest seq of any record read, gaps included
    std::string newest_hash;
    std::vector<pairing::Gap> lost;
    for (std::size_t i = 0; i < found.size(); ++i) {
        Segment& seg = found[i];
        auto data = read_file_bytes(seg.path);
        if (!data)
            return data.error();
        ParseResult parsed = parse_records(*data);
        for (const auto& r : parsed.records) {
            note(seg, r);
            if (r.type == RecordType::heartbeat && r.seq >= last_hb_seq_) {
                last_hb_seq_ = r.seq;
                newest_hash = pairing::chain_hash(r.payload);
            }
        }
        seg.size = parsed.valid_bytes;
        newest_record = std::max(newest_record, seg.max_seq);
        bool last = i + 1 == found.size();
        if (parsed.damaged && last) {
            std::uint64_t cut = data->size() - parsed.valid_bytes;
            problems_.push_back("cut " + std::to_string(cut) + " damaged bytes from the end of " +
                                seg.path.filename().string() + " (torn write)");
            if (auto r = fs_.truncate(seg.path, parsed.valid_bytes); !r)
                return r;
        } else if (parsed.damaged) {
            if (auto r = move_aside(seg, parsed.valid_bytes); !r)
                return r;
            std::uint64_t from = std::max(acked_, seg.max_seq) + 1;
            from = std::max(from, seg.name_seq);
            std::uint64_t to = found[i + 1].name_seq - 1;
            problems_.push_back("segment " + seg.path.filename().string() +
                                " is corrupt after byte " + std::to_string(parsed.valid_bytes) +
                                "; a copy is in corrupt-*/");
            if (from <= to)
                lost.push_back({from, to, "spool_corrupt"});
        }
        max_seq = std::max({max_seq, seg.max_seq, seg.name_seq > 0 ? seg.name_seq - 1 : 0});
        if (seg.size > 0 || last) {
            bytes_ += seg.size;
            for (const auto& g : seg.gaps) {
                if (g.to_seq > acked_)
                    count_gap(g);
            }
            segments_.push_back(std::move(seg));
        }
    }
    if (newest_record > 0 && newest_record < acked_)
        return counter_past_records(dir_, acked_, newest_record);
    next_seq_ = max_seq + 1;
    if (last_hb_seq_ > 0 && last_hb_seq_ >= acked_) {
        last_hash_ = newest_hash;
    } else if (!ack_state.chain_hash.empty()) {
        last_hash_ = ack_state.chain_hash;
    } else {
        last_hash_ = pairing::kGenesisPrev;
    }
    if (!segments_.empty()) {
        auto file = fs_.open_append(segments_.back().path);
        if (!file)
            return file.error();
        active_ = std::move(*file);
    }
    for (const auto& p : problems_)
        log_warn("spool", p);
    if (auto r = check_invariants(); !r)
        return r;
    for (auto& g : lost) {
        if (auto r = declare_gap(std::move(g)); !r)
            return r;
    }
    return enforce_bound();
}

}  // namespace tally::agent::spool
