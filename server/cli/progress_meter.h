#pragma once
// Progress lines for long CLI work (`usage` of a large tenant, `import`, `purge`): to stderr,
// one line per `every_rows` rows or per `every` of time, whichever comes first, and a last
// line with the total. Short work prints nothing: lines start once the work has passed
// `every_rows` rows or run for `every`, so small tenants and the tests see no extra output.
//   usage: 40000 of 100000 devices written (1.2 s)

#include <chrono>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace tally::server::cli {

class ProgressMeter {
  public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    ProgressMeter(std::ostream& out, std::string what, std::size_t every_rows = 10000,
                  std::chrono::milliseconds every = std::chrono::seconds(2),
                  Clock clock = std::chrono::steady_clock::now);

    //! `done` of `total` `unit` are finished (total 0: unknown). Prints when a line is due.
    void rows(std::size_t done, std::size_t total, std::string_view unit);
    //! A step of the work finished (e.g. "facts read"): printed when it took long enough, or
    //! once lines have started.
    void step(std::string_view text);
    //! The last line ("... done"), only when lines were printed.
    void finish(std::string_view text);

  private:
    double elapsed_s() const;
    void line(std::string_view text);

    std::ostream& out_;
    std::string what_;
    std::size_t every_rows_;
    std::chrono::milliseconds every_;
    Clock clock_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_line_;
    std::size_t next_rows_;
    bool started_ = false;
};

}  // namespace tally::server::cli
