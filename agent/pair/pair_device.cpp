// The pair command's logic (see pair_device.h).

#include "agent/pair/pair_device.h"

#include "agent/log.h"
#include "agent/pair/config_update.h"
#include "agent/pair/pair_errors.h"
#include "agent/spool/spool.h"
#include "agent/upload/batch_request.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/messages.h"
#include "pairing/pairing_code.h"

namespace tally::agent {
namespace {

//! Whether pairing needs a new device key: none yet, or the one here was made on another
//! machine (a cloned image). Pairing again with this machine's key is idempotent on the
//! server, so it is reused.
bool needs_new_key(const KeyStore& keys, const std::optional<Identity>& previous,
                   const std::string& fingerprint) {
    bool same_machine =
        !previous || previous->fingerprint.empty() || previous->fingerprint == fingerprint;
    return !keys.has_key() || !same_machine;
}

//! POST /v1/pair, signed, retried within deps.wait (pair_retry.h): each attempt a fresh
//! request (new nonce, current time) and one SignedSender exchange, which fills in the public
//! key and makes the key first when `new_key` (once). A refusal or a failure is an Error with
//! its sentence.
Result<TransportResult> exchange_pair(pairing::PairRequest& req, const std::string& server_url,
                                      bool new_key, PairDeps& deps) {
    const auto clock =
        deps.wait.now ? deps.wait.now : [] { return std::chrono::steady_clock::now(); };
    const auto started = clock();
    const auto attempt = [&]() -> Result<TransportResult> {
        req.time =
            deps.now + std::chrono::duration_cast<std::chrono::seconds>(clock() - started).count();
        req.nonce = pairing::base64url_encode(pairing::random_bytes(16));
        req.public_key.clear();  // the sender's to fill
        SignedRequest signed_request;
        signed_request.kind = SignedKind::pair;
        signed_request.new_key = new_key;
        HttpRequest& http = signed_request.request;
        http.method = "POST";
        http.url = join_url(server_url, "/v1/pair");
        http.body = pairing::encode_pair_request(req);
        http.headers = {{"Content-Type", "application/json"}};
        auto sent = deps.sender.send(signed_request);
        if (!sent)
            return sent.error();
        if (sent->key_created)
            new_key = false;  // later attempts sign with the key just made
        return std::move(sent->transport);
    };
    int attempts = 0;
    std::chrono::milliseconds waited{0};
    auto sent = send_pair_with_wait(attempt, deps.wait, attempts, waited);
    if (!sent) {
        return sent.error();
    }
    const TransportResult& result = *sent;
    // Said when the wait ran out on a transient failure, so the installer's log tells why.
    const auto gave_up = [&](std::string message) {
        if (classify_pair_attempt(result).transient && attempts > 1) {
            message += " (gave up after " + std::to_string(attempts) + " attempts over " +
                       std::to_string(waited.count() / 1000) + " s; --wait SECONDS allows longer)";
        }
        return message;
    };
    if (result.error != TransportError::none) {
        return make_error(to_string(result.error),
                          gave_up(describe_transport_failure(result, server_url)));
    }
    if (result.response.status != 200) {
        auto body = pairing::decode_error(result.response.body);
        return make_error(body ? body->error : "http_" + std::to_string(result.response.status),
                          gave_up(describe_pair_refusal(result.response)));
    }
    return sent;
}

}  // namespace

Result<Identity> pair_device(const PairInput& input, const Config& config,
                             const std::filesystem::path& state_dir, PairDeps& deps) {
    // Everything that can be checked locally is checked before any network call.
    auto code = pairing::normalize_pairing_code(input.code);
    if (!code)
        return make_error("invalid_code", "invalid pairing code: " + code.error().message);
    if (input.server_url.rfind("https://", 0) != 0 || input.server_url.size() <= 8) {
        return make_error("usage",
                          "--server must be an https:// URL, got '" + input.server_url + "'");
    }
    std::string device_type = input.device_type.empty() ? config.device_type : input.device_type;
    if (device_type != "business" && device_type != "personal") {
        return make_error("usage",
                          "--device-type must be business or personal, got '" + device_type + "'");
    }
    std::string ca_file = input.ca_file.empty() ? config.ca_file : input.ca_file;
    if (!ca_file.empty() && !std::filesystem::exists(ca_file)) {
        return make_error("usage", "CA file " + ca_file + " does not exist");
    }

    if (auto r = deps.files.create_private_directory(state_dir); !r)
        return r.error();
    auto previous = load_identity(deps.files, state_dir);
    // An unreadable identity is paired over; one reached through a link is refused (the new
    // one would be written there too).
    if (!previous && previous.error().code == "symlink")
        return previous.error();
    std::optional<Identity> prev_id = previous ? *previous : std::nullopt;
    std::string fingerprint = deps.fingerprint.fingerprint();
    const bool new_key = needs_new_key(deps.keys, prev_id, fingerprint);
    auto fail = [&](Error e) -> Result<Identity> {
        if (new_key)
            (void)deps.keys.destroy();  // leave no key that no server knows
        return e;
    };

    pairing::PairRequest req;
    req.code = *code;
    req.device.hostname = deps.host.hostname;
    req.device.os = deps.host.os;
    req.device.os_version = deps.host.os_version;
    req.device.agent_version = TALLY_VERSION;
    req.device.device_type = device_type;
    req.device.role = config.role;
    req.device.fingerprint = fingerprint;

    TransportOptions options;
    options.ca_file = ca_file;
    options.proxy = config.proxy;
    options.proxy_credentials_file = config.proxy_credentials_file;
    options.total_timeout = std::chrono::seconds(60);
    deps.sender.configure(options);
    auto sent = exchange_pair(req, input.server_url, new_key, deps);
    if (!sent) {
        return fail(sent.error());
    }
    const TransportResult& result = *sent;
    auto answer = pairing::decode_pair_response(result.response.body);
    if (!answer) {
        return fail(make_error("bad_response", "the server's pairing answer is unreadable: " +
                                                   answer.error().message));
    }

    Identity id;
    id.device_id = answer->device_id;
    id.tenant = answer->tenant;
    id.server_url = input.server_url;
    id.ca_file = ca_file;
    id.device_type = device_type;
    id.fingerprint = fingerprint;
    id.paired_at = deps.now;
    id.pairing_code = *code;  // for re-pairing a cloned copy; identity.json is 0600
    if (config.pin_server_key) {
        // Pinning silently nothing would look safe and not be.
        if (result.server_spki_sha256.empty()) {
            return fail(make_error("tls",
                                   "pin_server_key is on but the server's key could not "
                                   "be read from the TLS session"));
        }
        id.pinned_spki_sha256 = result.server_spki_sha256;
    }
    if (auto r = save_identity(deps.files, state_dir, id); !r)
        return r.error();

    if (answer->acked_through > 0) {
        // Paired again with a key the server knows: never reuse seqs it already holds.
        auto spool = spool::Spool::open(deps.files, state_dir, {config.spool_max_bytes});
        if (!spool)
            return spool.error();
        if (auto r = (*spool)->adopt_server_ack(answer->acked_through); !r)
            return r.error();
    }
    if (input.config_explicit) {
        // role and proxy too: the MSI hands ROLE and PROXY to `pair` as TALLY_ROLE and
        // TALLY_PROXY, and the service must run with what the device was paired with.
        auto r = update_config_file(deps.files, input.config_path,
                                    {{"server_url", id.server_url},
                                     {"ca_file", id.ca_file},
                                     {"device_type", id.device_type},
                                     {"role", config.role},
                                     {"proxy", config.proxy}});
        if (!r) {
            log_warn("pair",
                     "server_url and ca_file are kept in identity.json only: " + r.error().message);
        }
    }
    log_info("pair", "paired as " + id.device_id + " in tenant " + id.tenant);
    return id;
}

}  // namespace tally::agent
