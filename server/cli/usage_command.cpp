// `tally-server usage --tenant NAME --month YYYY-MM --format json|csv|xlsx [-o FILE]`:
// stdout by default; XLSX goes to stdout only when it is not a terminal. Written as it is
// produced (never the whole document in memory); progress lines on stderr for a large tenant.

#include <unistd.h>

#include <fstream>
#include <functional>
#include <iostream>

#include "server/cli/command.h"
#include "server/cli/progress_meter.h"
#include "server/report/month_close.h"
#include "server/report/usage_output.h"
#include "server/report/usage_report.h"

namespace tally::server::cli {
namespace {

//! Writes through `write` to stdout (no FILE or "-") or to FILE; fails when a byte did not land.
int emit(const std::optional<std::string>& output,
         const std::function<Result<void>(std::ostream&)>& write) {
    if (!output || *output == "-") {
        if (auto r = write(std::cout); !r) {
            return fail(r.error());
        }
        return kExitOk;
    }
    std::ofstream out(*output, std::ios::binary | std::ios::trunc);
    if (!out) {
        return fail(make_error("io", "cannot write " + *output));
    }
    if (auto r = write(out); !r) {
        return fail(make_error(r.error().code, r.error().message + ": " + *output));
    }
    out.close();
    if (!out) {
        return fail(make_error("io", "cannot write " + *output));
    }
    return kExitOk;
}

}  // namespace

int run_usage(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "tenant", "month", "format", "o", "output"});
    if (!args) {
        return fail(args.error());
    }
    const auto format = args->get_or("format", "json");
    if (args->positional.size() != 1 || !args->get("tenant") || !args->get("month") ||
        (format != "json" && format != "csv" && format != "xlsx") ||
        (args->get("o") && args->get("output"))) {
        return fail(make_error("usage",
                               "usage: tally-server usage --tenant NAME --month YYYY-MM "
                               "--format json|csv|xlsx [-o FILE] [--data-dir DIR]"));
    }
    const auto output = args->get("o") ? args->get("o") : args->get("output");
    const bool to_stdout = !output || *output == "-";
    if (format == "xlsx" && to_stdout && ::isatty(STDOUT_FILENO)) {
        return fail(make_error("usage",
                               "an XLSX workbook is not written to a terminal; use -o FILE or "
                               "redirect stdout"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    ProgressMeter progress(std::cerr, "usage");
    // A closed month's rows are decoded from its snapshot one at a time as they are written.
    auto report =
        build_usage_rows(**store, *args->get("tenant"), *args->get("month"), now_seconds());
    if (!report) {
        const auto& e = report.error();
        return fail(e.code == "bad_request" ? make_error("usage", e.message) : e);
    }
    const auto& head = *report->head;
    const auto& body = *report->rows;
    const auto rows = body.device_count() + body.user_count() + head.late.size();
    progress.step("report built: " + std::to_string(body.device_count()) + " devices, " +
                  std::to_string(body.user_count()) + " users");
    const int code = emit(output, [&](std::ostream& out) {
        return write_usage(head, body, *parse_usage_format(format), out,
                           [&](std::size_t done) { progress.rows(done, rows, "rows written"); });
    });
    progress.finish(code == kExitOk ? "done, " + std::to_string(rows) + " rows" : "failed");
    return code;
}

}  // namespace tally::server::cli
