// The resident agent's crypto.h backend: SHA-256 and HMAC-SHA256 in plain C++
// (pairing/sha256_portable.h) and random bytes from getentropy(). Nothing else of crypto.h
// is defined here on purpose: ECDSA and the key live in tally-agent-helper, so a resident
// agent that reached for them would fail to link instead of quietly loading OpenSSL.
// Linked (as an object library) into the tally-agent executable only; tests and the helper
// use pairing/crypto_openssl.cpp.

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "pairing/crypto.h"
#include "pairing/sha256_portable.h"

namespace tally::pairing {

Bytes sha256(std::span<const std::uint8_t> data) {
    return portable::sha256(data);
}

Bytes hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    return portable::hmac_sha256(key, data);
}

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    // getentropy() gives at most 256 bytes per call.
    for (std::size_t done = 0; done < n;) {
        const std::size_t chunk = std::min<std::size_t>(256, n - done);
        if (::getentropy(out.data() + done, chunk) != 0)
            throw std::runtime_error(std::string("getentropy: ") + std::strerror(errno));
        done += chunk;
    }
    return out;
}

}  // namespace tally::pairing
