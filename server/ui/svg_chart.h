#pragma once
// Bar charts drawn by the server as inline SVG (no script, no style attribute: the CSP
// holds). One or more series of whole numbers over the same labels, bars side by side,
// the largest value and zero marked on the axis, a <title> per bar (its exact value, shown
// on hover) and a text alternative for screen readers. Labels are plain text (escaped).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tally::server::ui {

struct ChartSeries {
    std::string name;                  //!< plain text
    std::string css_class;             //!< "s1" | "s2": its colour in the page stylesheet
    std::vector<std::int64_t> values;  //!< one per label
};

//! `id` is an element id (trusted, ASCII); `labels` are the x axis (every `label_every`th
//! drawn).
std::string bar_chart(std::string_view id, std::string_view title,
                      const std::vector<std::string>& labels,
                      const std::vector<ChartSeries>& series, std::size_t label_every = 1);

}  // namespace tally::server::ui
