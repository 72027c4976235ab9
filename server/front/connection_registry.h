#pragma once
// The open connections of the front: counted overall and per client address (the limits of
// FrontLimits), and listed so a graceful stop can close the idle ones. Thread-safe.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tally::server {

class Connection;

class ConnectionRegistry {
  public:
    ConnectionRegistry(std::size_t max_total, std::size_t max_per_address)
        : max_total_(max_total), max_per_address_(max_per_address) {}

    //! Counts a new connection from `address`; false (nothing counted) when over a limit.
    bool admit(const std::string& address);
    void add(Connection* connection, std::weak_ptr<Connection> handle);
    //! Uncounts a connection admitted from `address` (and unlists it, if listed).
    void release(Connection* connection, const std::string& address);
    //! Calls `fn` on every live listed connection.
    void for_each(const std::function<void(Connection&)>& fn);
    std::size_t size() const;
    std::size_t refused() const;

  private:
    std::size_t max_total_;
    std::size_t max_per_address_;
    mutable std::mutex mutex_;
    std::size_t total_ = 0;
    std::size_t refused_ = 0;
    std::unordered_map<std::string, std::size_t> per_address_;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> live_;
};

}  // namespace tally::server
