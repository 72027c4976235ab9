// tally-agent-helper's request loop (see helper_server.h).

#include "platform/posix/helper/helper_server.h"

#include <iostream>
#include <string>

#include "pairing/bytes.h"
#include "platform/posix/crypto_helper_protocol.h"
#include "platform/posix/helper/file_key_store.h"
#include "platform/posix/helper/signed_exchange.h"
#include "platform/posix/helper_frame.h"

namespace tally::platform {
namespace {

//! Long enough for the slowest request: send() bounds itself by its own timeouts.
constexpr std::chrono::hours kIdleLimit{24};
constexpr std::chrono::seconds kWriteLimit{60};

Frame bytes_answer(const Result<pairing::Bytes>& r) {
    if (!r)
        return error_frame(r.error());
    return {"ok", std::string(r->begin(), r->end())};
}

Frame handle(const Frame& request, FileKeyStore& keys, const std::filesystem::path& state_dir) {
    if (request.empty())
        return error_frame(make_error("bad_frame", "an empty request"));
    const std::string& op = request[0];
    if (op == "public_key" && request.size() == 1)
        return bytes_answer(keys.public_key());
    if (op == "create" && request.size() == 1) {
        auto r = keys.create();
        return r ? Frame{"ok"} : error_frame(r.error());
    }
    if (op == "sign" && request.size() == 2)
        return bytes_answer(keys.sign(pairing::as_bytes(request[1])));
    if (op == "exchange")
        return signed_exchange(Frame(request.begin() + 1, request.end()), keys, state_dir);
    return error_frame(make_error("bad_frame", "unknown request '" + op.substr(0, 32) + "'"));
}

}  // namespace

int serve_helper(int fd, const std::filesystem::path& state_dir) {
    FileKeyStore keys(state_dir);
    for (;;) {
        auto request = read_frame(fd, std::chrono::steady_clock::now() + kIdleLimit);
        if (!request) {
            std::cerr << "tally-agent-helper: " << request.error().message << "\n";
            return 1;
        }
        if (!*request)
            return 0;  // the agent is done with us
        const Frame answer = handle(**request, keys, state_dir);
        if (auto w = write_frame(fd, answer, std::chrono::steady_clock::now() + kWriteLimit); !w) {
            std::cerr << "tally-agent-helper: " << w.error().message << "\n";
            return 1;
        }
    }
}

}  // namespace tally::platform
