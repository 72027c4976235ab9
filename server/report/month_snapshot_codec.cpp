// Month snapshot encoding (see month_snapshot_codec.h). One `describe` per record lists its
// fields once; the encoder and the decoder walk the same lists, so they cannot disagree.

#include "server/report/month_snapshot_codec.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <concepts>
#include <optional>
#include <stdexcept>
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
    //! Each of `items` as its byte length and its bytes (a reader decodes one at a time).
    template <typename T>
    void rows(const std::vector<T>& items) {
        Encoder one;
        for (const auto& item : items) {
            one.out_.clear();
            one(item);
            put(static_cast<std::uint64_t>(one.out_.size()));
            out_ += one.out_;
        }
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

//! Visits every text field of a record (through describe), for each_snapshot_text.
class TextVisitor {
  public:
    explicit TextVisitor(const std::function<void(std::string&)>& fn) : fn_(fn) {}
    template <typename... T>
    void operator()(T&... values) {
        (visit(values), ...);
    }

  private:
    void visit(std::string& s) { fn_(s); }
    template <typename T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
    void visit(T&) {}
    template <typename T>
    void visit(std::optional<T>& v) {
        if (v) {
            visit(*v);
        }
    }
    template <typename T>
    void visit(std::vector<T>& list) {
        for (auto& item : list) {
            visit(item);
        }
    }
    template <typename T>
    requires std::is_class_v<T>
    void visit(T& record) { describe(*this, record); }

    const std::function<void(std::string&)>& fn_;
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
    std::uint64_t varint() {
        std::uint64_t v = 0;
        get(v);
        return v;
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

constexpr std::size_t kParts = 3;  // head (everything but the rows), devices, users

//! The parts of a body: magic, then per part its raw size and packed size (8 bytes each,
//! little-endian) and its zlib stream.
struct Part {
    std::uint64_t raw_size = 0;
    std::string_view packed;
};

std::uint64_t read_u64(std::string_view bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    }
    return v;
}

void append_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

std::optional<std::array<Part, kParts>> split_parts(std::string_view body) {
    if (body.substr(0, kMagic.size()) != kMagic) {
        return std::nullopt;
    }
    std::array<Part, kParts> parts;
    std::size_t at = kMagic.size();
    for (auto& part : parts) {
        if (body.size() - at < 16) {
            return std::nullopt;
        }
        part.raw_size = read_u64(body.substr(at));
        const auto packed = read_u64(body.substr(at + 8));
        at += 16;
        if (packed > body.size() - at) {
            return std::nullopt;
        }
        part.packed = body.substr(at, packed);
        at += packed;
    }
    if (at != body.size()) {
        return std::nullopt;
    }
    return parts;
}

void append_part(std::string& out, const std::string& raw) {
    append_u64(out, raw.size());
    auto bound = compressBound(static_cast<uLong>(raw.size()));
    std::string packed(bound, '\0');
    // zlib's fastest level: a snapshot may be made while a report waits for it.
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &bound,
                  reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                  Z_BEST_SPEED) != Z_OK) {
        throw std::runtime_error("zlib could not compress a month snapshot");
    }
    append_u64(out, bound);
    out.append(packed.data(), bound);
}

//! Inflates one part a window at a time: only the window is held, never the whole part.
class PartReader {
  public:
    explicit PartReader(const Part& part) : left_(part.raw_size) {
        if (inflateInit(&z_) != Z_OK) {
            throw Damaged();
        }
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.packed.data()));
        z_.avail_in = static_cast<uInt>(part.packed.size());
    }
    ~PartReader() { inflateEnd(&z_); }
    PartReader(const PartReader&) = delete;
    PartReader& operator=(const PartReader&) = delete;

    bool done() {
        fill(1);
        return pos_ == buf_.size();
    }
    //! The next `n` bytes (valid until the next call). Throws Damaged past the end.
    std::string_view take(std::size_t n) {
        fill(n);
        if (buf_.size() - pos_ < n) {
            throw Damaged();
        }
        const std::string_view out(buf_.data() + pos_, n);
        pos_ += n;
        return out;
    }
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const auto byte = static_cast<unsigned char>(take(1)[0]);
            v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) {
                return v;
            }
        }
        throw Damaged();
    }

  private:
    //! Inflates until `n` bytes are buffered or the stream ends (its checksum checked then).
    void fill(std::size_t n) {
        if (buf_.size() - pos_ >= n) {
            return;
        }
        buf_.erase(0, pos_);
        pos_ = 0;
        while (buf_.size() < n && !ended_) {
            const auto have = buf_.size();
            const std::size_t chunk = std::max<std::size_t>(n - have, 1 << 16);
            buf_.resize(have + chunk);
            z_.next_out = reinterpret_cast<Bytef*>(buf_.data() + have);
            z_.avail_out = static_cast<uInt>(chunk);
            const int rc = inflate(&z_, Z_NO_FLUSH);
            buf_.resize(have + chunk - z_.avail_out);
            const auto got = buf_.size() - have;
            if (got > left_ || (rc != Z_OK && rc != Z_STREAM_END)) {
                throw Damaged();
            }
            left_ -= got;
            ended_ = rc == Z_STREAM_END;
            if (!ended_ && got == 0 && z_.avail_in == 0) {
                throw Damaged();  // the packed bytes ended before the stream
            }
        }
        if (ended_ && left_ != 0) {
            throw Damaged();
        }
    }

    z_stream z_{};
    std::string buf_;
    std::size_t pos_ = 0;
    std::uint64_t left_;
    bool ended_ = false;
};

//! Decodes the `count` rows of `part`, calling fn with each (one T reused).
template <typename T, typename Fn>
void each_row(const Part& part, std::size_t count, const Fn& fn) {
    PartReader in(part);
    T item;
    for (std::size_t i = 0; i < count; ++i) {
        const auto size = in.varint();
        if (size > part.raw_size) {
            throw Damaged();
        }
        Decoder d(in.take(static_cast<std::size_t>(size)));
        d(item);
        if (!d.done()) {
            throw Damaged();
        }
        fn(item);
    }
    if (!in.done()) {
        throw Damaged();
    }
}

}  // namespace

std::string encode_month_snapshot(const UsageReport& report) {
    Encoder head;
    head(report.tenant, report.month, report.generated_at, report.summary,
         static_cast<std::uint64_t>(report.devices.size()),
         static_cast<std::uint64_t>(report.users.size()));
    Encoder devices;
    devices.rows(report.devices);
    Encoder users;
    users.rows(report.users);
    std::string out(kMagic);
    append_part(out, head.take());
    append_part(out, devices.take());
    append_part(out, users.take());
    return out;
}

Result<std::unique_ptr<SnapshotRows>> SnapshotRows::open(std::string body, UsageReport& head) {
    const auto damaged = make_error("db", "the month snapshot is damaged or of another format");
    std::unique_ptr<SnapshotRows> rows(new SnapshotRows());
    rows->body_ = std::move(body);
    const auto parts = split_parts(rows->body_);
    if (!parts) {
        return damaged;
    }
    try {
        PartReader in((*parts)[0]);
        Decoder d(in.take(static_cast<std::size_t>((*parts)[0].raw_size)));
        std::uint64_t devices = 0;
        std::uint64_t users = 0;
        d(head.tenant, head.month, head.generated_at, head.summary);
        devices = d.varint();
        users = d.varint();
        if (!d.done() || !in.done()) {
            return damaged;
        }
        rows->device_count_ = static_cast<std::size_t>(devices);
        rows->user_count_ = static_cast<std::size_t>(users);
        rows->devices_ = {(*parts)[1].raw_size, (*parts)[1].packed};
        rows->users_ = {(*parts)[2].raw_size, (*parts)[2].packed};
    } catch (const Damaged&) {
        return damaged;
    }
    head.devices.clear();
    head.users.clear();
    return rows;
}

Result<void> SnapshotRows::check() const {
    try {
        each_device([](const DeviceReportRow&) {});
        each_user([](const billing::UserBilling&) {});
    } catch (const RowsDamaged&) {
        return make_error("db", "the month snapshot is damaged or of another format");
    }
    return {};
}

void SnapshotRows::each_device(const std::function<void(const DeviceReportRow&)>& fn) const {
    try {
        each_row<DeviceReportRow>({devices_.raw_size, devices_.packed}, device_count_, fn);
    } catch (const Damaged&) {
        throw RowsDamaged();
    }
}

void SnapshotRows::each_user(const std::function<void(const billing::UserBilling&)>& fn) const {
    try {
        each_row<billing::UserBilling>({users_.raw_size, users_.packed}, user_count_, fn);
    } catch (const Damaged&) {
        throw RowsDamaged();
    }
}

Result<UsageReport> decode_month_snapshot(std::string_view body) {
    UsageReport report;
    auto rows = SnapshotRows::open(std::string(body), report);
    if (!rows) {
        return rows.error();
    }
    try {
        report.devices.reserve((*rows)->device_count());
        (*rows)->each_device([&](const DeviceReportRow& row) { report.devices.push_back(row); });
        report.users.reserve((*rows)->user_count());
        (*rows)->each_user([&](const billing::UserBilling& user) { report.users.push_back(user); });
    } catch (const RowsDamaged&) {
        return make_error("db", "the month snapshot is damaged or of another format");
    }
    return report;
}

void each_snapshot_text(UsageReport& report, const std::function<void(std::string&)>& fn) {
    TextVisitor visit(fn);
    visit(report.tenant, report.month, report.summary, report.devices, report.users);
}

}  // namespace tally::server
