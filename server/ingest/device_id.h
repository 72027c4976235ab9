#pragma once
// New device ids: "dev_" + 20 random base32 symbols (100 bits).

#include <string>

namespace tally::server {

std::string new_device_id();

}  // namespace tally::server
