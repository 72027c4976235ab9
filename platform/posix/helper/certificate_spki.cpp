// SPKI of a PEM/DER certificate (certificate_spki.h).

#include "platform/posix/helper/certificate_spki.h"

#include <cctype>

#include "pairing/crypto.h"

namespace tally::platform {
namespace {

constexpr std::uint8_t kSequence = 0x30;
constexpr std::uint8_t kBitString = 0x03;
constexpr std::uint8_t kExplicitVersion = 0xA0;  // [0] EXPLICIT Version

//! One DER element: its tag, whole encoding and contents.
struct Element {
    std::uint8_t tag = 0;
    std::span<const std::uint8_t> whole;
    std::span<const std::uint8_t> contents;
};

//! The element at the start of `in` (definite lengths of up to 4 bytes, as DER requires for
//! anything a certificate holds); nullopt when truncated or malformed.
std::optional<Element> read_element(std::span<const std::uint8_t> in) {
    if (in.size() < 2 || (in[0] & 0x1F) == 0x1F)
        return std::nullopt;  // high tag numbers do not occur before the SPKI
    std::size_t header = 2;
    std::size_t length = in[1];
    if ((length & 0x80) != 0) {
        const std::size_t n = length & 0x7F;
        if (n == 0 || n > 4 || in.size() < 2 + n || in[2] == 0)
            return std::nullopt;  // indefinite, too long, or not minimal
        length = 0;
        for (std::size_t i = 0; i < n; ++i)
            length = (length << 8) | in[2 + i];
        if (length < 0x80)
            return std::nullopt;
        header += n;
    }
    if (in.size() - header < length)
        return std::nullopt;
    return Element{in[0], in.subspan(0, header + length), in.subspan(header, length)};
}

}  // namespace

std::optional<pairing::Bytes> certificate_der_from_pem(std::string_view pem) {
    constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
    constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
    const auto begin = pem.find(kBegin);
    if (begin == std::string_view::npos)
        return std::nullopt;
    const auto body_start = begin + kBegin.size();
    const auto end = pem.find(kEnd, body_start);
    if (end == std::string_view::npos)
        return std::nullopt;
    std::string base64;
    for (char c : pem.substr(body_start, end - body_start)) {
        if (!std::isspace(static_cast<unsigned char>(c)))
            base64.push_back(c);
    }
    return pairing::base64_decode(base64);
}

std::optional<std::span<const std::uint8_t>> certificate_spki(std::span<const std::uint8_t> der) {
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
    auto cert = read_element(der);
    if (!cert || cert->tag != kSequence || cert->whole.size() != der.size())
        return std::nullopt;
    auto tbs = read_element(cert->contents);
    if (!tbs || tbs->tag != kSequence)
        return std::nullopt;
    // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
    //                               validity, subject, subjectPublicKeyInfo, … }
    auto rest = tbs->contents;
    auto next = read_element(rest);
    if (next && next->tag == kExplicitVersion) {
        rest = rest.subspan(next->whole.size());
        next = read_element(rest);
    }
    for (int skip = 0; skip < 5; ++skip) {  // serialNumber, signature, issuer, validity, subject
        if (!next)
            return std::nullopt;
        rest = rest.subspan(next->whole.size());
        next = read_element(rest);
    }
    if (!next || next->tag != kSequence)
        return std::nullopt;
    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, BIT STRING }
    auto algorithm = read_element(next->contents);
    if (!algorithm || algorithm->tag != kSequence)
        return std::nullopt;
    auto key = read_element(next->contents.subspan(algorithm->whole.size()));
    if (!key || key->tag != kBitString ||
        algorithm->whole.size() + key->whole.size() != next->contents.size())
        return std::nullopt;
    return next->whole;
}

std::string certificate_spki_sha256_hex(std::string_view pem) {
    auto der = certificate_der_from_pem(pem);
    if (!der)
        return {};
    auto spki = certificate_spki(*der);
    if (!spki)
        return {};
    return pairing::hex_encode(pairing::sha256(*spki));
}

}  // namespace tally::platform
