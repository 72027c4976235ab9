// `tally-server usage --tenant NAME --month YYYY-MM --format json|csv|xlsx [-o FILE]`:
// stdout by default; XLSX goes to stdout only when it is not a terminal.

#include <unistd.h>

#include <fstream>
#include <functional>
#include <iostream>

#include "server/cli/command.h"
#include "server/report/usage_csv.h"
#include "server/report/usage_json.h"
#include "server/report/usage_report.h"
#include "server/report/usage_xlsx.h"

namespace tally::server::cli {
namespace {

//! Writes through `write` to stdout (no FILE or "-") or to FILE; fails when a byte did not land.
int emit(const std::optional<std::string>& output,
         const std::function<void(std::ostream&)>& write) {
    if (!output || *output == "-") {
        write(std::cout);
        std::cout.flush();
        return std::cout ? kExitOk : kExitFailure;
    }
    std::ofstream out(*output, std::ios::binary | std::ios::trunc);
    write(out);
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
    auto report =
        build_usage_report(**store, *args->get("tenant"), *args->get("month"), now_seconds());
    if (!report) {
        const auto& e = report.error();
        return fail(e.code == "bad_request" ? make_error("usage", e.message) : e);
    }
    if (format == "json") {
        // Streamed: a 100k-device month is ~100 MB of JSON, never held whole in memory.
        return emit(output, [&](std::ostream& out) { write_usage_json(*report, out); });
    }
    std::string text;
    if (format == "xlsx") {
        auto xlsx = usage_to_xlsx(*report);
        if (!xlsx) {
            return fail(xlsx.error());
        }
        text = std::move(*xlsx);
    } else {
        text = usage_to_csv(*report);
    }
    return emit(output, [&](std::ostream& out) { out << text; });
}

}  // namespace tally::server::cli
