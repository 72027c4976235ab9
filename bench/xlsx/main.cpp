// tally-bench-xlsx: the same Devices-like sheet (N rows of the report's device columns: text,
// numbers, booleans, UTC date-times; a bold frozen header, column widths, an autofilter)
// written by the product's writer (server/report/xlsx_book: our one-pass writer, the same
// sheet XML as libxlsxwriter's constant-memory mode, deflate level 1 on a second thread, the
// cell text made safe by xlsx_text.h) or by libxlsxwriter called directly in its
// constant-memory mode (the writer the product used before; `--tmpdir DIR` gives it a
// temporary directory, e.g. on tmpfs). Prints one `RESULT {json}` line: wall seconds, CPU
// seconds (user + system, both threads), this process's peak RSS (ru_maxrss) and the file's
// size (bench/README.md).
//
//   tally-bench-xlsx --writer product|libxlsxwriter --rows N --out FILE.xlsx [--tmpdir DIR]

#include <sys/resource.h>
#include <xlsxwriter.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "server/report/xlsx_book.h"

namespace {

constexpr std::int64_t kT0 = 1793491200;  // 2026-11-01T00:00:00Z

const std::vector<std::string> kHeader = {"device_id",
                                          "hostname",
                                          "device_type",
                                          "role",
                                          "active",
                                          "active_minutes",
                                          "active_days",
                                          "heartbeats",
                                          "last_seq",
                                          "last_seen",
                                          "users",
                                          "billed_as",
                                          "package",
                                          "paired_user",
                                          "covered_by",
                                          "retired_at",
                                          "inactive_span_heartbeats",
                                          "explanation"};

//! Row i's values, as both writers write them.
struct Row {
    std::string id, host, users, paired;
    std::int64_t minutes, days, heartbeats, seq, last_seen;
    bool active;
};

Row row(std::size_t i) {
    Row r;
    r.id = "dev_" + std::to_string(1000000 + i * 7919);
    r.host = "pc-" + std::to_string(i);
    r.paired = "u" + std::to_string(i) + "@corp.example";
    r.users = r.paired + ";itadmin";
    r.minutes = static_cast<std::int64_t>(i % 9000);
    r.days = static_cast<std::int64_t>(i % 23);
    r.heartbeats = 8640;
    r.seq = 8640 + static_cast<std::int64_t>(i % 100);
    r.last_seen = kT0 + 30 * 86400 - static_cast<std::int64_t>(i % 3600);
    r.active = i % 10 != 0;
    return r;
}

const char* kExplanation = "active; covered by its paired user's license";

int write_product(std::size_t rows, const std::string& out) {
    std::vector<tally::server::XlsxColumn> cols;
    for (const auto& h : kHeader) {
        cols.push_back({h, h.size() < 12 ? 14.0 : 22.0});
    }
    auto book = tally::server::XlsxBook::create(kT0);
    if (!book) {
        std::cerr << book.error().message << "\n";
        return 1;
    }
    auto& s = book->add_sheet("Devices", cols, rows);
    for (std::size_t i = 0; i < rows; ++i) {
        const auto r = row(i);
        s.text(0, r.id), s.text(1, r.host), s.text(2, "business"), s.text(3, "workstation");
        s.boolean(4, r.active), s.number(5, r.minutes), s.number(6, r.days);
        s.number(7, r.heartbeats), s.number(8, r.seq), s.time(9, r.last_seen);
        s.text(10, r.users), s.text(11, "user"), s.text(12, "core"), s.text(13, r.paired);
        s.text(14, r.paired), s.number(16, 0), s.text(17, kExplanation);
        s.next_row();
    }
    std::ofstream f(out, std::ios::binary);
    auto done = book->finish(f);
    if (!done) {
        std::cerr << done.error().message << "\n";
        return 1;
    }
    return f ? 0 : 1;
}

int write_libxlsxwriter(std::size_t rows, const std::string& out, std::string tmpdir) {
    lxw_workbook_options options = {};
    options.constant_memory = LXW_TRUE;
    options.tmpdir = tmpdir.empty() ? nullptr : tmpdir.data();
    lxw_workbook* book = workbook_new_opt(out.c_str(), &options);
    if (!book) {
        return 1;
    }
    lxw_worksheet* sheet = workbook_add_worksheet(book, "Devices");
    lxw_format* bold = workbook_add_format(book);
    format_set_bold(bold);
    lxw_format* when = workbook_add_format(book);
    format_set_num_format(when, "yyyy-mm-dd hh:mm:ss");
    for (lxw_col_t c = 0; c < kHeader.size(); ++c) {
        worksheet_set_column(sheet, c, c, kHeader[c].size() < 12 ? 14.0 : 22.0, nullptr);
        worksheet_write_string(sheet, 0, c, kHeader[c].c_str(), bold);
    }
    worksheet_freeze_panes(sheet, 1, 0);
    worksheet_autofilter(sheet, 0, 0, static_cast<lxw_row_t>(rows),
                         static_cast<lxw_col_t>(kHeader.size() - 1));
    for (std::size_t i = 0; i < rows; ++i) {
        const auto r = row(i);
        const auto y = static_cast<lxw_row_t>(i + 1);
        worksheet_write_string(sheet, y, 0, r.id.c_str(), nullptr);
        worksheet_write_string(sheet, y, 1, r.host.c_str(), nullptr);
        worksheet_write_string(sheet, y, 2, "business", nullptr);
        worksheet_write_string(sheet, y, 3, "workstation", nullptr);
        worksheet_write_boolean(sheet, y, 4, r.active, nullptr);
        worksheet_write_number(sheet, y, 5, static_cast<double>(r.minutes), nullptr);
        worksheet_write_number(sheet, y, 6, static_cast<double>(r.days), nullptr);
        worksheet_write_number(sheet, y, 7, static_cast<double>(r.heartbeats), nullptr);
        worksheet_write_number(sheet, y, 8, static_cast<double>(r.seq), nullptr);
        worksheet_write_number(sheet, y, 9, tally::server::xlsx_serial_time(r.last_seen), when);
        worksheet_write_string(sheet, y, 10, r.users.c_str(), nullptr);
        worksheet_write_string(sheet, y, 11, "user", nullptr);
        worksheet_write_string(sheet, y, 12, "core", nullptr);
        worksheet_write_string(sheet, y, 13, r.paired.c_str(), nullptr);
        worksheet_write_string(sheet, y, 14, r.paired.c_str(), nullptr);
        worksheet_write_number(sheet, y, 16, 0, nullptr);
        worksheet_write_string(sheet, y, 17, kExplanation, nullptr);
    }
    return workbook_close(book) == LXW_NO_ERROR ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string writer, out, tmpdir;
    std::size_t rows = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--writer") {
            writer = argv[i + 1];
        } else if (k == "--rows") {
            rows = std::stoul(argv[i + 1]);
        } else if (k == "--out") {
            out = argv[i + 1];
        } else if (k == "--tmpdir") {
            tmpdir = argv[i + 1];
        }
    }
    if ((writer != "product" && writer != "libxlsxwriter") || rows == 0 || out.empty()) {
        std::cerr << "usage: tally-bench-xlsx --writer product|libxlsxwriter --rows N --out FILE "
                     "[--tmpdir DIR]\n";
        return 64;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const int rc =
        writer == "product" ? write_product(rows, out) : write_libxlsxwriter(rows, out, tmpdir);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    std::ifstream f(out, std::ios::binary | std::ios::ate);
    const auto secs = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    std::printf(
        "RESULT {\"writer\":\"%s\",\"rows\":%zu,\"seconds\":%.3f,\"cpu_seconds\":%.3f,"
        "\"rss_mb\":%.1f,\"bytes\":%lld}\n",
        writer.c_str(), rows, s, secs(ru.ru_utime) + secs(ru.ru_stime),
        static_cast<double>(ru.ru_maxrss) / 1024, static_cast<long long>(f.tellg()));
    return rc;
}
