// `tally-server usage --tenant NAME --month YYYY-MM --format json|csv [-o FILE]`.

#include <fstream>
#include <iostream>

#include "server/cli/command.h"
#include "server/report/usage_csv.h"
#include "server/report/usage_json.h"
#include "server/report/usage_report.h"

namespace tally::server::cli {

int run_usage(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "tenant", "month", "format", "o", "output"});
    if (!args) {
        return fail(args.error());
    }
    const auto format = args->get_or("format", "json");
    if (args->positional.size() != 1 || !args->get("tenant") || !args->get("month") ||
        (format != "json" && format != "csv") || (args->get("o") && args->get("output"))) {
        return fail(make_error("usage",
                               "usage: tally-server usage --tenant NAME --month YYYY-MM "
                               "--format json|csv [-o FILE] [--data-dir DIR]"));
    }
    auto dir = data_dir(*args);
    if (!dir) {
        return fail(dir.error());
    }
    auto store = open_store(*dir);
    if (!store) {
        return fail(store.error());
    }
    auto report =
        build_usage_report(**store, *args->get("tenant"), *args->get("month"), now_seconds());
    if (!report) {
        const auto& e = report.error();
        return fail(e.code == "bad_request" ? make_error("usage", e.message) : e);
    }
    const auto text = format == "csv" ? usage_to_csv(*report) : usage_to_json(*report);
    const auto output = args->get("o") ? args->get("o") : args->get("output");
    if (!output || *output == "-") {
        std::cout << text << std::flush;
        return std::cout ? kExitOk : kExitFailure;
    }
    std::ofstream out(*output, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        return fail(make_error("io", "cannot write " + *output));
    }
    return kExitOk;
}

}  // namespace tally::server::cli
