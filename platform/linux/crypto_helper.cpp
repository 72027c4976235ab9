// The crypto helper's request loop (see crypto_helper.h).

#include "platform/linux/crypto_helper.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "pairing/bytes.h"
#include "platform/linux/crypto_helper_protocol.h"
#include "platform/linux/file_key_store.h"
#include "platform/linux/helper_frame.h"
#include "platform/linux/tls_transport.h"

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

Frame handle(const Frame& request, FileKeyStore& keys, TlsTransport& transport) {
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
    if (op == "send") {
        auto send = decode_send(Frame(request.begin() + 1, request.end()));
        if (!send)
            return error_frame(send.error());
        transport.configure(send->options);
        transport.import_session(send->session);
        HelperSent sent;
        sent.result = transport.send(send->request);
        sent.session = transport.export_session();
        return encode_sent(sent);
    }
    return error_frame(make_error("bad_frame", "unknown request '" + op.substr(0, 32) + "'"));
}

}  // namespace

int serve_crypto_helper(int fd, const std::filesystem::path& state_dir) {
    FileKeyStore keys(state_dir);
    TlsTransport transport;
    for (;;) {
        auto request = read_frame(fd, std::chrono::steady_clock::now() + kIdleLimit);
        if (!request) {
            std::cerr << "tally-agent crypto helper: " << request.error().message << "\n";
            return 1;
        }
        if (!*request)
            return 0;  // the agent is done with us
        const Frame answer = handle(**request, keys, transport);
        if (auto w = write_frame(fd, answer, std::chrono::steady_clock::now() + kWriteLimit); !w) {
            std::cerr << "tally-agent crypto helper: " << w.error().message << "\n";
            return 1;
        }
    }
}

std::optional<int> run_crypto_helper_if_asked(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], kCryptoHelperArg) != 0)
        return std::nullopt;
    if (argc != 4) {
        std::cerr << "tally-agent: " << kCryptoHelperArg
                  << " is started by the agent itself, not by hand\n";
        return 64;
    }
    // Die with the agent: a helper must never outlive the process it serves. The parent's
    // pid is checked after the prctl, in case the agent died in between.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (std::to_string(::getppid()) != argv[3])
        return 1;
    return serve_crypto_helper(kCryptoHelperFd, argv[2]);
}

}  // namespace tally::platform
