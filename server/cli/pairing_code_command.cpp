// `tally-server pairing-code create --tenant NAME [--uses N] [--expires 7d]`: prints only
// the code; the database keeps its SHA-256, the uses left and the expiry.

#include <charconv>
#include <iostream>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/pairing_code.h"
#include "server/cli/command.h"
#include "server/domain/duration.h"

namespace tally::server::cli {

int run_pairing_code(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "tenant", "uses", "expires"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;
    if (pos.size() != 2 || pos[1] != "create" || !args->get("tenant")) {
        return fail(make_error("usage",
                               "usage: tally-server pairing-code create --tenant NAME "
                               "[--uses N] [--expires 30d|12h|90m] [--data-dir DIR]"));
    }
    const auto uses_text = args->get_or("uses", "1");
    std::int64_t uses = 0;
    const auto [end, ec] =
        std::from_chars(uses_text.data(), uses_text.data() + uses_text.size(), uses);
    if (ec != std::errc() || end != uses_text.data() + uses_text.size() || uses < 1 ||
        uses > 1000000) {
        return fail(make_error("usage", "--uses must be a whole number from 1 to 1000000"));
    }
    const auto lifetime = domain::parse_duration_seconds(args->get_or("expires", "7d"));
    if (!lifetime) {
        return fail(make_error("usage", "--expires must look like 30d, 12h, 90m or 45s"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    const auto code = pairing::generate_pairing_code();
    auto canonical = pairing::normalize_pairing_code(code);
    if (!canonical) {
        return fail(canonical.error());
    }
    const auto now = now_seconds();
    NewPairingCode record{*args->get("tenant"), pairing::hex_encode(pairing::sha256(*canonical)),
                          uses, now + *lifetime};
    if (auto r = (*store)->add_pairing_code(record, now); !r) {
        return fail(r.error());
    }
    std::cout << code << std::endl;
    return kExitOk;
}

}  // namespace tally::server::cli
