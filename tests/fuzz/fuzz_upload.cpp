// Fuzz: batch verification and ingest, i.e. the server's upload handler on a real SQLite
// store. The input is signed with the registered device key so it passes the signature
// check; the first byte picks whether it is sent as the raw body (gzip parsing) or as the
// batch JSON gzipped here (batch and heartbeat decoding, time window, dedupe, forks, gaps).
// Every fifth input is sent unsigned-as-is to exercise the refusals before inflate.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_store.h"
#include "pairing/bytes.h"
#include "pairing/gzip.h"
#include "server/ingest/upload_handler.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace p = tally::pairing;
    if (size == 0)
        return 0;
    auto& f = tally::fuzz::fuzz_server();
    const std::uint8_t mode = data[0];
    std::string payload(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string body = (mode & 1) ? p::gzip_compress(payload) : payload;
    std::string signature = p::base64url_encode(f.key.sign(body));
    if (mode % 5 == 4)
        signature = payload.substr(0, 86);  // an arbitrary, almost surely invalid signature
    tally::server::UploadRequest req{f.device_id, signature, (mode & 2) ? "gzip" : "", body};
    auto out = tally::server::handle_upload(*f.store, req, tally::fuzz::kNow, f.options);
    if (!out && out.error().code.empty())
        __builtin_trap();
    return 0;
}
