// Open connections, counted (see connection_registry.h).

#include "server/front/connection_registry.h"

#include <vector>

#include "server/front/connection.h"

namespace tally::server {

bool ConnectionRegistry::admit(const std::string& address) {
    std::lock_guard lock(mutex_);
    auto& mine = per_address_[address];
    if (total_ >= max_total_ || mine >= max_per_address_) {
        if (mine == 0) {
            per_address_.erase(address);
        }
        ++refused_;
        return false;
    }
    ++mine;
    ++total_;
    return true;
}

void ConnectionRegistry::add(Connection* connection, std::weak_ptr<Connection> handle) {
    std::lock_guard lock(mutex_);
    live_[connection] = std::move(handle);
}

void ConnectionRegistry::release(Connection* connection, const std::string& address) {
    std::lock_guard lock(mutex_);
    live_.erase(connection);
    --total_;
    if (const auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0) {
        per_address_.erase(it);
    }
}

void ConnectionRegistry::for_each(const std::function<void(Connection&)>& fn) {
    std::vector<std::shared_ptr<Connection>> alive;
    {
        std::lock_guard lock(mutex_);
        for (auto& [raw, weak] : live_) {
            if (auto c = weak.lock()) {
                alive.push_back(std::move(c));
            }
        }
    }
    for (auto& c : alive) {
        fn(*c);
    }
}

std::size_t ConnectionRegistry::size() const {
    std::lock_guard lock(mutex_);
    return total_;
}

std::size_t ConnectionRegistry::refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
}

}  // namespace tally::server
