#pragma once
// A writer's progress: called after each device, user or late row with the number of such
// rows written so far (the CLI prints progress lines from it; see cli/progress_meter.h).

#include <cstddef>
#include <functional>

namespace tally::server {

using RowProgress = std::function<void(std::size_t rows)>;

}  // namespace tally::server
