// Fast heartbeat and batch decoders (see wire_fast.h). A small pull parser over the bytes:
// JSON whitespace, objects, arrays, unsigned integers and strings with the simple escapes;
// anything else makes the whole decode give up (nullopt) so the reference decoder answers.

#include "pairing/wire_fast.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "pairing/time_format.h"

namespace tally::pairing::detail {
namespace {

constexpr std::size_t kMaxUsers = 1024;
constexpr std::size_t kMaxHeartbeats = 10000;
constexpr std::size_t kMaxHeartbeatBytes = 300000;
constexpr std::size_t kMaxGaps = 10000;
constexpr std::string_view kKinds[] = {"console", "x11", "wayland", "tty", "ssh", "rdp", "other"};

class Cursor {
  public:
    explicit Cursor(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

    void ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
            ++p_;
    }
    //! Skips whitespace, then consumes `c` if it is next.
    bool eat(char c) {
        ws();
        if (p_ < end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }
    bool at_end() {
        ws();
        return p_ == end_;
    }
    //! A string of printable ASCII with the escapes \" \\ \/ \b \f \n \r \t.
    bool str(std::string& out) {
        out.clear();
        if (!eat('"'))
            return false;
        for (;;) {
            const char* run = p_;
            while (p_ < end_ && *p_ != '"' && *p_ != '\\') {
                const auto c = static_cast<unsigned char>(*p_);
                if (c < 0x20 || c >= 0x80)
                    return false;
                ++p_;
            }
            out.append(run, p_);
            if (p_ >= end_)
                return false;
            if (*p_++ == '"')
                return true;
            if (p_ >= end_)
                return false;
            switch (*p_++) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                default:
                    return false;  // \u and invalid escapes: the reference decides
            }
        }
    }
    //! An unsigned integer without sign, fraction, exponent or leading zero, < 2^64.
    bool u64(std::uint64_t& out) {
        ws();
        if (p_ >= end_ || *p_ < '0' || *p_ > '9')
            return false;
        if (*p_ == '0') {
            ++p_;
            out = 0;
        } else {
            std::uint64_t n = 0;
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
                const auto d = static_cast<std::uint64_t>(*p_ - '0');
                if (n > (UINT64_MAX - d) / 10)
                    return false;
                n = n * 10 + d;
                ++p_;
            }
            out = n;
        }
        // A fraction, an exponent or more digits after "0" make it another number.
        return p_ >= end_ || (*p_ != '.' && *p_ != 'e' && *p_ != 'E' && (*p_ < '0' || *p_ > '9'));
    }
    bool boolean(bool& out) {
        ws();
        const auto rest = static_cast<std::size_t>(end_ - p_);
        if (rest >= 4 && std::string_view(p_, 4) == "true") {
            p_ += 4;
            out = true;
            return true;
        }
        if (rest >= 5 && std::string_view(p_, 5) == "false") {
            p_ += 5;
            out = false;
            return true;
        }
        return false;
    }
    //! Calls `member(key)` for each member of an object; each member must parse its value.
    //! Duplicate keys are left to `member` (it sees each key and tracks what it has).
    template <class F>
    bool object(F&& member) {
        if (!eat('{'))
            return false;
        if (eat('}'))
            return true;
        std::string key;
        do {
            if (!str(key) || !eat(':') || !member(key))
                return false;
        } while (eat(','));
        return eat('}');
    }
    template <class F>
    bool array(F&& item) {
        if (!eat('['))
            return false;
        if (eat(']'))
            return true;
        do {
            if (!item())
                return false;
        } while (eat(','));
        return eat(']');
    }

  private:
    const char* p_;
    const char* end_;
};

// Marks field `bit` seen; false when it was already seen (a duplicate key).
bool first(unsigned& seen, unsigned bit) {
    if (seen & bit)
        return false;
    seen |= bit;
    return true;
}

bool canonical_time(const std::string& text, std::int64_t& out) {
    const auto t = parse_rfc3339(text);
    if (!t || format_rfc3339(*t) != text)
        return false;
    out = *t;
    return true;
}

bool lower_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool user_less(const UserActivity& a, const UserActivity& b) {
    return a.principal != b.principal ? a.principal < b.principal : a.local < b.local;
}

constexpr std::uint64_t kMaxI64 = static_cast<std::uint64_t>(INT64_MAX);

bool user(Cursor& c, UserActivity& u) {
    unsigned seen = 0;
    std::uint64_t minutes = 0;
    const bool parsed = c.object([&](const std::string& key) {
        if (key == "principal")
            return first(seen, 1) && c.str(u.principal);
        if (key == "local")
            return first(seen, 2) && c.boolean(u.local);
        if (key == "kind")
            return first(seen, 4) && c.str(u.kind);
        if (key == "active_minutes")
            return first(seen, 8) && c.u64(minutes);
        return false;
    });
    if (!parsed || seen != 15 || minutes > UINT32_MAX)
        return false;
    u.active_minutes = static_cast<std::uint32_t>(minutes);
    return u.principal.size() >= 1 && u.principal.size() <= 256 && u.kind.size() >= 1 &&
           u.kind.size() <= 16 &&
           std::find(std::begin(kKinds), std::end(kKinds), u.kind) != std::end(kKinds);
}

}  // namespace

std::optional<Heartbeat> decode_heartbeat_fast(std::string_view bytes) {
    Cursor c(bytes);
    Heartbeat hb;
    unsigned seen = 0;
    std::string start, end;
    std::uint64_t dam = 0;
    bool users_ok = true;
    const bool parsed = c.object([&](const std::string& key) {
        if (key == "seq")
            return first(seen, 1) && c.u64(hb.seq);
        if (key == "start")
            return first(seen, 2) && c.str(start);
        if (key == "end")
            return first(seen, 4) && c.str(end);
        if (key == "boot_id")
            return first(seen, 8) && c.str(hb.boot_id);
        if (key == "uptime_s")
            return first(seen, 16) && c.u64(hb.uptime_s);
        if (key == "device_active_minutes")
            return first(seen, 32) && c.u64(dam);
        if (key == "prev")
            return first(seen, 64) && c.str(hb.prev);
        if (key == "users") {
            return first(seen, 128) && c.array([&] {
                if (hb.users.size() >= kMaxUsers)
                    return false;
                UserActivity u;
                if (!user(c, u))
                    return false;
                if (!hb.users.empty() && !user_less(hb.users.back(), u))
                    users_ok = false;
                hb.users.push_back(std::move(u));
                return true;
            });
        }
        return false;
    });
    if (!parsed || !c.at_end() || seen != 255 || !users_ok)
        return std::nullopt;
    if (hb.seq < 1 || hb.seq > kMaxI64 || hb.uptime_s > kMaxI64 || dam > UINT32_MAX)
        return std::nullopt;
    if (!canonical_time(start, hb.start) || !canonical_time(end, hb.end) || hb.end <= hb.start)
        return std::nullopt;
    const auto limit = static_cast<std::uint64_t>((hb.end - hb.start + 59) / 60);
    hb.device_active_minutes = static_cast<std::uint32_t>(dam);
    if (dam > limit || hb.boot_id.size() > 128 || hb.prev.size() != 64 || !lower_hex(hb.prev))
        return std::nullopt;
    for (const auto& u : hb.users) {
        if (u.active_minutes > limit)
            return std::nullopt;
    }
    return hb;
}

std::optional<Batch> decode_batch_fast(std::string_view json) {
    Cursor c(json);
    Batch batch;
    unsigned seen = 0;
    std::string sent_at;
    const bool parsed = c.object([&](const std::string& key) {
        if (key == "device_id")
            return first(seen, 1) && c.str(batch.device_id);
        if (key == "sent_at")
            return first(seen, 2) && c.str(sent_at);
        if (key == "heartbeats") {
            return first(seen, 4) && c.array([&] {
                if (batch.heartbeats.size() >= kMaxHeartbeats)
                    return false;
                std::string hb;
                if (!c.str(hb) || hb.size() > kMaxHeartbeatBytes)
                    return false;
                batch.heartbeats.push_back(std::move(hb));
                return true;
            });
        }
        if (key == "gaps") {
            return first(seen, 8) && c.array([&] {
                if (batch.gaps.size() >= kMaxGaps)
                    return false;
                Gap g;
                unsigned gseen = 0;
                const bool ok = c.object([&](const std::string& k) {
                    if (k == "from_seq")
                        return first(gseen, 1) && c.u64(g.from_seq);
                    if (k == "to_seq")
                        return first(gseen, 2) && c.u64(g.to_seq);
                    if (k == "reason")
                        return first(gseen, 4) && c.str(g.reason);
                    return false;
                });
                if (!ok || gseen != 7 || g.from_seq < 1 || g.from_seq > kMaxI64 || g.to_seq < 1 ||
                    g.to_seq > kMaxI64 || g.to_seq < g.from_seq || g.reason.empty() ||
                    g.reason.size() > 64)
                    return false;
                batch.gaps.push_back(std::move(g));
                return true;
            });
        }
        return false;
    });
    if (!parsed || !c.at_end() || seen != 15)
        return std::nullopt;
    if (batch.device_id.empty() || batch.device_id.size() > 128)
        return std::nullopt;
    const auto t = parse_rfc3339(sent_at);
    if (!t)
        return std::nullopt;
    batch.sent_at = *t;
    return batch;
}

}  // namespace tally::pairing::detail
