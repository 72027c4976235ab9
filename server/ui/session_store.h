#pragma once
// Server-side sessions of the /ui page. A session id (32 random bytes, base64url) lives only
// in the browser's cookie; the server keeps the SHA-256 of the id (so its memory holds no
// usable id) mapped to the SHA-256 of the admin token that signed in (never the token).
// Sessions end on sign-out, after kIdleSeconds without use, or kMaxAgeSeconds after sign-in,
// whichever comes first; at most kMaxSessions live at once (the oldest goes first).
// Thread-safe: cpp-httplib serves requests from a thread pool.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace tally::server::ui {

struct Session {
    std::string token_hash;  //!< hex SHA-256 of the admin token (store.find_admin_token key)
    std::int64_t created_at = 0;
    std::int64_t last_used = 0;
};

class SessionStore {
  public:
    static constexpr std::int64_t kIdleSeconds = 30 * 60;
    static constexpr std::int64_t kMaxAgeSeconds = 8 * 60 * 60;
    static constexpr std::size_t kMaxSessions = 1024;

    //! Starts a session for the token hash; returns the new session id (for the cookie).
    std::string create(const std::string& token_hash, std::int64_t now);
    //! The live session of `id` (its idle timer restarts), or nullopt when unknown/expired.
    std::optional<Session> touch(const std::string& id, std::int64_t now);
    //! Ends the session (sign-out); unknown ids are ignored.
    void remove(const std::string& id);
    //! Live sessions (for tests).
    std::size_t size(std::int64_t now);

  private:
    static bool expired(const Session& s, std::int64_t now);
    void drop_expired_locked(std::int64_t now);

    std::mutex mutex_;
    std::map<std::string, Session> sessions_;  //!< key: hex SHA-256 of the session id
};

}  // namespace tally::server::ui
