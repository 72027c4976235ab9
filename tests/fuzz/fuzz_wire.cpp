// Fuzz: wire decoding on both sides: heartbeat, batch, ack, pair request/response, retire,
// error bodies, gzip with a cap, and the agent's classification of a server answer; the fast
// heartbeat/batch decoders are checked against the strict reference decoders.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/upload/upload_outcome.h"
#include "pairing/batch.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"
#include "pairing/wire_fast.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace p = tally::pairing;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    if (auto hb = p::decode_heartbeat(in); hb) {
        // A valid heartbeat re-encodes to bytes that decode to the same numbers.
        auto again = p::decode_heartbeat(p::encode_heartbeat(*hb));
        if (!again || again->seq != hb->seq || again->end != hb->end)
            __builtin_trap();
    }
    // The fast decoders accept only what the strict reference accepts, with the same value.
    if (auto fast = p::detail::decode_heartbeat_fast(in); fast) {
        auto ref = p::detail::decode_heartbeat_reference(in);
        if (!ref || !(*ref == *fast))
            __builtin_trap();
    }
    if (auto fast = p::detail::decode_batch_fast(in); fast) {
        auto ref = p::detail::decode_batch_reference(in);
        if (!ref || ref->device_id != fast->device_id || ref->sent_at != fast->sent_at ||
            ref->heartbeats != fast->heartbeats || !(ref->gaps == fast->gaps))
            __builtin_trap();
    }
    (void)p::decode_batch(in);
    (void)p::decode_ack(in);
    (void)p::decode_pair_request(in);
    (void)p::decode_pair_response(in);
    (void)p::decode_retire_request(in);
    (void)p::decode_error(in);
    (void)p::gzip_decompress(in, 1 << 20);

    tally::agent::TransportResult result;
    result.response.status = size > 0 ? 100 + data[0] % 500 : 200;
    result.response.headers = {{"retry-after", std::string(in.substr(0, 12))}};
    result.response.body = std::string(in);
    (void)tally::agent::classify_upload(result);
    return 0;
}
