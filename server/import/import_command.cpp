// `tally-server import` (see import_command.h).

#include "server/import/import_command.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "pairing/bundle.h"
#include "server/cli/command.h"
#include "server/cli/progress_meter.h"
#include "server/import/import_bundle.h"

namespace tally::server::cli {

int run_import(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "tenant", "format"});
    if (!args)
        return fail(args.error());
    const auto format = args->get_or("format", "text");
    if (args->positional.size() != 2 || !args->get("tenant") ||
        (format != "text" && format != "json")) {
        return fail(make_error("usage",
                               "usage: tally-server import FILE --tenant NAME [--format text|json] "
                               "[--data-dir DIR] [--db URL]"));
    }
    const std::string path = args->positional[1];
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(make_error("io", "cannot read " + path));
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    if (size > pairing::kMaxBundleBytes)
        return fail(make_error("bad_bundle", "import refused: " + path + " is larger than " +
                                                 std::to_string(pairing::kMaxBundleBytes) +
                                                 " bytes"));
    in.seekg(0);
    std::string bytes(size, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (!in)
        return fail(make_error("io", "cannot read " + path));

    auto dir = data_dir(*args);
    if (!dir)
        return fail(dir.error());
    auto store = open_chosen_store(*args, *dir);
    if (!store)
        return fail(store.error());
    ProgressMeter progress(std::cerr, "import");  // a line only if it took 2 s or more
    auto report = import_bundle(**store, *args->get("tenant"), bytes, now_seconds());
    progress.step(report ? "bundle counted" : "bundle refused");
    if (!report) {
        const auto& e = report.error();
        return fail(make_error(e.code, "import refused (" + e.code + "): " + e.message));
    }
    std::cout << (format == "json" ? import_report_json(*report) + "\n"
                                   : import_report_text(*report))
              << std::flush;
    return kExitOk;
}

}  // namespace tally::server::cli
