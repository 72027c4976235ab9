// Mapping upload answers to verdicts (see upload_outcome.h).

#include "agent/upload/upload_outcome.h"

#include "agent/upload/backoff.h"
#include "pairing/messages.h"

namespace tally::agent {
namespace {

// A server's answer ends up in status and logs: keep it short and printable ASCII so a
// garbage body can neither flood the log nor break the status JSON.
std::string printable_excerpt(const std::string& text, std::size_t max) {
    std::string out;
    for (unsigned char c : text) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    }
    return out;
}

}  // namespace

const char* to_string(UploadVerdict v) {
    switch (v) {
        case UploadVerdict::acked:
            return "acked";
        case UploadVerdict::retry:
            return "retry";
        case UploadVerdict::too_large:
            return "too_large";
        case UploadVerdict::rejected:
            return "rejected";
        case UploadVerdict::unauthorized:
            return "unauthorized";
        case UploadVerdict::tenant_inactive:
            return "tenant_inactive";
        case UploadVerdict::revoked:
            return "revoked";
    }
    return "retry";
}

UploadOutcome classify_upload(const TransportResult& result) {
    UploadOutcome o;
    if (result.error != TransportError::none) {
        o.verdict = UploadVerdict::retry;
        o.error =
            std::string("transport error (") + to_string(result.error) + "): " + result.message;
        return o;
    }
    const HttpResponse& resp = result.response;
    o = classify_response(resp);
    o.error = printable_excerpt(o.error, 300);
    return o;
}

UploadOutcome classify_response(const HttpResponse& resp) {
    UploadOutcome o;
    o.http_status = resp.status;
    if (auto ra = resp.header("retry-after"))
        o.retry_after = parse_retry_after(*ra);
    if (resp.status == 200) {
        auto ack = pairing::decode_ack(resp.body);
        if (!ack) {
            o.verdict = UploadVerdict::retry;
            o.error = "server answered 200 with an unreadable ack: " + ack.error().message;
            return o;
        }
        o.verdict = UploadVerdict::acked;
        o.acked_through = ack->acked_through;
        o.server_time = ack->server_time;
        o.out_of_window = ack->out_of_window;
        return o;
    }
    auto body = pairing::decode_error(resp.body);
    std::string code = body ? body->error : std::string();
    o.error = "HTTP " + std::to_string(resp.status) + (code.empty() ? "" : " " + code) +
              (body && !body->message.empty() ? ": " + body->message : "");
    int s = resp.status;
    if (s == 408 || s == 429 || s >= 500) {
        o.verdict = UploadVerdict::retry;
    } else if (s == 401) {
        o.verdict = UploadVerdict::unauthorized;
    } else if (s == 403 && code == "tenant_inactive") {
        o.verdict = UploadVerdict::tenant_inactive;
    } else if (s == 410) {
        o.verdict = UploadVerdict::revoked;
    } else if (s == 413) {
        o.verdict = UploadVerdict::too_large;
    } else {
        o.verdict = UploadVerdict::rejected;
    }
    return o;
}

}  // namespace tally::agent
