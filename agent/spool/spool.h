#pragma once
// The spool: an append-only segment log of heartbeats under <state>/spool/ (DESIGN.md §3).
// Every append is on stable storage before append() returns; open() verifies CRCs, cuts a
// torn tail, copies a damaged older segment aside to corrupt-<time>/ and declares a gap for
// what it lost; ack(n) deletes segments whose records are all <= n; past max_bytes the
// oldest unsent heartbeats are dropped and replaced by one declared gap ("spool_full").
// Not thread-safe: owned by the io_context thread.
//
// Durability (fsync discipline), and why it is enough:
//  * A heartbeat is appended and fdatasync'ed before append_heartbeat() returns, i.e. when
//    its interval closes: at most the heartbeat being built is lost on power failure, and it
//    was never counted anywhere. One sync per heartbeat (every 5 min) costs nothing.
//  * A new segment's directory entry is synced when the segment is created, so a synced
//    record cannot vanish with an unsynced file name.
//  * `acked` is replaced atomically (write temp, fsync, rename, fsync dir). It is written
//    only after the server's ack, so the on-disk ack never runs ahead of the server; if it
//    is lost or stale the spool resends and the server's dedupe answers with the same ack.
//  * Segments are deleted only after `acked` says the server holds every record in them;
//    a crash between the two leaves extra records that are resent and deduplicated.
//  * A torn tail (crash mid-append) fails its CRC and is cut on open; nothing after a bad
//    record in an older segment is trusted: it is copied aside and declared as a gap.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/interfaces/file_system.h"
#include "agent/spool/record.h"
#include "pairing/batch.h"
#include "pairing/result.h"

namespace tally::agent::spool {

struct SpoolOptions {
    std::uint64_t max_bytes = 32ull << 20;
    std::uint64_t segment_bytes = 1ull << 20;  //!< rotation size (capped to max_bytes / 4)
};

struct PendingHeartbeat {
    std::uint64_t seq = 0;
    std::string bytes;  //!< the encoded heartbeat, exactly as stored
};

struct Pending {
    std::vector<PendingHeartbeat> heartbeats;  //!< oldest first
    std::vector<pairing::Gap> gaps;            //!< declared gaps not yet acknowledged
};

class Spool {
  public:
    static Result<std::unique_ptr<Spool>> open(FileSystem& fs,
                                               const std::filesystem::path& state_dir,
                                               SpoolOptions options = {});

    //! Appends heartbeat `seq` (must be next_seq()) and syncs it before returning.
    Result<void> append_heartbeat(std::uint64_t seq, std::string_view bytes);
    //! Unacknowledged heartbeats (oldest first, at most `max_heartbeats`) and gaps.
    Result<Pending> pending(std::size_t max_heartbeats) const;
    //! The server holds everything through `acked_through`: persist it, delete old segments.
    //! An ack past the last record is refused ("spool_invariant"), nothing deleted.
    Result<void> ack(std::uint64_t acked_through);
    //! Pairing again with a key the server knows: it holds 1..`server_acked` already, so seqs
    //! continue after it (never reused) and records at or below it are deleted.
    Result<void> adopt_server_ack(std::uint64_t server_acked);
    //! The server answered `server_ack` below acked_through(): it lost what it acknowledged
    //! (a database restored from a backup). Lowers the ack to `server_ack`, so what the spool
    //! still holds above it is sent again, and declares the seqs it no longer holds as one
    //! gap per missing range with reason "server_lost". Returns the span declared (from_seq
    //! 0: the spool still held everything).
    Result<pairing::Gap> server_forgot(std::uint64_t server_ack);
    //! For a fresh spool that replaces an unreadable one: continues after `last_seq` (seqs are
    //! never reused), declares acked_through+1..last_seq lost with `reason`, notes a problem.
    Result<void> resume_after(std::uint64_t last_seq, std::uint64_t acked_through,
                              const std::string& reason);
    //! Standalone retention (spool_retention.cpp): deletes whole segments, never the newest,
    //! whose heartbeats all ended before `cutoff`, and declares their unacknowledged seqs as
    //! one gap ("retention") so a later upload shows a declared gap, not a hole. Returns how
    //! many heartbeats were dropped.
    Result<std::uint64_t> drop_older_than(std::int64_t cutoff);
    //! Start of the oldest and end of the newest heartbeat held (0 when none), from disk.
    Result<std::pair<std::int64_t, std::int64_t>> record_times();

    std::uint64_t next_seq() const { return next_seq_; }
    std::uint64_t last_seq() const { return next_seq_ - 1; }
    const std::string& last_chain_hash() const { return last_hash_; }
    std::uint64_t acked_through() const { return acked_; }
    std::uint64_t queued() const;  //!< unacknowledged heartbeats in the spool
    std::uint64_t bytes() const { return bytes_; }
    std::uint64_t max_bytes() const { return options_.max_bytes; }
    //! Heartbeats declared lost by gap records not yet acknowledged at open, plus since.
    std::uint64_t gaps_declared() const { return gaps_declared_; }
    //! What open() found and repaired (torn tails, corrupt segments), for logs and status.
    const std::vector<std::string>& problems() const { return problems_; }
    const std::filesystem::path& directory() const { return dir_; }

  private:
    struct Segment {
        std::filesystem::path path;
        std::uint64_t name_seq = 0;
        std::uint64_t size = 0;
        std::uint64_t max_seq = 0;  //!< highest seq of any record (gap records: to_seq)
        std::uint64_t hb_count = 0;
        std::uint64_t hb_min = 0;
        std::uint64_t hb_max = 0;
        std::vector<pairing::Gap> gaps;
        std::int64_t newest_end = -1;  //!< retention cache for closed segments (-1: not read)
    };

    Spool(FileSystem& fs, std::filesystem::path dir, SpoolOptions options);
    Result<void> load();
    Result<void> move_aside(const Segment& seg, std::uint64_t valid_bytes);
    Result<void> append_record(const pairing::Bytes& rec, RecordType type, std::uint64_t seq,
                               const pairing::Gap* gap);
    Result<void> declare_gap(pairing::Gap gap);
    Result<void> enforce_bound();
    //! next_seq is one more than the last record; acks never pass it ("spool_invariant").
    Result<void> check_invariants() const;
    std::uint64_t last_record_seq() const;
    Result<void> delete_acked_segments();
    void note(Segment& seg, const Record& r);
    void count_gap(const pairing::Gap& g);

    FileSystem& fs_;
    std::filesystem::path dir_;
    SpoolOptions options_;
    std::vector<Segment> segments_;  //!< oldest first; the last one is where appends go
    std::unique_ptr<AppendFile> active_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t acked_ = 0;
    std::uint64_t last_hb_seq_ = 0;
    std::string last_hash_;
    std::uint64_t bytes_ = 0;
    std::uint64_t gaps_declared_ = 0;
    std::uint64_t gap_counted_to_ = 0;
    std::vector<std::string> problems_;
};

}  // namespace tally::agent::spool
