// Month snapshot encoding (see month_snapshot_codec.h). One `describe` per record lists its
// fields once; the encoder and the decoder walk the same lists, so they cannot disagree.

#include "server/report/month_snapshot_codec.h"

#include <zlib.h>

#include <algorithm>
#include <concepts>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <vector>

namespace tally::server {
namespace {

constexpr std::string_view kMagic = "TMS1";

template <typename T, typename U>
concept Is = std::same_as<std::remove_const_t<T>, U>;

template <typename A, Is<pairing::DeviceFacts> T>
void describe(A& a, T& f) {
    a(f.hostname, f.os, f.os_version, f.agent_version, f.device_type, f.role, f.fingerprint);
}

template <typename A, Is<Device> T>
void describe(A& a, T& d) {
    a(d.id, d.tenant, d.public_key, d.facts, d.paired_at, d.retired_at, d.suspected_clone,
      d.acked_through, d.last_seq, d.last_seen);
}

template <typename A, Is<DeviceEvidence> T>
void describe(A& a, T& e) {
    a(e.gap_seqs, e.lost_by_server, e.forks, e.chain_breaks, e.held, e.revoked,
      e.trust_on_first_use);
}

template <typename A, Is<DeviceUsageRow> T>
void describe(A& a, T& u) {
    a(u.device, u.active_minutes, u.active_days, u.heartbeats, u.users, u.evidence);
}

template <typename A, Is<billing::DeviceBilling> T>
void describe(A& a, T& b) {
    a(b.device_id, b.active, b.active_minutes, b.active_days, b.heartbeats, b.last_seen, b.users,
      b.paired_user, b.paired_user_key, b.paired_by, b.billed_as, b.package, b.coverage,
      b.covered_by, b.covered_by_key, b.primary_user_active, b.retired_at, b.not_billed_heartbeats);
}

template <typename A, Is<DeviceReportRow> T>
void describe(A& a, T& r) {
    a(r.usage, r.active, r.billing, r.inactive_span_heartbeats, r.explanation);
}

template <typename A, Is<billing::UserBilling> T>
void describe(A& a, T& u) {
    a(u.key, u.principal, u.local, u.device_id, u.group, u.package, u.active_minutes, u.active_days,
      u.first_seen, u.last_seen, u.devices, u.devices_paired);
}

template <typename A, Is<billing::PackageUnits> T>
void describe(A& a, T& p) {
    a(p.package, p.active_users, p.standalone_devices, p.billable_units);
}

template <typename A, Is<billing::TimeSpan> T>
void describe(A& a, T& s) {
    a(s.from, s.to);
}

//! The summary without its late part (late_adjustments, late_units_delta).
template <typename A, Is<UsageSummary> T>
void describe(A& a, T& s) {
    a(s.active_devices, s.active_users, s.standalone_devices, s.overflow_devices, s.billable_units,
      s.reported_units, s.packages, s.tenant_status, s.trial, s.trial_end, s.inactive_since,
      s.billable_from, s.billable_to, s.time_zone, s.month_start, s.month_end, s.closes_at,
      s.closed, s.inactive_spans, s.inactive_span_heartbeats);
}

class Encoder {
  public:
    template <typename... T>
    void operator()(const T&... values) {
        (put(values), ...);
    }
    //! `items` as one section: their count, their encoded size, then each item (a reader can
    //! skip the section, or decode its items one at a time later).
    template <typename T>
    void section(const std::vector<T>& items) {
        Encoder inner;
        for (const auto& item : items) {
            inner(item);
        }
        put(static_cast<std::uint64_t>(items.size()));
        put(static_cast<std::uint64_t>(inner.out_.size()));
        out_ += inner.out_;
    }
    std::string take() { return std::move(out_); }

  private:
    void put(std::uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<char>(v));
    }
    void put(std::int64_t v) {  // zigzag
        put((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }
    void put(bool v) { out_.push_back(v ? 1 : 0); }
    void put(const std::string& s) {
        put(static_cast<std::uint64_t>(s.size()));
        out_ += s;
    }
    template <typename E>
    requires std::is_enum_v<E>
    void put(E v) { put(static_cast<std::uint64_t>(v)); }
    template <typename T>
    void put(const std::optional<T>& v) {
        put(v.has_value());
        if (v) {
            put(*v);
        }
    }
    template <typename T>
    void put(const std::vector<T>& list) {
        put(static_cast<std::uint64_t>(list.size()));
        for (const auto& item : list) {
            put(item);
        }
    }
    template <typename T>
    requires std::is_class_v<T>
    void put(const T& record) { describe(*this, record); }

    std::string out_;
};

struct Damaged : std::runtime_error {
    Damaged() : std::runtime_error("damaged month snapshot") {}
};

class Decoder {
  public:
    explicit Decoder(std::string_view in) : in_(in) {}
    template <typename... T>
    void operator()(T&... values) {
        (get(values), ...);
    }
    bool done() const { return at_ == in_.size(); }
    std::size_t at() const { return at_; }
    //! A section's item count and byte range, skipped over.
    std::tuple<std::size_t, std::size_t, std::size_t> section() {
        std::uint64_t items = 0;
        get(items);
        const auto size = count();
        const auto from = at_;
        at_ += size;
        return {static_cast<std::size_t>(items), from, size};
    }

  private:
    void get(std::uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at_ == in_.size()) {
                throw Damaged();
            }
            const auto byte = static_cast<unsigned char>(in_[at_++]);
            v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) {
                return;
            }
        }
        throw Damaged();
    }
    void get(std::int64_t& v) {
        std::uint64_t z = 0;
        get(z);
        v = static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1);
    }
    void get(bool& v) {
        std::uint64_t b = 0;
        get(b);
        v = b != 0;
    }
    void get(std::string& s) {
        const auto n = count();
        s.assign(in_.substr(at_, n));
        at_ += n;
    }
    template <typename E>
    requires std::is_enum_v<E>
    void get(E& v) {
        std::uint64_t raw = 0;
        get(raw);
        v = static_cast<E>(raw);
    }
    template <typename T>
    void get(std::optional<T>& v) {
        bool has = false;
        get(has);
        v.reset();
        if (has) {
            get(v.emplace());
        }
    }
    template <typename T>
    void get(std::vector<T>& list) {
        const auto n = count();
        list.clear();
        // n is at most the bytes left (each item takes one or more); reserve no more than
        // a bounded start so a damaged count cannot ask for gigabytes.
        list.reserve(std::min<std::size_t>(n, 1 << 16));
        for (std::size_t i = 0; i < n; ++i) {
            get(list.emplace_back());
        }
    }
    template <typename T>
    requires std::is_class_v<T>
    void get(T& record) { describe(*this, record); }
    //! A length or an item count, never more than the bytes left.
    std::size_t count() {
        std::uint64_t n = 0;
        get(n);
        if (n > in_.size() - at_) {
            throw Damaged();
        }
        return static_cast<std::size_t>(n);
    }

    std::string_view in_;
    std::size_t at_ = 0;
};

//! The raw bytes of `body` (magic, size, zlib); nullopt when damaged.
std::optional<std::string> inflate_body(std::string_view body) {
    if (body.size() < kMagic.size() + 8 || body.substr(0, kMagic.size()) != kMagic) {
        return std::nullopt;
    }
    std::uint64_t size = 0;
    for (int i = 0; i < 8; ++i) {
        size |= static_cast<std::uint64_t>(static_cast<unsigned char>(body[kMagic.size() + i]))
                << (8 * i);
    }
    const auto packed = body.substr(kMagic.size() + 8);
    // A snapshot inflates about threefold; a size far beyond that is damage, not a big month.
    if (size > 1000 * static_cast<std::uint64_t>(packed.size()) + 1024) {
        return std::nullopt;
    }
    std::string raw(static_cast<std::size_t>(size), '\0');
    auto got = static_cast<uLongf>(size);
    if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &got,
                   reinterpret_cast<const Bytef*>(packed.data()),
                   static_cast<uLong>(packed.size())) != Z_OK ||
        got != size) {
        return std::nullopt;
    }
    return raw;
}

//! Decodes `count` items of type T from `bytes`, calling fn with each (one T reused).
template <typename T, typename Fn>
void each_item(std::string_view bytes, std::size_t count, const Fn& fn) {
    Decoder d(bytes);
    T item;
    for (std::size_t i = 0; i < count; ++i) {
        d(item);
        fn(item);
    }
    if (!d.done()) {
        throw Damaged();
    }
}

}  // namespace

std::string encode_month_snapshot(const UsageReport& report) {
    Encoder e;
    e(report.tenant, report.month, report.generated_at, report.summary);
    e.section(report.devices);
    e.section(report.users);
    const auto raw = e.take();
    // Magic, the raw size as 8 bytes (little-endian), then zlib at its fastest level: a
    // snapshot may be made while a report waits for it.
    std::string out(kMagic);
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<char>((raw.size() >> (8 * i)) & 0xff));
    }
    auto bound = compressBound(static_cast<uLong>(raw.size()));
    const auto head = out.size();
    out.resize(head + bound);
    if (compress2(reinterpret_cast<Bytef*>(out.data() + head), &bound,
                  reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                  Z_BEST_SPEED) != Z_OK) {
        throw std::runtime_error("zlib could not compress a month snapshot");
    }
    out.resize(head + bound);
    return out;
}

Result<std::unique_ptr<SnapshotRows>> SnapshotRows::open(std::string_view body, UsageReport& head) {
    const auto damaged = make_error("db", "the month snapshot is damaged or of another format");
    auto raw = inflate_body(body);
    if (!raw) {
        return damaged;
    }
    std::unique_ptr<SnapshotRows> rows(new SnapshotRows());
    rows->raw_ = std::move(*raw);
    try {
        Decoder d(rows->raw_);
        d(head.tenant, head.month, head.generated_at, head.summary);
        std::tie(rows->device_count_, rows->devices_at_, rows->devices_size_) = d.section();
        std::tie(rows->user_count_, rows->users_at_, rows->users_size_) = d.section();
        if (!d.done()) {
            return damaged;
        }
        // Walked once here, so that no later visit can meet damage half-way through a write.
        rows->each_device([](const DeviceReportRow&) {});
        rows->each_user([](const billing::UserBilling&) {});
    } catch (const Damaged&) {
        return damaged;
    }
    head.devices.clear();
    head.users.clear();
    return rows;
}

void SnapshotRows::each_device(const std::function<void(const DeviceReportRow&)>& fn) const {
    each_item<DeviceReportRow>(std::string_view(raw_).substr(devices_at_, devices_size_),
                               device_count_, fn);
}

void SnapshotRows::each_user(const std::function<void(const billing::UserBilling&)>& fn) const {
    each_item<billing::UserBilling>(std::string_view(raw_).substr(users_at_, users_size_),
                                    user_count_, fn);
}

Result<UsageReport> decode_month_snapshot(std::string_view body) {
    UsageReport report;
    auto rows = SnapshotRows::open(body, report);
    if (!rows) {
        return rows.error();
    }
    report.devices.reserve((*rows)->device_count());
    (*rows)->each_device([&](const DeviceReportRow& row) { report.devices.push_back(row); });
    report.users.reserve((*rows)->user_count());
    (*rows)->each_user([&](const billing::UserBilling& user) { report.users.push_back(user); });
    return report;
}

}  // namespace tally::server
