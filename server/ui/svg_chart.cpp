// Inline SVG bar charts (see svg_chart.h).

#include "server/ui/svg_chart.h"

#include <algorithm>

#include "server/ui/html.h"

namespace tally::server::ui {
namespace {

constexpr int kWidth = 720;
constexpr int kHeight = 180;
constexpr int kLeft = 44;    // room for the axis numbers
constexpr int kBottom = 22;  // room for the labels
constexpr int kTop = 8;

std::string num(double v) {
    return std::to_string(static_cast<long long>(v + 0.5));
}

std::string legend(const std::vector<ChartSeries>& series) {
    std::string out = "<p class=\"legend\">";
    for (const auto& s : series) {
        out += "<span class=\"key " + html_escape(s.css_class) + "\"></span>" +
               html_escape(s.name) + " ";
    }
    return out + "</p>";
}

}  // namespace

std::string bar_chart(std::string_view id, std::string_view title,
                      const std::vector<std::string>& labels,
                      const std::vector<ChartSeries>& series, std::size_t label_every) {
    std::int64_t max = 0;
    for (const auto& s : series) {
        for (const auto v : s.values) {
            max = std::max(max, v);
        }
    }
    const double plot_w = kWidth - kLeft;
    const double plot_h = kHeight - kBottom - kTop;
    const double slot = labels.empty() ? plot_w : plot_w / static_cast<double>(labels.size());
    const double bar =
        std::max(1.0, (slot * 0.8) / static_cast<double>(std::max<std::size_t>(1, series.size())));
    std::string out = "<figure class=\"chart\" id=\"" + std::string(id) + "\"><figcaption>" +
                      html_escape(title) + "</figcaption>";
    out += "<svg viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
           "\" role=\"img\" aria-label=\"" + html_escape(title) + "\">";
    const auto base = num(kTop + plot_h);
    out += "<line class=\"axis\" x1=\"" + num(kLeft) + "\" y1=\"" + base + "\" x2=\"" +
           num(kWidth) + "\" y2=\"" + base + "\"/>";
    out += "<text class=\"tick\" x=\"" + num(kLeft - 4) + "\" y=\"" + num(kTop + 10) +
           "\" text-anchor=\"end\">" + std::to_string(max) + "</text>";
    out += "<text class=\"tick\" x=\"" + num(kLeft - 4) + "\" y=\"" + base +
           "\" text-anchor=\"end\">0</text>";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const double x0 = kLeft + slot * static_cast<double>(i) + slot * 0.1;
        for (std::size_t k = 0; k < series.size(); ++k) {
            const auto v = i < series[k].values.size() ? series[k].values[i] : 0;
            const double h =
                max > 0 ? plot_h * static_cast<double>(v) / static_cast<double>(max) : 0;
            out += "<rect class=\"" + html_escape(series[k].css_class) + "\" x=\"" +
                   num(x0 + bar * static_cast<double>(k)) + "\" y=\"" + num(kTop + plot_h - h) +
                   "\" width=\"" + num(std::max(1.0, bar - 1)) + "\" height=\"" + num(h) +
                   "\"><title>" + html_escape(labels[i]) + ": " + html_escape(series[k].name) +
                   " " + std::to_string(v) + "</title></rect>";
        }
        if (label_every > 0 && i % label_every == 0) {
            out += "<text class=\"tick\" x=\"" + num(x0 + slot * 0.4) + "\" y=\"" +
                   num(kHeight - 6) + "\" text-anchor=\"middle\">" + html_escape(labels[i]) +
                   "</text>";
        }
    }
    return out + "</svg>" + legend(series) + "</figure>";
}

}  // namespace tally::server::ui
