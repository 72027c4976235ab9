// Upload answers → verdicts (PROTOCOL.md §7).

#include <catch2/catch.hpp>

#include "agent/upload/upload_outcome.h"
#include "pairing/messages.h"

using namespace tally::agent;

namespace {

TransportResult answer(int status, const std::string& body,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    TransportResult r;
    r.response.status = status;
    r.response.body = body;
    r.response.headers = std::move(headers);
    return r;
}

std::string error_body(const std::string& code) {
    return tally::pairing::encode_error({code, "because"});
}

}  // namespace

TEST_CASE("upload answers map to verdicts", "[upload]") {
    tally::pairing::HeartbeatAck ack{12, 1'800'000'000, 3, 0};
    auto ok = classify_upload(answer(200, tally::pairing::encode_ack(ack)));
    CHECK(ok.verdict == UploadVerdict::acked);
    CHECK(ok.acked_through == 12);
    CHECK(ok.server_time == 1'800'000'000);

    CHECK(classify_upload(answer(200, "{garbage")).verdict == UploadVerdict::retry);
    CHECK(classify_upload(answer(401, error_body("bad_signature"))).verdict ==
          UploadVerdict::unauthorized);
    CHECK(classify_upload(answer(401, error_body("unknown_device"))).verdict ==
          UploadVerdict::unauthorized);
    CHECK(classify_upload(answer(403, error_body("tenant_inactive"))).verdict ==
          UploadVerdict::tenant_inactive);
    CHECK(classify_upload(answer(410, error_body("device_revoked"))).verdict ==
          UploadVerdict::revoked);
    CHECK(classify_upload(answer(413, error_body("payload_too_large"))).verdict ==
          UploadVerdict::too_large);
    CHECK(classify_upload(answer(400, error_body("bad_request"))).verdict ==
          UploadVerdict::rejected);
    CHECK(classify_upload(answer(422, error_body("out_of_window"))).verdict ==
          UploadVerdict::rejected);
    for (int s : {408, 429, 500, 502, 503}) {
        INFO(s);
        CHECK(classify_upload(answer(s, "")).verdict == UploadVerdict::retry);
    }
    auto limited =
        classify_upload(answer(429, error_body("rate_limited"), {{"retry-after", "30"}}));
    REQUIRE(limited.retry_after);
    CHECK(limited.retry_after->count() == 30);
    CHECK_THAT(limited.error, Catch::Contains("429"));

    TransportResult refused;
    refused.error = TransportError::connect;
    refused.message = "connection refused";
    auto r = classify_upload(refused);
    CHECK(r.verdict == UploadVerdict::retry);
    CHECK_THAT(r.error, Catch::Contains("connection refused"));
}
