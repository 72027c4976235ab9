// Usage report bodies in temporary files (see report_body.h).

#include "server/http/report_body.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace tally::server {

Result<std::shared_ptr<const BodyFile>> usage_body_file(const UsageReport& report,
                                                        UsageFormat format) {
    return usage_body_file(report, InMemoryRows(report), format);
}

Result<std::shared_ptr<const BodyFile>> usage_body_file(const UsageReport& report,
                                                        const ReportRows& rows,
                                                        UsageFormat format) {
    std::error_code ec;
    const auto dir = std::filesystem::temp_directory_path(ec);
    if (ec) {
        const char* tmpdir = std::getenv("TMPDIR");
        return make_error("io", "no temporary directory for the report (TMPDIR=" +
                                    std::string(tmpdir ? tmpdir : "(unset)") +
                                    "): " + ec.message());
    }
    std::string name = (dir / "tally-report-XXXXXX").string();
    const int fd = ::mkstemp(name.data());  // 0600, a fresh name
    if (fd < 0) {
        return make_error("io", "cannot create a temporary file in " + dir.string() + ": " +
                                    std::strerror(errno));
    }
    ::close(fd);
    auto file = std::make_shared<const BodyFile>(name);  // removed on every path from here
    std::ofstream out(name, std::ios::binary | std::ios::trunc);
    if (auto r = write_usage(report, rows, format, out); !r) {
        return make_error(r.error().code, r.error().message + " (temporary file " + name + ")");
    }
    out.close();
    if (!out) {
        return make_error("io", "cannot write the temporary file " + name);
    }
    return file;
}

}  // namespace tally::server
