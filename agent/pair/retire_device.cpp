// `tally-agent retire` (see retire_device.h).

#include "agent/pair/retire_device.h"

#include "agent/log.h"
#include "agent/pair/pair_errors.h"
#include "agent/pair/retire_upload.h"
#include "agent/upload/batch_request.h"
#include "pairing/messages.h"

namespace tally::agent {

Result<Identity> retire_device(const Config& config, const std::filesystem::path& state_dir,
                               const std::string& reason, RetireDeps& deps) {
    auto loaded = load_identity(deps.files, state_dir);
    if (!loaded)
        return loaded.error();
    if (!*loaded)
        return make_error("not_paired", "this device is not paired: nothing to retire");
    Identity id = **loaded;
    if (id.retired_at > 0)
        return id;

    if (deps.upload_limit.count() > 0) {
        auto flushed =
            upload_before_retire(id, config, state_dir, deps.sender, deps.files, deps.upload_limit);
        if (flushed.sent > 0) {
            log_info("retire", "uploaded " + std::to_string(flushed.sent) +
                                   " queued heartbeat(s) before retiring");
        }
        if (flushed.left > 0) {
            log_warn("retire", std::to_string(flushed.left) +
                                   " heartbeat(s) could not be uploaded before retiring (" +
                                   flushed.error + "); retiring anyway");
        } else if (!flushed.error.empty()) {
            log_warn("retire", flushed.error + "; retiring anyway");
        }
    }

    pairing::RetireRequest req{id.device_id, deps.now, reason};
    SignedRequest signed_request;
    signed_request.kind = SignedKind::retire;
    HttpRequest& http = signed_request.request;
    http.method = "POST";
    const std::string server = config.server_url.empty() ? id.server_url : config.server_url;
    http.url = join_url(server, "/v1/retire");
    http.body = pairing::encode_retire_request(req);
    http.headers = {{pairing::kHeaderDevice, id.device_id}, {"Content-Type", "application/json"}};

    TransportOptions options;
    options.ca_file = config.ca_file.empty() ? id.ca_file : config.ca_file;
    options.proxy = config.proxy;
    options.proxy_credentials_file = config.proxy_credentials_file;
    options.pinned_spki_sha256 = id.pinned_spki_sha256;
    options.total_timeout = std::chrono::seconds(60);
    deps.sender.configure(options);
    auto sent = deps.sender.send(signed_request);
    if (!sent)
        return sent.error();
    const TransportResult& result = sent->transport;
    if (result.error != TransportError::none) {
        return make_error(to_string(result.error), describe_transport_failure(result, server));
    }
    const int status = result.response.status;
    // 410: already retired or revoked on the server; the end state is the same.
    if (status != 200 && status != 410) {
        auto body = pairing::decode_error(result.response.body);
        return make_error(body ? body->error : "http_" + std::to_string(status),
                          "the server refused to retire the device: HTTP " +
                              std::to_string(status) +
                              (body ? " " + body->error + ": " + body->message : ""));
    }
    id.retired_at = deps.now;
    if (auto r = save_identity(deps.files, state_dir, id); !r)
        return r.error();
    log_info("retire", "device " + id.device_id + " retired");
    return id;
}

}  // namespace tally::agent
