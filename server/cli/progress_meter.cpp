// Progress lines (see progress_meter.h).

#include "server/cli/progress_meter.h"

#include <cstdio>

namespace tally::server::cli {

ProgressMeter::ProgressMeter(std::ostream& out, std::string what, std::size_t every_rows,
                             std::chrono::milliseconds every, Clock clock)
    : out_(out),
      what_(std::move(what)),
      every_rows_(every_rows == 0 ? 1 : every_rows),
      every_(every),
      clock_(std::move(clock)),
      start_(clock_()),
      last_line_(start_),
      next_rows_(every_rows_) {}

double ProgressMeter::elapsed_s() const {
    return std::chrono::duration<double>(clock_() - start_).count();
}

void ProgressMeter::line(std::string_view text) {
    char took[32];
    std::snprintf(took, sizeof took, " (%.1f s)", elapsed_s());
    out_ << what_ << ": " << text << took << '\n' << std::flush;
    started_ = true;
    last_line_ = clock_();
}

void ProgressMeter::rows(std::size_t done, std::size_t total, std::string_view unit) {
    const bool by_rows = done >= next_rows_;
    const bool by_time = clock_() - last_line_ >= every_;
    if (!by_rows && !by_time) {
        return;
    }
    while (next_rows_ <= done) {
        next_rows_ += every_rows_;
    }
    std::string text = std::to_string(done);
    if (total > 0) {
        text += " of " + std::to_string(total);
    }
    text.append(" ").append(unit);
    line(text);
}

void ProgressMeter::step(std::string_view text) {
    if (started_ || clock_() - last_line_ >= every_) {
        line(text);
    }
}

void ProgressMeter::finish(std::string_view text) {
    if (started_) {
        line(text);
    }
}

}  // namespace tally::server::cli
