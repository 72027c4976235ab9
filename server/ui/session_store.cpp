// Server-side /ui sessions (see session_store.h).

#include "server/ui/session_store.h"

#include <algorithm>

#include "pairing/bytes.h"
#include "pairing/crypto.h"

namespace tally::server::ui {
namespace {

std::string id_key(const std::string& id) {
    return pairing::hex_encode(pairing::sha256(id));
}

}  // namespace

bool SessionStore::expired(const Session& s, std::int64_t now) {
    return now - s.last_used >= kIdleSeconds || now - s.created_at >= kMaxAgeSeconds ||
           now < s.created_at;
}

void SessionStore::drop_expired_locked(std::int64_t now) {
    std::erase_if(sessions_, [&](const auto& entry) { return expired(entry.second, now); });
}

std::string SessionStore::create(const std::string& token_hash, std::int64_t now) {
    const auto id = pairing::base64url_encode(pairing::random_bytes(32));
    std::lock_guard lock(mutex_);
    drop_expired_locked(now);
    if (sessions_.size() >= kMaxSessions) {
        const auto oldest = std::min_element(
            sessions_.begin(), sessions_.end(),
            [](const auto& a, const auto& b) { return a.second.created_at < b.second.created_at; });
        sessions_.erase(oldest);
    }
    sessions_[id_key(id)] = Session{token_hash, now, now};
    return id;
}

std::optional<Session> SessionStore::touch(const std::string& id, std::int64_t now) {
    if (id.empty()) {
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id_key(id));
    if (it == sessions_.end()) {
        return std::nullopt;
    }
    if (expired(it->second, now)) {
        sessions_.erase(it);
        return std::nullopt;
    }
    it->second.last_used = now;
    return it->second;
}

void SessionStore::remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id_key(id));
}

std::size_t SessionStore::size(std::int64_t now) {
    std::lock_guard lock(mutex_);
    drop_expired_locked(now);
    return sessions_.size();
}

}  // namespace tally::server::ui
