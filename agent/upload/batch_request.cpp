// The signed upload request (see batch_request.h).

#include "agent/upload/batch_request.h"

#include "pairing/batch.h"
#include "pairing/gzip.h"
#include "pairing/messages.h"

namespace tally::agent {

std::string join_url(const std::string& base, const std::string& path) {
    std::string b = base;
    while (!b.empty() && b.back() == '/')
        b.pop_back();
    return b + path;
}

SignedRequest build_upload_request(const spool::Pending& pending, const std::string& device_id,
                                   const std::string& server_url, std::int64_t sent_at) {
    pairing::Batch batch;
    batch.device_id = device_id;
    batch.sent_at = sent_at;
    for (const auto& hb : pending.heartbeats)
        batch.heartbeats.push_back(hb.bytes);
    batch.gaps = pending.gaps;
    SignedRequest out;
    out.kind = SignedKind::upload;
    HttpRequest& req = out.request;
    req.method = "POST";
    req.url = join_url(server_url, "/v1/heartbeats");
    req.body = pairing::gzip_compress(pairing::encode_batch(batch));
    req.headers = {{pairing::kHeaderDevice, device_id},
                   {"Content-Type", "application/json"},
                   {"Content-Encoding", "gzip"}};
    return out;
}

}  // namespace tally::agent
