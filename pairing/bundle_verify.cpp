// verify_bundle: verify_bundle_with and the crypto backend's ECDSA verification, in a file
// of its own so that code linking only encode_bundle/verify_bundle_with (the resident agent)
// needs no ECDSA implementation.

#include "pairing/bundle.h"
#include "pairing/crypto.h"

namespace tally::pairing {

Result<VerifiedBundle> verify_bundle(std::string_view file) {
    return verify_bundle_with(
        file, [](std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                 std::span<const std::uint8_t> signature) {
            return verify_signature(key, message, signature);
        });
}

}  // namespace tally::pairing
