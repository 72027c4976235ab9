// Device id generation (see device_id.h).

#include "server/ingest/device_id.h"

#include "pairing/crypto.h"

namespace tally::server {

std::string new_device_id() {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    const auto random = pairing::random_bytes(20);
    std::string id = "dev_";
    for (const auto b : random) {
        id += kAlphabet[b & 31];
    }
    return id;
}

}  // namespace tally::server
