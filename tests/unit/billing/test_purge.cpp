// 90-day purge of user metadata: the principal is gone from every text and blob column of
// every table (and from the database file), past months still count the person once.

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "billing_fixture.h"
#include "server/application/purge_run.h"
#include "server/report/month_close.h"
#include "server/report/month_snapshot_codec.h"
#include "server/report/usage_json.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {

//! Rows of every column of every table whose text contains `needle` (case-insensitive).
std::int64_t mentions(const std::filesystem::path& db_path, const std::string& needle) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    std::vector<std::pair<std::string, std::string>> columns;
    sqlite3_stmt* tables = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "SELECT m.name, p.name FROM sqlite_master m, "
                               "pragma_table_info(m.name) p WHERE m.type = 'table'",
                               -1, &tables, nullptr) == SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(tables, 0)),
                             reinterpret_cast<const char*>(sqlite3_column_text(tables, 1)));
    }
    sqlite3_finalize(tables);
    REQUIRE(columns.size() > 40);  // every table of the schema, not an empty scan
    std::int64_t hits = 0;
    for (const auto& [table, column] : columns) {
        const auto sql = "SELECT count(*) FROM \"" + table + "\" WHERE instr(lower(CAST(\"" +
                         column + "\" AS TEXT)), ?) > 0";
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
        sqlite3_bind_text(s, 1, needle.c_str(), -1, SQLITE_TRANSIENT);
        REQUIRE(sqlite3_step(s) == SQLITE_ROW);
        const auto n = sqlite3_column_int64(s, 0);
        if (n > 0) {
            UNSCOPED_INFO(table << "." << column << " mentions " << needle);
        }
        hits += n;
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return hits;
}

bool file_contains(const std::filesystem::path& path, const std::string& needle) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str().find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("purge: released on day 30, deleted on day 90 after it, from every table",
          "[billing][purge]") {
    BillingScenario s;
    s.device("a");
    s.device("b");
    const auto last = at(2026, 11, 20);
    s.beat("a", at(2026, 11, 18), 5, {user("Zed.Purgeme@corp", 5), user("keeper", 3)});
    s.beat("b", last, 5, {user("zed.purgeme@corp", 5)});
    s.device("c");
    s.beat("c", last, 5, {user("localzed", 5, true)});  // a local account: its own user
    const auto purge_day = last + 30 * kDay + 90 * kDay;
    auto& st = *s.f.store;
    REQUIRE(st.add_group("acme", "eng", last).ok());
    REQUIRE(st.move_user_to_group("acme", "eng", "zed.purgeme@corp", last).ok());
    REQUIRE(st.assign_device_user(s.id("a"), "zed.purgeme@corp", last).ok());
    REQUIRE(st.merge_users("acme", "zed.alias@corp", "zed.purgeme@corp", last).ok());
    // keeper stays active: a heartbeat 200 days later keeps their metadata.
    s.beat("a", last + 200 * kDay, 5, {user("keeper", 5)});

    const auto db = s.f.dir.path() / "tally.db";

    auto early = st.purge_users(purge_day - 1);
    REQUIRE(early.ok());
    CHECK(early->users_purged == 0);
    CHECK(mentions(db, "purgeme") > 0);

    auto purged = st.purge_users(purge_day);
    REQUIRE(purged.ok());
    CHECK(purged->users_purged == 2);  // zed (with the alias) and the local account
    CHECK(purged->heartbeat_rows_redacted == 3);
    CHECK(mentions(db, "purgeme") == 0);
    CHECK(mentions(db, "zed.alias") == 0);
    CHECK(mentions(db, "localzed") == 0);
    CHECK(mentions(db, "keeper") > 0);
    CHECK_FALSE(file_contains(db, "urgeme"));
    CHECK_FALSE(file_contains(db.string() + "-wal", "urgeme"));

    // November still counts the purged people once each, under a surrogate.
    const auto nov = s.report("2026-11", purge_day);
    CHECK(nov.summary.active_users == 3);
    for (const auto& u : nov.users) {
        CHECK(u.principal.find("purgeme") == std::string::npos);
    }
    CHECK(st.purge_users(purge_day + kDay)->users_purged == 0);  // idempotent
}

TEST_CASE("purge: a closed month's snapshot no longer names the purged user, its figures stay",
          "[billing][purge][month_close]") {
    BillingScenario s;
    s.device("a");
    s.device("b");
    const auto last = at(2026, 11, 20);
    s.beat("a", at(2026, 11, 18), 5, {user("Zed.Purgeme@corp", 5), user("keeper", 3)});
    s.beat("b", last, 5, {user("zed.purgeme@corp", 5)});
    auto& st = *s.f.store;
    REQUIRE(st.assign_device_user(s.id("b"), "zed.purgeme@corp", last).ok());
    REQUIRE(st.merge_users("acme", "zed.alias@corp", "zed.purgeme@corp", last).ok());
    s.beat("a", last + 200 * kDay, 5, {user("keeper", 5)});
    const auto purge_day = last + 30 * kDay + 90 * kDay;

    // November closes (and is frozen) while zed is still known.
    REQUIRE(close_month(st, "acme", "2026-11", at(2026, 12, 10)).value());
    const auto frozen = s.report("2026-11", at(2026, 12, 10));
    REQUIRE(usage_to_json(frozen).find("purgeme") != std::string::npos);
    const auto body_of = [&] { return st.month_snapshot("acme", "2026-11").value()->body; };
    const auto before = body_of();

    application::PurgeRun run(st);
    auto purged = run.run(application::Caller::global(), purge_day);
    REQUIRE(purged.ok());
    CHECK(purged->users_purged == 1);
    CHECK(purged->snapshots_redacted == 1);
    CHECK(purged->purged.empty());  // the names do not leave the run

    // Decompressed, the snapshot names zed nowhere (any case, any field, the explanations).
    const auto after = decode_month_snapshot(body_of());
    REQUIRE(after.ok());
    auto text = usage_to_json(*after);
    std::transform(text.begin(), text.end(), text.begin(), ::tolower);
    CHECK(text.find("purgeme") == std::string::npos);
    CHECK(text.find("zed.alias") == std::string::npos);
    CHECK(text.find("purged-") != std::string::npos);
    CHECK(text.find("keeper") != std::string::npos);
    // The frozen figures are unchanged; the report of the month is still read from it.
    CHECK(after->summary.billable_units == frozen.summary.billable_units);
    CHECK(after->summary.active_users == frozen.summary.active_users);
    CHECK(after->summary.active_devices == frozen.summary.active_devices);
    REQUIRE(after->devices.size() == frozen.devices.size());
    for (std::size_t i = 0; i < frozen.devices.size(); ++i) {
        CHECK(after->devices[i].billing.billed_as == frozen.devices[i].billing.billed_as);
        CHECK(after->devices[i].billing.active_minutes == frozen.devices[i].billing.active_minutes);
    }
    REQUIRE(after->users.size() == frozen.users.size());
    for (std::size_t i = 0; i < frozen.users.size(); ++i) {
        CHECK(after->users[i].active_minutes == frozen.users[i].active_minutes);
    }
    CHECK(s.report("2026-11", purge_day).summary.billable_units == frozen.summary.billable_units);
    CHECK(body_of() != before);

    // A second run purges no one and leaves the snapshot byte for byte.
    const auto redacted = body_of();
    CHECK(run.run(application::Caller::global(), purge_day + kDay)->snapshots_redacted == 0);
    CHECK(body_of() == redacted);
}
