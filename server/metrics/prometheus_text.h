#pragma once
// Prometheus text exposition format 0.0.4: the HELP/TYPE lines of a family and its samples,
// label values escaped (\\, \", \n).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace tally::server::metrics {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help);
void sample(std::string& out, std::string_view name, Labels labels, std::uint64_t value);
void sample(std::string& out, std::string_view name, Labels labels, double value);

}  // namespace tally::server::metrics
