// Fuzz: the server's pair and retire request handling (JSON bodies and signature headers
// from anyone on the network). Input: signature line, then the body; the first byte picks
// the endpoint and whether the body is signed with a real key (to reach the code and
// device checks behind the signature).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_store.h"
#include "pairing/bytes.h"
#include "server/ingest/pair_handler.h"
#include "server/ingest/retire_handler.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace p = tally::pairing;
    if (size == 0)
        return 0;
    auto& f = tally::fuzz::fuzz_server();
    const std::uint8_t mode = data[0];
    std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto nl = rest.find('\n');
    std::string signature = nl == std::string::npos ? std::string() : rest.substr(0, nl);
    std::string body = nl == std::string::npos ? rest : rest.substr(nl + 1);
    if (mode & 2)
        signature = p::base64url_encode(f.key.sign(body));
    if (mode & 1) {
        auto r =
            tally::server::handle_pair(*f.store, body, signature, tally::fuzz::kNow, f.options);
        if (!r && r.error().code.empty())
            __builtin_trap();
    } else {
        // Retiring the (per-process) device is fine: later retires take the idempotent path.
        const std::string device = (mode & 4) ? f.device_id : "dev_other";
        auto r = tally::server::handle_retire(*f.store, device, signature, body, tally::fuzz::kNow);
        if (!r && r.error().code.empty())
            __builtin_trap();
    }
    return 0;
}
